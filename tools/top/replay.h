/* replay.h — a history file (libsteady-telemetry's history_path: a gzip stream of snapshot
 * JSON lines, docs/reference/telemetry-history.md) loaded for steady-top --replay.
 *
 * PATH.1 (the older half after a rotation), when present, is read first, then PATH. A torn
 * last line (the recorder died mid-frame) is left out. Lines are kept in memory, bounded by
 * TOP_HISTORY_MAX bytes in all.
 */
#ifndef TOP_REPLAY_H
#define TOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOP_HISTORY_MAX ((size_t)2 << 30) /* 2 GiB of JSON: a bound, not a target */

typedef struct top_history {
    char **line; /* NUL-terminated snapshot documents, oldest first */
    size_t *len;
    uint64_t *seq, *mono_ns; /* each line's "seq" and "mono_ns" */
    size_t n;
} top_history;

/* Loads path (and path.1). False with err naming the file and the problem: missing, not
 * gzip, no snapshot lines, over TOP_HISTORY_MAX, out of memory. */
bool top_history_load(const char *path, top_history *h, char *err, size_t errlen);
/* The index of the first frame whose seq is >= seq (h->n when none). */
size_t top_history_find(const top_history *h, uint64_t seq);
/* Milliseconds between frame i and i+1 as recorded, divided by speed, within 1..60000. */
long top_history_gap_ms(const top_history *h, size_t i, double speed);
/* The index of the frame `secs` seconds (of the recording) after i (before, when negative). */
size_t top_history_seek(const top_history *h, size_t i, double secs);
void top_history_free(top_history *h);

#endif
