/* SPDX-License-Identifier: MIT */
/*
 * Encryption of stored database passwords with libsodium's
 * XChaCha20-Poly1305 (IETF) AEAD. The 32-byte key lives in a file
 * outside the database, so a copied database reveals no password. A
 * sealed secret is the 24-byte random nonce followed by the ciphertext
 * and its 16-byte tag. The connection id is the associated data, so a
 * sealed password cannot be moved to another connection's row.
 */
#ifndef CR_SECRET_H
#define CR_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define CR_SECRET_KEY_BYTES 32

struct cr_secret_key {
	unsigned char bytes[CR_SECRET_KEY_BYTES];
};

/*
 * Read the key from PATH. When the file is missing and CREATE is true,
 * create it first with mode 0600 and a random key. Concurrent starters
 * agree on one key because the file appears atomically. A key file that
 * others can read, or of the wrong size, is rejected. On failure return
 * -1 with a message in ERR.
 */
int cr_secret_key_load(const char *path, bool create, struct cr_secret_key *key,
    char *err, size_t err_size);

/* Overwrite the key in memory. */
void cr_secret_key_wipe(struct cr_secret_key *key);

/* Size of the sealed form of a PLAIN_LEN-byte secret. */
size_t cr_secret_sealed_size(size_t plain_len);

/*
 * Seal PLAIN into OUT, which has room for cr_secret_sealed_size bytes,
 * binding it to CONTEXT (the connection id).
 */
void cr_secret_seal(const struct cr_secret_key *key, const char *context,
    const char *plain, size_t plain_len, unsigned char *out);

/*
 * Open SEALED into a newly allocated NUL-terminated string in *PLAIN.
 * Return -1 when the data was altered, sealed for another context or
 * under another key.
 */
int cr_secret_open(const struct cr_secret_key *key, const char *context,
    const unsigned char *sealed, size_t sealed_len, char **plain);

#endif
