/* view.h — a top_snapshot as lines of text: pure functions of the snapshot and the options.
 *
 * A frame is: a header line (graph, state, frame number, total rate, window), a bottleneck line,
 * the actors (sorted by load, mCPU or name) and the channels (sorted by rate), then an optional
 * status line. Every line fits `width` display columns (UTF-8 aware; wide characters count 2)
 * and the frame fits `height` rows: a section that does not fit ends with "+N more ...".
 * With `color`, ANSI SGR sequences colour rows by their colour field; without it the text has no
 * escape sequence at all (what --once prints).
 */
#ifndef TOP_VIEW_H
#define TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

typedef enum top_sort { TOP_SORT_LOAD, TOP_SORT_MCPU, TOP_SORT_NAME } top_sort;

typedef struct top_view_opts {
    int width;          /* display columns per line; 0: no limit */
    int height;         /* rows for the whole frame; 0: no limit */
    bool color;         /* ANSI colours */
    top_sort sort;      /* the actors' order (channels are always by rate) */
    const char *status; /* a last line (e.g. "server not answering"), NULL for none */
} top_view_opts;

/* A growing text buffer: lines ending in '\n'. oom is set (and text dropped) when an allocation
 * failed. The caller owns buf and frees it with top_text_free. */
typedef struct top_text {
    char *buf;
    size_t len, cap;
    size_t lines;
    bool oom;
} top_text;

void top_text_free(top_text *t);

/* Appends the frame for s (NULL: no snapshot yet, only the status line) to out. */
void top_view_render(const top_snapshot *s, const top_view_opts *o, top_text *out);

/* Number formats; each writes a NUL-terminated string into buf (TOP_FMT_LEN bytes) and returns
 * buf; NAN (absent) gives "-". */
#define TOP_FMT_LEN 32
const char *top_fmt_compact(double x, char *buf);   /* 3 significant digits, K/M/G/T: "400K" */
const char *top_fmt_rate(double per_s, char *buf);  /* "400K/s" */
const char *top_fmt_seconds(double s, char *buf);   /* "40.0 µs", "2.00 ms", "1.50 s" */
const char *top_fmt_fill(double fill01, char *buf); /* 0..1 as a percentage: "97%" */
const char *top_fmt_load(double pct, char *buf);    /* already a percentage: "37%", "1.0%" */
const char *top_fmt_mcpu(double mcpu, char *buf);   /* "960", "2.0" */
const char *top_fmt_count(double n, char *buf);     /* "1024", compact from a million on */

/* Display columns of the UTF-8 string s (combining marks 0, East Asian wide characters 2). */
int top_display_width(const char *s);

/* Internal (view.c): the bytes of s that fit in `cols` columns; *used gets their width. */
size_t top__fit_bytes(const char *s, int cols, int *used);

#endif
