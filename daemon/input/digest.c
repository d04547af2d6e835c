/*
 * SHA-256 through OpenSSL's EVP interface (see digest.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"

static void evp_md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}

int digest_fd(int fd, char ret_hex[DIGEST_HEX_LEN + 1]) {
        enum { CHUNK = 1 << 20 };
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_(freep) unsigned char *buf = malloc(CHUNK);
        if (!ctx || !buf)
                return -ENOMEM;
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                return -EIO;
        for (off_t off = 0;;) {
                ssize_t n = pread(fd, buf, CHUNK, off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                if (EVP_DigestUpdate(ctx, buf, (size_t) n) != 1)
                        return -EIO;
                off += n;
        }
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len * 2 != DIGEST_HEX_LEN)
                return -EIO;
        for (unsigned i = 0; i < len; i++)
                sprintf(ret_hex + 2 * i, "%02x", md[i]);
        return 0;
}

int digest_file(const char *path, char ret_hex[DIGEST_HEX_LEN + 1]) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return digest_fd(fd, ret_hex);
}
