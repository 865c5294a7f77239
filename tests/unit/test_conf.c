/* SPDX-License-Identifier: MIT */
/* The configuration file: values, defaults, errors that name the key. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

static char dir[64];
static char path[128];

static int
make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/connreg-conf-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/connreg.conf", dir);
	return 0;
}

static int
remove_dir(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
write_conf(const char *text)
{
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

/* Load TEXT and return the error message, or "" when it loaded. */
static const char *
load_error(const char *text)
{
	static char err[1024];
	struct cr_conf conf;
	int rc;

	write_conf(text);
	err[0] = '\0';
	rc = cr_conf_load(path, &conf, err, sizeof(err));
	cr_conf_free(&conf);
	if (rc == 0)
		assert_string_equal(err, "");
	else
		assert_true(err[0] != '\0');
	return err;
}

static void
full_file_loads(void **state)
{
	struct cr_conf conf;
	char err[512], expected[256];

	(void)state;
	write_conf("# comment\n\n  database = data/c.db  \nkey_file=/etc/k.key\n"
	    "max_body_bytes = 4096\nmax_json_depth = 8\nbusy_timeout_ms = 0\nlog_level = debug\n");
	assert_int_equal(cr_conf_load(path, &conf, err, sizeof(err)), 0);
	snprintf(expected, sizeof(expected), "%s/data/c.db", dir);
	assert_string_equal(conf.database, expected);
	assert_string_equal(conf.key_file, "/etc/k.key");
	assert_int_equal(conf.max_body_bytes, 4096);
	assert_int_equal(conf.max_json_depth, 8);
	assert_int_equal(conf.busy_timeout_ms, 0);
	assert_int_equal(conf.log_level, CR_LOG_DEBUG);
	cr_conf_free(&conf);
}

static void
defaults_apply(void **state)
{
	struct cr_conf conf;
	char err[512];

	(void)state;
	write_conf("database = a.db\nkey_file = a.key\n");
	assert_int_equal(cr_conf_load(path, &conf, err, sizeof(err)), 0);
	assert_int_equal(conf.max_body_bytes, 65536);
	assert_int_equal(conf.max_json_depth, 16);
	assert_int_equal(conf.busy_timeout_ms, 5000);
	assert_int_equal(conf.log_level, CR_LOG_INFO);
	cr_conf_free(&conf);
}

static void
errors_name_the_key(void **state)
{
	(void)state;
	assert_non_null(strstr(load_error("key_file = k\n"), "key 'database' is missing"));
	assert_non_null(strstr(load_error("database = d\n"), "key 'key_file' is missing"));
	assert_non_null(strstr(load_error("database = d\nkey_file = k\ndatabse = x\n"),
	    "unknown key 'databse'"));
	assert_non_null(strstr(load_error("database = d\nkey_file = k\nmax_body_bytes = 10\n"),
	    "key 'max_body_bytes' must be a whole number from 1024"));
	assert_non_null(strstr(load_error("database = d\nkey_file = k\nmax_body_bytes = 1k\n"),
	    "max_body_bytes"));
	assert_non_null(strstr(load_error("database = d\nkey_file = k\nmax_json_depth = -1\n"),
	    "max_json_depth"));
	assert_non_null(strstr(load_error("database = d\nkey_file = k\nlog_level = loud\n"),
	    "key 'log_level' must be error, warn, info or debug"));
	assert_non_null(strstr(load_error("database =\nkey_file = k\n"), "key 'database' needs"));
	assert_non_null(strstr(load_error("database d\n"), ":1: expected 'key = value'"));
	assert_non_null(strstr(load_error("\n\nlog_level = x\n"), ":3:"));
}

static void
missing_file_is_reported(void **state)
{
	struct cr_conf conf;
	char err[512];

	(void)state;
	assert_int_equal(cr_conf_load("/nonexistent/connreg.conf", &conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/connreg.conf"));
	cr_conf_free(&conf);
}

static void
path_choice_order(void **state)
{
	(void)state;
	setenv("CONNREG_CONFIG", "/from/env.conf", 1);
	assert_string_equal(cr_conf_choose_path("/from/option.conf"), "/from/option.conf");
	assert_string_equal(cr_conf_choose_path(NULL), "/from/env.conf");
	unsetenv("CONNREG_CONFIG");
	assert_string_equal(cr_conf_choose_path(NULL), CR_DEFAULT_CONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file_loads),
		cmocka_unit_test(defaults_apply),
		cmocka_unit_test(errors_name_the_key),
		cmocka_unit_test(missing_file_is_reported),
		cmocka_unit_test(path_choice_order),
	};

	return cmocka_run_group_tests_name("conf", tests, make_dir, remove_dir);
}
