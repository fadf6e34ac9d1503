/* fmt.c — the view's number formats and the display width of UTF-8 text (view.h).
 *
 * The formats follow the dashboard's (web/fmt.js) so both read the same: three significant
 * digits with K/M/G/T, µs/ms/s for latencies, whole percentages except below 1 (fill) or 10
 * (load). Numbers too big for their unit fall back to %.2e: no format overflows TOP_FMT_LEN.
 *
 * Width: a small table instead of wcwidth(3), which depends on the process locale (under the C
 * locale it knows no character above ASCII), so the same label has the same width everywhere.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

/* x (below 1000 in magnitude) with three significant digits: "400", "40.0", "4.00". */
static void sig3(double x, char *buf, size_t n)
{
    double a = fabs(x);
    snprintf(buf, n, "%.*f", a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2, x);
}

const char *top_fmt_compact(double x, char *buf)
{
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "K"}};
    if (isnan(x) || isinf(x))
        return strcpy(buf, "-");
    double a = fabs(x);
    if (a >= 999.5e12) {
        snprintf(buf, TOP_FMT_LEN, "%.2e", x);
        return buf;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (a >= units[i].scale * 0.9995) { /* 999.7K shows as 1.00M, not 1000K */
            char digits[20];                /* below 1000 */
            sig3(x / units[i].scale, digits, sizeof digits);
            snprintf(buf, TOP_FMT_LEN, "%s%s", digits, units[i].unit);
            return buf;
        }
    }
    if (x == floor(x)) /* a count: 10/s, not 10.0/s */
        snprintf(buf, TOP_FMT_LEN, "%.0f", x);
    else
        sig3(x, buf, TOP_FMT_LEN);
    return buf;
}

const char *top_fmt_rate(double per_s, char *buf)
{
    if (isnan(per_s))
        return strcpy(buf, "-");
    char n[TOP_FMT_LEN];
    top_fmt_compact(per_s, n);
    snprintf(buf, TOP_FMT_LEN, "%.24s/s", n); /* compact is at most 10 characters */
    return buf;
}

const char *top_fmt_seconds(double s, char *buf)
{
    if (isnan(s) || s < 0 || s > 1e9)
        return strcpy(buf, "-");
    if (s == 0)
        return strcpy(buf, "0");
    char n[20]; /* s <= 1e9: at most 10 digits */
    if (s < 1e-6)
        snprintf(buf, TOP_FMT_LEN, "%.0f ns", s * 1e9);
    else if (s < 0.9995e-3)
        sig3(s * 1e6, n, sizeof n), snprintf(buf, TOP_FMT_LEN, "%s µs", n);
    else if (s < 0.9995)
        sig3(s * 1e3, n, sizeof n), snprintf(buf, TOP_FMT_LEN, "%s ms", n);
    else
        sig3(s, n, sizeof n), snprintf(buf, TOP_FMT_LEN, "%s s", n);
    return buf;
}

/* A percentage with one decimal below `below`, whole above. */
static const char *percent(double p, double below, char *buf)
{
    if (isnan(p) || fabs(p) > 1e9)
        return strcpy(buf, "-");
    snprintf(buf, TOP_FMT_LEN, "%.*f%%", p > 0 && p < below ? 1 : 0, p);
    return buf;
}

const char *top_fmt_fill(double fill01, char *buf)
{
    return percent(fill01 * 100, 1, buf);
}

const char *top_fmt_load(double pct, char *buf)
{
    return percent(pct, 10, buf);
}

const char *top_fmt_mcpu(double mcpu, char *buf)
{
    if (isnan(mcpu) || fabs(mcpu) >= 1e6)
        return top_fmt_compact(mcpu, buf);
    snprintf(buf, TOP_FMT_LEN, "%.*f", fabs(mcpu) < 10 ? 1 : 0, mcpu);
    return buf;
}

const char *top_fmt_count(double n, char *buf)
{
    if (isnan(n) || fabs(n) >= 1e6)
        return top_fmt_compact(n, buf);
    snprintf(buf, TOP_FMT_LEN, "%.0f", n);
    return buf;
}

/* ---- display width ---- */

static int char_width(uint32_t c)
{
    if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF ||
        (c >= 0xFE00 && c <= 0xFE0F))
        return 0; /* combining marks, zero-width spaces and joiners, variation selectors */
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
        (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2; /* East Asian wide and fullwidth, emoji */
    return 1;
}

/* The code point at *p (advancing *p); a byte that starts no valid sequence counts as one
 * character (model.c already replaced them, this only keeps the count bounded). */
static uint32_t next_char(const unsigned char **p)
{
    const unsigned char *s = *p;
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 1;
    uint32_t c = n == 1 ? s[0] : s[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return '?';
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    *p = s + n;
    return c;
}

int top_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int w = 0;
    while (*p)
        w += char_width(next_char(&p));
    return w;
}

size_t top__fit_bytes(const char *s, int cols, int *used)
{
    const unsigned char *p = (const unsigned char *)s, *q = p;
    int w = 0;
    while (*q) {
        const unsigned char *r = q;
        int cw = char_width(next_char(&r));
        if (w + cw > cols)
            break;
        w += cw;
        q = r;
    }
    *used = w;
    return (size_t)(q - p);
}
