/*
 * The Strategiekarte's numbers (strategiekarte_model.h): a view's value, as the server
 * wrote it, rounded to what the report shows. The rounding works on the decimal text, not
 * on a double: 0.0125 is 1,3 % as round(0.0125 * 100, 1) says in SQL, where a double
 * (1.2499999...) would print 1,2 % -- and the tests compare the report with the views.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strategiekarte_model.h"

/* Digits of a number with the decimal point at point (digits before it). */
struct digits {
        char d[48];
        int n, point;
        bool negative;
};

/* "[-]d+[.d*]" into x; false for anything else (NaN, an exponent, too long). */
static bool parse_plain(const char *s, struct digits *x) {
        *x = (struct digits) {.negative = *s == '-'};
        if (*s == '-' || *s == '+')
                s++;
        if (!isdigit((unsigned char) *s))
                return false;
        for (; isdigit((unsigned char) *s); s++) {
                if (x->n >= (int) sizeof(x->d) - 8)
                        return false;
                x->d[x->n++] = *s;
        }
        x->point = x->n;
        if (*s == '.')
                for (s++; isdigit((unsigned char) *s); s++)
                        if (x->n < (int) sizeof(x->d) - 8)
                                x->d[x->n++] = *s;      /* digits far behind the point cannot matter */
        return *s == '\0';
}

/* Rounds x to keep decimals after the point, half away from zero, and writes it. */
static void round_digits(struct digits *x, int decimals, char buf[64]) {
        int keep = x->point + decimals;
        while (x->n < keep)
                x->d[x->n++] = '0';
        bool up = x->n > keep && x->d[keep] >= '5';
        x->n = keep;
        for (int i = keep - 1; up && i >= 0; i--) {
                up = x->d[i] == '9';
                x->d[i] = up ? '0' : (char) (x->d[i] + 1);
        }
        if (up) {       /* 99.96 -> 100.0 */
                memmove(x->d + 1, x->d, (size_t) x->n);
                x->d[0] = '1';
                x->n++;
                x->point++;
        }
        int first = 0;  /* leading zeros of the integer part, one kept */
        while (first < x->point - 1 && x->d[first] == '0')
                first++;
        bool zero = true;
        for (int i = first; i < x->n; i++)
                zero = zero && x->d[i] == '0';
        char *p = buf;
        if (x->negative && !zero)
                *p++ = '-';
        for (int i = first; i < x->n; i++) {
                if (i == x->point)
                        *p++ = '.';
                *p++ = x->d[i];
        }
        *p = '\0';
}

int sk_round(const char *raw, enum sk_fmt fmt, char buf[64]) {
        int shift = fmt == SK_SHARE ? 2 : 0, decimals = fmt == SK_INT ? 0 : 1;
        struct digits x;
        if (!raw)
                return -EBADMSG;
        if (!parse_plain(raw, &x)) {
                /* A double the server wrote with an exponent ("1.5e-05"): rounded as a double. */
                char *end;
                double v = strtod(raw, &end);
                if (!*raw || *end || v != v || v > 1e15 || v < -1e15)
                        return -EBADMSG;
                snprintf(buf, 64, "%.*f", decimals, shift ? v * 100.0 : v);
                return 0;
        }
        x.point += shift;
        while (x.point > x.n)
                x.d[x.n++] = '0';
        round_digits(&x, decimals, buf);
        return 0;
}

int sk_format_de(const char *raw, enum sk_fmt fmt, char buf[80]) {
        char plain[64];
        int r = sk_round(raw, fmt, plain);
        if (r < 0)
                return r;
        const char *s = plain, *dot = strchr(plain, '.');
        size_t intlen = dot ? (size_t) (dot - plain) : strlen(plain);
        char *p = buf;
        if (*s == '-') {
                *p++ = *s++;
                intlen--;
        }
        for (size_t i = 0; i < intlen; i++) {
                if (i > 0 && (intlen - i) % 3 == 0)
                        *p++ = '.';
                *p++ = s[i];
        }
        if (dot) {
                *p++ = ',';
                strcpy(p, dot + 1);
                p += strlen(p);
        }
        if (fmt == SK_SHARE || fmt == SK_PERCENT)
                strcpy(p, "\xC2\xA0%");  /* U+00A0: the sign stays with the number */
        else
                *p = '\0';
        return 0;
}
