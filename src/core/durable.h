/* core/durable.h — durable state files (durable.c).
 *
 * File format and atomic replacement: see durable.c. The functions may be called from any
 * thread, but never concurrently for the same path.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_DURABLE_H
#define STEADY_CORE_DURABLE_H

#include "core/base.h"

typedef enum steady__load_result {
    STEADY__STATE_LOADED = 0, /* block holds the saved state */
    STEADY__STATE_MISSING,    /* no file at path: block untouched */
    STEADY__STATE_INVALID,    /* a file that is not a valid block of this size: untouched */
} steady__load_result;
/* Reads `path` into block when it holds a valid saved block of exactly `size` bytes. When it
 * does not, block is left as it was and `why` (cap bytes, NUL-terminated) says why: missing,
 * unreadable, truncated, wrong magic/version, size mismatch, checksum mismatch. */
steady__load_result steady__durable_load(const char *path, void *block, size_t size, char *why,
                                         size_t cap);
/* Saves block atomically: a temporary file in the same directory, written whole, fsync'ed,
 * renamed over `path`, then the directory fsync'ed. A crash at any point leaves the previous
 * file or the new one. STEADY_OK, or STEADY_ESYS with a steady__fail detail naming the path,
 * the step and strerror. */
steady_err steady__durable_store(const char *path, const void *block, size_t size);

/* Removes the temporary files that stores of `path` left unfinished: `<path>.tmp.<pid>.<n>` of
 * process `pid`, or (pid 0) of every process that no longer exists. Logs and returns how
 * many. Main at start (before loading), the warden after a child's death. */
unsigned steady__durable_sweep(const char *path, pid_t pid);

#endif
