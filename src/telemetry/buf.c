/* telemetry/buf.c — see buf.h. */
#include "telemetry/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(tm_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void tm_buf_reset(tm_buf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->data)
        b->data[0] = '\0';
}

void tm_buf_free(tm_buf *b)
{
    free(b->data);
    *b = (tm_buf){0};
}

void tm_buf_put(tm_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tm_buf_puts(tm_buf *b, const char *s)
{
    tm_buf_put(b, s, strlen(s));
}

void tm_buf_printf(tm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        tm_buf_put(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tm_buf_json_str(tm_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            tm_buf_put(b, e, 2);
        } else if (*p < 0x20) {
            tm_buf_printf(b, "\\u%04x", *p);
        } else {
            tm_buf_put(b, (const char *)p, 1);
        }
    }
}

static void put_escaped(tm_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', *p};
            tm_buf_put(b, e, 2);
        } else if (*p == '\n') {
            tm_buf_put(b, "\\n", 2);
        } else {
            tm_buf_put(b, p, 1);
        }
    }
}

void tm_buf_dot_str(tm_buf *b, const char *s)
{
    put_escaped(b, s);
}

void tm_buf_prom_str(tm_buf *b, const char *s)
{
    put_escaped(b, s);
}
