/* telemetry/buf.h — a growable byte buffer for the renderers (DOT, Prometheus, JSON).
 *
 * Ownership: the buffer owns `data` (malloc); tm_buf_free releases it. Single-threaded: one
 * renderer writes a buffer at a time. Out of memory is sticky: every append after a failed
 * growth is a no-op and `oom` stays set, so a renderer appends freely and checks once.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_BUF_H
#define STEADY_TELEMETRY_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tm_buf {
    char *data; /* NUL-terminated when len > 0 or after any append */
    size_t len, cap;
    bool oom;
} tm_buf;

void tm_buf_reset(tm_buf *b); /* len = 0, keeps the memory */
void tm_buf_free(tm_buf *b);
void tm_buf_put(tm_buf *b, const char *s, size_t n);
void tm_buf_puts(tm_buf *b, const char *s);
void tm_buf_printf(tm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with JSON string escaping (no quotes added). */
void tm_buf_json_str(tm_buf *b, const char *s);
/* Appends s escaped for a DOT double-quoted string ("\"" and "\\"; newlines as "\n"). */
void tm_buf_dot_str(tm_buf *b, const char *s);
/* Appends s escaped for a Prometheus label value (\\, \", \n). */
void tm_buf_prom_str(tm_buf *b, const char *s);

#endif
