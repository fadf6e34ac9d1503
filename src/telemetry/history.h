/* telemetry/history.h — the history file: every frame's /snapshot.json, recorded so a run can
 * be replayed as it looked live (steady-top --replay; docs/reference/telemetry-history.md).
 *
 * Format: a gzip stream of JSON lines, one snapshot document (schema version 1) per line,
 * flushed (Z_SYNC_FLUSH) after each frame, so `zcat FILE` reads it and a crash loses at most
 * the frame being written; a torn last line is simply not a line. Consecutive frames differ in
 * their figures only, which deflate's window finds: the file costs tens of bytes per actor or
 * channel per frame (the bench figure is in telemetry-history.md).
 * Bounded and rotated: once the file reaches half of max_bytes it is renamed FILE.1 (replacing
 * an older one) and a new FILE begins, so the two hold at most max_bytes, the older half first.
 *
 * Single-threaded: the collector writes; nothing else touches a writer.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_HISTORY_H
#define STEADY_TELEMETRY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

typedef struct tm_history tm_history;

/* Opens (truncates) path for writing. max_bytes < 64 KiB is raised to 64 KiB. NULL on failure
 * with the cause and the fix in err (a directory that does not exist or cannot be written). */
tm_history *tm_history_open(const char *path, uint64_t max_bytes, char *err, size_t errlen);
/* Appends one document (no newline inside; a trailing one is dropped, one is added) and flushes it
 * to the file. Returns 0, or -errno after an I/O error (the writer is then closed: later calls
 * return -EBADF). */
int tm_history_write(tm_history *h, const char *json, size_t len);
/* Compressed bytes written to the current file and in all (rotations included). */
uint64_t tm_history_bytes(const tm_history *h);
void tm_history_close(tm_history *h); /* NULL: no-op */

#endif
