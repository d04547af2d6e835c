/*
 * The markup both HTML reports share (html.h), and their files. One style sheet serves the
 * delivery report and the overview, on screen and printed on A4; it uses system fonts
 * only, so that nothing is fetched and a page looks the same offline. Every text that
 * comes from an export or the database passes html_escape on the way out: a caseworker's
 * text is never markup.
 *
 * The report files hold personal data: mode 0640, a group of the administrator's choice
 * (htmlreport_group_id, public in htmlreport.h), written under a temporary name and
 * renamed when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>

#include "atomicfile.h"
#include "html.h"
#include "htmlreport.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif

void html_escape(FILE *o, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; p && *p; p++) {
                switch (*p) {
                case '&': fputs("&amp;", o); break;
                case '<': fputs("&lt;", o); break;
                case '>': fputs("&gt;", o); break;
                case '"': fputs("&quot;", o); break;
                case '\'': fputs("&#39;", o); break;
                case '\t':
                case '\n': fputc(*p, o); break;
                case '\r': break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fputs("\xEF\xBF\xBD", o);
                        else
                                fputc(*p, o);
                }
        }
}

void html_num(FILE *o, unsigned long n) {
        /* Room for the largest unsigned long of 64 bits and the NUL: snprintf cannot cut. */
        char digits[sizeof("18446744073709551615")];
        _Static_assert(sizeof(unsigned long) <= 8, "digits[] holds 64 bits");
        int len = snprintf(digits, sizeof(digits), "%lu", n);
        for (int i = 0; i < len; i++) {
                if (i > 0 && (len - i) % 3 == 0)
                        fputc('.', o);
                fputc(digits[i], o);
        }
}

void html_pct(FILE *o, unsigned long part, unsigned long whole) {
        if (whole == 0) {
                fputs("–", o);
                return;
        }
        char buf[32];   /* decimal_de's size; a share of at most 100 % needs 6 */
        fprintf(o, "%s&#160;%%", decimal_de(buf, (double) part * 100.0 / (double) whole, false));
}

void html_strftime(FILE *o, time_t t, const char *fmt) {
        /* The formats used are at most 21 characters for a four-digit year; a time that
         * does not fit (a year beyond 9999 and more) gets "–", never a cut text. */
        struct tm tm;
        char buf[64];
        if (!localtime_r(&t, &tm) || strftime(buf, sizeof(buf), fmt, &tm) == 0) {
                fputs("–", o);
                return;
        }
        fputs(buf, o);
}

void html_time(FILE *o, time_t t) {
        html_strftime(o, t, "%d.%m.%Y, %H:%M Uhr");
}

void html_td_num(FILE *o, unsigned long n) {
        fputs("<td class=\"n\">", o);
        html_num(o, n);
        fputs("</td>", o);
}

void html_td_pct(FILE *o, unsigned long part, unsigned long whole) {
        fputs("<td class=\"n\">", o);
        html_pct(o, part, whole);
        fputs("</td>", o);
}

void html_td_text(FILE *o, const char *cls, const char *s) {
        if (cls)
                fprintf(o, "<td class=\"%s\">", cls);
        else
                fputs("<td>", o);
        html_escape(o, s);
        fputs("</td>", o);
}

void html_table_begin(FILE *o, const char *header_cells) {
        fprintf(o, "<table>\n<thead><tr>%s</tr></thead>\n<tbody>\n", header_cells);
}

void html_table_end(FILE *o) {
        fputs("</tbody>\n</table>\n", o);
}

