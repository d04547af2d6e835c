/*
 * Text decoding: every line reaches the parsers in UTF-8. Plain ASCII, the common case,
 * passes untouched; UTF-8 is validated; the single-byte encodings go through iconv. Bytes
 * the encoding does not define become U+FFFD and mark the record (S04).
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include "reader_impl.h"

const char *text_iconv_name(enum reader_encoding e) {
        switch (e) {
        case READER_ENCODING_ISO_8859_15:
                return "ISO-8859-15";
        case READER_ENCODING_ISO_8859_1:
                return "ISO-8859-1";
        default:
                return "WINDOWS-1252";
        }
}

/* Length of the valid UTF-8 sequence at p (1–4), or 0 when it is invalid (overlong forms,
 * surrogates, beyond U+10FFFF, truncated). NUL is valid UTF-8 here: it says nothing about
 * the encoding, and the decoders replace it. */
static size_t utf8_sequence(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
        if (c < 0x80)
                return 1;
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
                len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0)
                        lo = 0xA0;
                else if (c == 0xED)
                        hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0)
                        lo = 0x90;
                else if (c == 0xF4)
                        hi = 0x8F;
        } else
                return 0;
        if (n < len || p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (p[i] < 0x80 || p[i] > 0xBF)
                        return 0;
        return len;
}

bool text_utf8_valid(const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t l = utf8_sequence(p + i, n - i);
                if (!l)
                        return false;
                i += l;
        }
        return true;
}

const char reader_replacement[4] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Copies UTF-8 input into r->decoded, replacing every invalid byte and every NUL (which
 * would cut a C string) by U+FFFD. */
int text_decode_utf8(struct reader *r, const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t l = p[i] ? utf8_sequence(p + i, n - i) : 0;
                int e;
                if (l) {
                        e = strbuf_append(&r->decoded, p + i, l);
                        i += l;
                } else {
                        r->bad_encoding = true;
                        e = strbuf_append(&r->decoded, reader_replacement, 3);
                        i++;
                }
                if (e < 0)
                        return e;
        }
        return 0;
}

/* Converts a single-byte encoding with iconv; bytes that the encoding leaves undefined
 * become U+FFFD and mark the record. */
static int iconv_piece(struct reader *r, const unsigned char *p, size_t n) {
        int e = strbuf_reserve(&r->decoded, n * 3 + 3);
        if (e < 0)
                return e;
        char *in = (char *) p;
        size_t inleft = n;
        while (inleft > 0) {
                char *out = r->decoded.data + r->decoded.len;
                size_t outleft = r->decoded.cap - r->decoded.len - 1;
                size_t rc = iconv(r->cd, &in, &inleft, &out, &outleft);
                r->decoded.len = (size_t) (out - r->decoded.data);
                if (rc != (size_t) -1)
                        break;
                if (errno == E2BIG) {
                        e = strbuf_reserve(&r->decoded, inleft * 3 + 3);
                } else {
                        /* EILSEQ or EINVAL: an undefined byte. */
                        r->bad_encoding = true;
                        in++;
                        inleft--;
                        e = strbuf_reserve(&r->decoded, inleft * 3 + 3);
                        if (e >= 0) {
                                memcpy(r->decoded.data + r->decoded.len, reader_replacement, 3);
                                r->decoded.len += 3;
                        }
                }
                if (e < 0)
                        return e;
        }
        r->decoded.data[r->decoded.len] = 0;
        return 0;
}

/* Converts a single-byte encoding with iconv; bytes that the encoding leaves undefined, and
 * NUL (which both encodings map to NUL, cutting a C string), become U+FFFD and mark the
 * record. */
int text_decode_single_byte(struct reader *r, const unsigned char *p, size_t n) {
        if (r->cd == (iconv_t) -1) {
                r->cd = iconv_open("UTF-8", text_iconv_name(r->encoding));
                if (r->cd == (iconv_t) -1)
                        return -errno;
        }
        for (;;) {
                const unsigned char *nul = memchr(p, 0, n);
                size_t piece = nul ? (size_t) (nul - p) : n;
                int e = iconv_piece(r, p, piece);
                if (e < 0 || !nul)
                        return e;
                r->bad_encoding = true;
                e = strbuf_append(&r->decoded, reader_replacement, 3);
                if (e < 0)
                        return e;
                p += piece + 1;
                n -= piece + 1;
        }
}
