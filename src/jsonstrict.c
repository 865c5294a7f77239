/* SPDX-License-Identifier: MIT */
/* An RFC 8259 parser that builds json-c objects. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonstrict.h"

struct scanner {
	const unsigned char *text;
	size_t len;
	size_t pos;
	unsigned depth;
	unsigned max_depth;
	struct cr_buf pointer;     /* JSON Pointer of the value being read */
	struct cr_buf key;         /* decoded text of the last string read */
	struct cr_buf *names;      /* per depth, the member name being read */
	const char *error;         /* static description of the first error */
	size_t error_pos;
};

static bool scan_value(struct scanner *sc, struct json_object **out);

static bool
fail(struct scanner *sc, const char *what)
{
	if (sc->error == NULL) {
		sc->error = what;
		sc->error_pos = sc->pos;
	}
	return false;
}

static void
skip_space(struct scanner *sc)
{
	while (sc->pos < sc->len) {
		unsigned char c = sc->text[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

static bool
expect_word(struct scanner *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->text + sc->pos, word, n) != 0)
		return fail(sc, "unexpected character");
	sc->pos += n;
	return true;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(struct scanner *sc, uint32_t *out)
{
	uint32_t value = 0;
	int i, digit;

	if (sc->len - sc->pos < 4)
		return fail(sc, "incomplete \\u escape");
	for (i = 0; i < 4; i++) {
		digit = hex_value(sc->text[sc->pos + (size_t)i]);
		if (digit < 0)
			return fail(sc, "invalid \\u escape");
		value = value * 16 + (uint32_t)digit;
	}
	sc->pos += 4;
	*out = value;
	return true;
}

static void
append_utf8(struct cr_buf *out, uint32_t cp)
{
	char bytes[4];
	size_t n;

	if (cp < 0x80) {
		bytes[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		bytes[0] = (char)(0xc0 | (cp >> 6));
		bytes[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		bytes[0] = (char)(0xe0 | (cp >> 12));
		bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		bytes[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		bytes[0] = (char)(0xf0 | (cp >> 18));
		bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		bytes[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	cr_buf_append(out, bytes, n);
}

static bool
scan_escape(struct scanner *sc)
{
	uint32_t cp, low;
	unsigned char c;

	if (sc->pos >= sc->len)
		return fail(sc, "unterminated string");
	c = sc->text[sc->pos++];
	switch (c) {
	case '"': cr_buf_append(&sc->key, "\"", 1); return true;
	case '\\': cr_buf_append(&sc->key, "\\", 1); return true;
	case '/': cr_buf_append(&sc->key, "/", 1); return true;
	case 'b': cr_buf_append(&sc->key, "\b", 1); return true;
	case 'f': cr_buf_append(&sc->key, "\f", 1); return true;
	case 'n': cr_buf_append(&sc->key, "\n", 1); return true;
	case 'r': cr_buf_append(&sc->key, "\r", 1); return true;
	case 't': cr_buf_append(&sc->key, "\t", 1); return true;
	case 'u': break;
	default:
		sc->pos--;
		return fail(sc, "invalid escape sequence");
	}

	if (!read_hex4(sc, &cp))
		return false;
	if (cp == 0)
		return fail(sc, "\\u0000 is not accepted in strings");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(sc, "unpaired low surrogate escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (sc->len - sc->pos < 2 || sc->text[sc->pos] != '\\' || sc->text[sc->pos + 1] != 'u')
			return fail(sc, "unpaired high surrogate escape");
		sc->pos += 2;
		if (!read_hex4(sc, &low))
			return false;
		if (low < 0xdc00 || low > 0xdfff)
			return fail(sc, "unpaired high surrogate escape");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	}
	append_utf8(&sc->key, cp);
	return true;
}

/* Check one UTF-8 sequence starting with the lead byte at sc->pos. */
static bool
scan_utf8(struct scanner *sc)
{
	const unsigned char *p = sc->text + sc->pos;
	size_t avail = sc->len - sc->pos, n, i;
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return fail(sc, "invalid UTF-8");
	}
	if (avail < n)
		return fail(sc, "invalid UTF-8");
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return fail(sc, "invalid UTF-8");
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Reject overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return fail(sc, "invalid UTF-8");
	cr_buf_append(&sc->key, (const char *)p, n);
	sc->pos += n;
	return true;
}

/* Read a string literal; its decoded text is left in sc->key. */
static bool
scan_string(struct scanner *sc)
{
	unsigned char c;

	cr_buf_reset(&sc->key);
	cr_buf_append(&sc->key, "", 0);
	if (sc->pos >= sc->len || sc->text[sc->pos] != '"')
		return fail(sc, sc->pos < sc->len && sc->text[sc->pos] == '\'' ?
		    "single-quoted strings are not JSON" : "expected a string");
	sc->pos++;
	for (;;) {
		size_t run = sc->pos;

		/* Copy a run of plain ASCII at once. */
		while (run < sc->len && sc->text[run] >= 0x20 && sc->text[run] < 0x80 &&
		    sc->text[run] != '"' && sc->text[run] != '\\')
			run++;
		if (run > sc->pos) {
			cr_buf_append(&sc->key, (const char *)sc->text + sc->pos, run - sc->pos);
			sc->pos = run;
		}
		if (sc->pos >= sc->len)
			return fail(sc, "unterminated string");
		c = sc->text[sc->pos];
		if (c == '"') {
			sc->pos++;
			return true;
		}
		if (c < 0x20)
			return fail(sc, "control character inside a string");
		if (c == '\\') {
			sc->pos++;
			if (!scan_escape(sc))
				return false;
		} else if (c >= 0x80) {
			if (!scan_utf8(sc))
				return false;
		} else {
			cr_buf_append(&sc->key, (const char *)&c, 1);
			sc->pos++;
		}
	}
}

static size_t
count_digits(struct scanner *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && sc->text[sc->pos] >= '0' && sc->text[sc->pos] <= '9')
		sc->pos++;
	return sc->pos - start;
}

/*
 * Read a number. Integers must fit in 64 bits and other numbers must be
 * finite, because json-c would saturate or turn them into infinity
 * without an error. A fraction or exponent keeps its original text, so
 * the number is stored as the client wrote it.
 */
static bool
scan_number(struct scanner *sc, struct json_object **out)
{
	size_t start = sc->pos, len;
	bool integral = true;
	char digits[400];
	long long integer = 0;
	double real = 0;
	char *end;

	if (sc->text[sc->pos] == '-')
		sc->pos++;
	if (sc->pos < sc->len && sc->text[sc->pos] == '0') {
		sc->pos++;
		if (sc->pos < sc->len && sc->text[sc->pos] >= '0' && sc->text[sc->pos] <= '9')
			return fail(sc, "leading zeros are not allowed in numbers");
	} else if (count_digits(sc) == 0) {
		return fail(sc, "invalid number");
	}
	if (sc->pos < sc->len && sc->text[sc->pos] == '.') {
		sc->pos++;
		integral = false;
		if (count_digits(sc) == 0)
			return fail(sc, "a decimal point must be followed by digits");
	}
	if (sc->pos < sc->len && (sc->text[sc->pos] == 'e' || sc->text[sc->pos] == 'E')) {
		sc->pos++;
		integral = false;
		if (sc->pos < sc->len && (sc->text[sc->pos] == '+' || sc->text[sc->pos] == '-'))
			sc->pos++;
		if (count_digits(sc) == 0)
			return fail(sc, "an exponent must have digits");
	}

	len = sc->pos - start;
	if (len >= sizeof(digits)) {
		sc->pos = start;
		return fail(sc, "number is too long");
	}
	memcpy(digits, sc->text + start, len);
	digits[len] = '\0';
	/* strtod also reports ERANGE for an underflow to zero, which is fine. */
	errno = 0;
	if (integral)
		integer = strtoll(digits, &end, 10);
	else
		errno = isinf(real = strtod(digits, &end)) ? ERANGE : 0;
	if (errno == ERANGE) {
		sc->pos = start;
		return fail(sc, integral ? "integer is outside the 64-bit signed range" :
		    "number is too large");
	}
	*out = integral ? json_object_new_int64(integer) : json_object_new_double_s(real, digits);
	return *out != NULL ? true : fail(sc, "out of memory");
}

static bool
enter(struct scanner *sc)
{
	if (sc->depth >= sc->max_depth)
		return fail(sc, "nesting is too deep");
	sc->depth++;
	sc->pos++;
	skip_space(sc);
	return true;
}

static bool
scan_object(struct scanner *sc, struct json_object **out)
{
	size_t saved = sc->pointer.len;
	struct cr_buf *name;
	struct json_object *value;

	if (!enter(sc))
		return false;
	name = &sc->names[sc->depth - 1];
	*out = json_object_new_object();
	if (*out == NULL)
		return fail(sc, "out of memory");
	if (sc->pos < sc->len && sc->text[sc->pos] == '}') {
		sc->pos++;
		sc->depth--;
		return true;
	}
	for (;;) {
		if (!scan_string(sc))
			return false;

		/* The name is kept per depth, because the value reuses sc->key. */
		cr_buf_reset(name);
		cr_buf_append(name, cr_buf_str(&sc->key), sc->key.len);
		cr_pointer_append(&sc->pointer, cr_buf_str(name), name->len);
		if (name->failed || sc->pointer.failed)
			return fail(sc, "out of memory");
		if (json_object_object_get_ex(*out, name->data, NULL))
			return fail(sc, "duplicate member name");
		skip_space(sc);
		if (sc->pos >= sc->len || sc->text[sc->pos] != ':')
			return fail(sc, "expected ':' after a member name");
		sc->pos++;
		value = NULL;
		if (!scan_value(sc, &value)) {
			json_object_put(value);
			return false;
		}
		if (json_object_object_add_ex(*out, name->data, value,
		    JSON_C_OBJECT_ADD_KEY_IS_NEW) != 0) {
			json_object_put(value);
			return fail(sc, "out of memory");
		}

		/* A bad separator is reported at the member it follows. */
		skip_space(sc);
		if (sc->pos >= sc->len || (sc->text[sc->pos] != ',' && sc->text[sc->pos] != '}'))
			return fail(sc, "expected ',' or '}' in an object");
		sc->pointer.len = saved;
		sc->pointer.data[saved] = '\0';
		if (sc->text[sc->pos++] == '}') {
			sc->depth--;
			return true;
		}
		skip_space(sc);
	}
}

static bool
scan_array(struct scanner *sc, struct json_object **out)
{
	size_t saved = sc->pointer.len, index = 0;
	struct json_object *value;

	if (!enter(sc))
		return false;
	*out = json_object_new_array();
	if (*out == NULL)
		return fail(sc, "out of memory");
	if (sc->pos < sc->len && sc->text[sc->pos] == ']') {
		sc->pos++;
		sc->depth--;
		return true;
	}
	for (;;) {
		cr_buf_printf(&sc->pointer, "/%zu", index++);
		value = NULL;
		if (!scan_value(sc, &value)) {
			json_object_put(value);
			return false;
		}
		if (json_object_array_add(*out, value) != 0) {
			json_object_put(value);
			return fail(sc, "out of memory");
		}
		skip_space(sc);
		if (sc->pos >= sc->len || (sc->text[sc->pos] != ',' && sc->text[sc->pos] != ']'))
			return fail(sc, "expected ',' or ']' in an array");
		sc->pointer.len = saved;
		sc->pointer.data[saved] = '\0';
		if (sc->text[sc->pos++] == ']') {
			sc->depth--;
			return true;
		}
	}
}

static bool
scan_word(struct scanner *sc, const char *word, struct json_object *value,
    struct json_object **out)
{
	if (!expect_word(sc, word)) {
		json_object_put(value);
		return false;
	}
	*out = value;
	return true;
}

/*
 * Read one value into *OUT. On failure *OUT may hold a partly built
 * value, which the caller releases.
 */
static bool
scan_value(struct scanner *sc, struct json_object **out)
{
	skip_space(sc);
	if (sc->pos >= sc->len)
		return fail(sc, "unexpected end of input");
	switch (sc->text[sc->pos]) {
	case '{': return scan_object(sc, out);
	case '[': return scan_array(sc, out);
	case '"':
		if (!scan_string(sc))
			return false;
		*out = json_object_new_string_len(cr_buf_str(&sc->key), (int)sc->key.len);
		return *out != NULL ? true : fail(sc, "out of memory");
	case 't': return scan_word(sc, "true", json_object_new_boolean(1), out);
	case 'f': return scan_word(sc, "false", json_object_new_boolean(0), out);
	case 'n': return scan_word(sc, "null", NULL, out);
	case '\'': return fail(sc, "single-quoted strings are not JSON");
	case '\0': return fail(sc, "NUL byte in the body");
	default:
		if (sc->text[sc->pos] == '-' ||
		    (sc->text[sc->pos] >= '0' && sc->text[sc->pos] <= '9'))
			return scan_number(sc, out);
		return fail(sc, "unexpected character");
	}
}

struct json_object *
cr_json_parse_strict(const char *body, size_t len, unsigned max_depth,
    struct cr_problems *problems)
{
	struct scanner sc;
	struct json_object *value = NULL;
	unsigned i;

	memset(&sc, 0, sizeof(sc));
	sc.text = (const unsigned char *)body;
	sc.len = len;
	sc.max_depth = max_depth;
	cr_buf_init(&sc.pointer);
	cr_buf_init(&sc.key);
	cr_buf_append(&sc.pointer, "", 0);
	sc.names = calloc(max_depth ? max_depth : 1, sizeof(*sc.names));
	if (sc.names == NULL) {
		problems->out_of_memory = 1;
		return NULL;
	}

	if (len > INT32_MAX) {
		cr_problems_add(problems, "", "body is too large to parse");
		goto out;
	}
	if (scan_value(&sc, &value)) {
		skip_space(&sc);
		if (sc.pos < sc.len)
			fail(&sc, sc.text[sc.pos] == '\0' ? "NUL byte after the JSON value" :
			    "unexpected data after the JSON value");
	}
	if (sc.error == NULL && value == NULL)
		cr_problems_add(problems, "", "the body must be a JSON object, not null");
	if (sc.error != NULL) {
		json_object_put(value);
		value = NULL;
		if (strcmp(sc.error, "out of memory") == 0)
			problems->out_of_memory = 1;
		else
			cr_problems_add(problems, cr_buf_str(&sc.pointer),
			    "invalid JSON at byte %zu: %s", sc.error_pos, sc.error);
	}
out:
	/* The decoded strings included the database password. */
	for (i = 0; i < max_depth; i++)
		cr_buf_free(&sc.names[i]);
	free(sc.names);
	cr_buf_free(&sc.pointer);
	cr_buf_wipe(&sc.key);
	return value;
}