static void style(FILE *o) {
        fputs("<style>\n"
              ":root{--err:#b03a2e;--warn:#b9770e;--file:#6c3483;--ok:#1e8449;--line:#d5d8dc;--muted:#566573}\n"
              "*{box-sizing:border-box}\n"
              "body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;font-size:14px;"
              "line-height:1.45;color:#1b2631;margin:0 auto;max-width:1100px;padding:24px}\n"
              "h1{font-size:22px;margin:0 0 12px}\n"
              "h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}\n"
              "h3{font-size:15px;margin:18px 0 6px}\n"
              "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}\n"
              "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
              ".mono,.id{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",Consolas,monospace}\n"
              ".verdict{padding:10px 14px;border-radius:6px;font-weight:bold;margin:12px 0;border-left:6px solid}\n"
              ".v-ok{background:#e9f7ef;border-color:var(--ok)}.v-bad{background:#fdedec;border-color:var(--err)}"
              ".v-info{background:#eaf2f8;border-color:#2e86c1}\n"
              ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}\n"
              ".card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:160px}\n"
              ".card .num{display:block;font-size:26px;font-weight:bold}.card .lbl{color:var(--muted)}\n"
              "table{border-collapse:collapse;width:100%;margin:8px 0}\n"
              "th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
              "th{background:#f4f6f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
              ".sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}\n"
              ".sev-error{background:var(--err)}.sev-warning{background:var(--warn)}.sev-file{background:var(--file)}\n"
              ".chart{display:block;width:100%;max-width:760px;height:auto;margin:8px 0}\n"
              ".chart text{font-size:12px;fill:#1b2631}.chart .axis{stroke:#aab7b8;stroke-width:1}\n"
              ".chart .trend{fill:none;stroke:var(--err);stroke-width:2}\n"
              ".bar-error{fill:var(--err);background:var(--err)}.bar-warning{fill:var(--warn);background:var(--warn)}"
              ".bar-file{fill:var(--file);background:var(--file)}.bar-ok{fill:var(--ok);background:var(--ok)}\n"
              ".legend .key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px}\n"
              ".rec{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:10px 0}\n"
              ".rec h3{margin:0 0 4px;font-size:14px}.rec ul{margin:4px 0;padding-left:20px}\n"
              "pre.raw{white-space:pre-wrap;word-break:break-all;background:#f8f9f9;border:1px solid var(--line);"
              "padding:6px;margin:6px 0 0;font-size:12px}\n"
              ".muted{color:var(--muted)}\n"
              "footer{margin-top:32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);"
              "padding-top:8px}\n"
              "@media print{body{max-width:none;padding:0;font-size:10pt}h2,h3{break-after:avoid}"
              "tr,.rec,.card,.chart{break-inside:avoid}a{color:inherit;text-decoration:none}"
              ".verdict,.sev,.bar-error,.bar-warning,.bar-file,.bar-ok{-webkit-print-color-adjust:exact;"
              "print-color-adjust:exact}}\n"
              "@page{size:A4;margin:15mm}\n"
              "</style>\n",
              o);
}

void html_begin(FILE *o, const char *prefix, const char *subject) {
        fputs("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"generator\" content=\"plausid " PLAUSID_VERSION "\">\n<title>",
              o);
        fputs(prefix, o);
        html_escape(o, subject);
        fputs("</title>\n", o);
        style(o);
        fputs("</head>\n<body>\n", o);
}

void html_end(FILE *o, time_t now) {
        fputs("</main>\n<footer>Erstellt von plausid " PLAUSID_VERSION " am ", o);
        html_time(o, now);
        fputs(". Dieser Bericht enthält personenbezogene Daten: nur für den Dienstgebrauch, nicht weitergeben."
              "</footer>\n</body>\n</html>\n",
              o);
}

int html_write_file(const char *path, int gid, int (*render)(FILE *o, void *userdata), void *userdata) {
        _cleanup_(atomic_file_abort) struct atomic_file f = {0};
        int r = atomic_file_open(&f, AT_FDCWD, path, 0640, gid);
        if (r < 0)
                return r;
        r = render(f.f, userdata);
        if (r < 0)
                return r;
        if (ferror(f.f))
                return -EIO;
        return atomic_file_commit(&f);
}

int htmlreport_group_id(const char *name, int *ret_gid) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(name, &end, 10);
        if (*name && !*end && errno == 0 && n < (unsigned long) INT32_MAX) {
                *ret_gid = (int) n;
                return 0;
        }
        struct group *g = getgrnam(name);
        if (!g)
                return -ENOENT;
        *ret_gid = (int) g->gr_gid;
        return 0;
}
