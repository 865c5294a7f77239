/* SPDX-License-Identifier: MIT */
/* Password encryption key file and AEAD sealing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "secret.h"

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

static int
read_key(const char *path, struct cr_secret_key *key, char *err, size_t err_size)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "key file %s is not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 0007) != 0) {
		snprintf(err, err_size, "key file %s is accessible to other users; run chmod 600 on it",
		    path);
		goto fail;
	}
	if (st.st_size != CR_SECRET_KEY_BYTES) {
		snprintf(err, err_size, "key file %s must hold exactly %d bytes, not %lld", path,
		    CR_SECRET_KEY_BYTES, (long long)st.st_size);
		goto fail;
	}
	n = read(fd, key->bytes, sizeof(key->bytes));
	if (n != (ssize_t)sizeof(key->bytes)) {
		snprintf(err, err_size, "cannot read key file %s", path);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	cr_secret_key_wipe(key);
	return -1;
}

/*
 * Write a new key to a private temporary file, then link it into place:
 * link() fails with EEXIST when another process won the race, and the
 * key file is never seen half written.
 */
static int
create_key(const char *path, char *err, size_t err_size)
{
	unsigned char bytes[CR_SECRET_KEY_BYTES];
	char temp[4096];
	int fd, rc = -1;

	if (snprintf(temp, sizeof(temp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(temp)) {
		snprintf(err, err_size, "key file path is too long");
		return -1;
	}
	fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, err_size, "cannot create key file %s: %s", temp, strerror(errno));
		return -1;
	}
	randombytes_buf(bytes, sizeof(bytes));
	if (write(fd, bytes, sizeof(bytes)) != (ssize_t)sizeof(bytes) || fsync(fd) != 0) {
		snprintf(err, err_size, "cannot write key file %s: %s", temp, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (link(temp, path) != 0 && errno != EEXIST) {
		snprintf(err, err_size, "cannot create key file %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	unlink(temp);
	sodium_memzero(bytes, sizeof(bytes));
	return rc;
}

int
cr_secret_key_load(const char *path, bool create, struct cr_secret_key *key,
    char *err, size_t err_size)
{
	if (sodium_init() < 0) {
		snprintf(err, err_size, "libsodium failed to initialize");
		return -1;
	}
	if (create && access(path, F_OK) != 0 && errno == ENOENT &&
	    create_key(path, err, err_size) != 0)
		return -1;
	return read_key(path, key, err, err_size);
}

void
cr_secret_key_wipe(struct cr_secret_key *key)
{
	sodium_memzero(key->bytes, sizeof(key->bytes));
}

size_t
cr_secret_sealed_size(size_t plain_len)
{
	return NONCE_BYTES + plain_len + TAG_BYTES;
}

void
cr_secret_seal(const struct cr_secret_key *key, const char *context,
    const char *plain, size_t plain_len, unsigned char *out)
{
	randombytes_buf(out, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_BYTES, NULL,
	    (const unsigned char *)plain, plain_len,
	    (const unsigned char *)context, strlen(context), NULL, out, key->bytes);
}

int
cr_secret_open(const struct cr_secret_key *key, const char *context,
    const unsigned char *sealed, size_t sealed_len, char **plain)
{
	unsigned long long plain_len;
	char *text;

	*plain = NULL;
	if (sealed_len < NONCE_BYTES + TAG_BYTES)
		return -1;
	text = malloc(sealed_len - NONCE_BYTES - TAG_BYTES + 1);
	if (text == NULL)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)text, &plain_len, NULL,
	    sealed + NONCE_BYTES, sealed_len - NONCE_BYTES, (const unsigned char *)context,
	    strlen(context), sealed, key->bytes) != 0) {
		free(text);
		return -1;
	}
	text[plain_len] = '\0';
	*plain = text;
	return 0;
}
