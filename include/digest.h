/*
 * SHA-256 digests of files, as lowercase hex: the identity of a delivery's content (the
 * same bytes are loaded once) and of the rule pack that checked it. OpenSSL's libcrypto
 * does the hashing; libpq already depends on it.
 */
#ifndef PLAUSID_DIGEST_H
#define PLAUSID_DIGEST_H

#include "util.h"

#define DIGEST_HEX_LEN 64

/* Hashes fd's content from offset 0 to the end (pread, so the file offset is unchanged). */
_must_check_ int digest_fd(int fd, char ret_hex[DIGEST_HEX_LEN + 1]);
_must_check_ int digest_file(const char *path, char ret_hex[DIGEST_HEX_LEN + 1]);

#endif
