/* telemetry/history.c — the history file (history.h): zlib's gzip writer, one JSON line per
 * frame, a sync flush per frame, rotation at half the bound. */
#include "telemetry/history.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { MIN_BYTES = 64 * 1024 };

struct tm_history {
    gzFile f; /* NULL after an error */
    char *path, *older;
    uint64_t half;      /* rotate once the current file reaches this */
    uint64_t all;       /* compressed bytes of files rotated away */
    unsigned unflushed; /* frames written since the last sync flush */
};

/* A sync flush every this many frames (1 s at the default 100 ms frame): each flush costs a
 * few bytes and breaks deflate's matching, which matters when a frame is a few hundred bytes;
 * a crash loses at most these frames. */
enum { FLUSH_EVERY = 10 };

static gzFile open_gz(const char *path)
{
    /* "wb9": best compression (a frame is a few KiB: the CPU cost is small next to its render) */
    return gzopen(path, "wb9");
}

tm_history *tm_history_open(const char *path, uint64_t max_bytes, char *err, size_t errlen)
{
    char scratch[8];
    if (!err || !errlen)
        err = scratch, errlen = sizeof scratch;
    if (!path || !path[0]) {
        snprintf(err, errlen, "telemetry: history_path is empty (NULL turns history off)");
        return NULL;
    }
    tm_history *h = calloc(1, sizeof *h);
    size_t n = strlen(path);
    if (!h || !(h->path = strdup(path)) || !(h->older = malloc(n + 3))) {
        snprintf(err, errlen, "telemetry: out of memory opening the history file");
        tm_history_close(h);
        return NULL;
    }
    snprintf(h->older, n + 3, "%s.1", path);
    h->half = (max_bytes < MIN_BYTES ? MIN_BYTES : max_bytes) / 2;
    errno = 0;
    if (!(h->f = open_gz(path))) {
        snprintf(err, errlen,
                 "telemetry: cannot write the history file %s: %s (set "
                 "history_path to a file in a writable directory)",
                 path, errno ? strerror(errno) : "zlib refused it");
        tm_history_close(h);
        return NULL;
    }
    return h;
}

static int rotate(tm_history *h)
{
    h->all += (uint64_t)gzoffset(h->f);
    int e = gzclose(h->f);
    h->f = NULL;
    if (e != Z_OK || rename(h->path, h->older) != 0)
        return e != Z_OK ? -EIO : -errno;
    errno = 0;
    h->f = open_gz(h->path);
    return h->f ? 0 : -(errno ? errno : ENOMEM);
}

int tm_history_write(tm_history *h, const char *json, size_t len)
{
    if (!h || !h->f)
        return -EBADF;
    if (!json || len > (size_t)1 << 30)
        return -EINVAL;
    if (len && json[len - 1] == '\n')
        len--; /* the snapshot's own line end: the file adds one per frame */
    int e = 0;
    bool flush = ++h->unflushed >= FLUSH_EVERY;
    if (flush)
        h->unflushed = 0;
    if (gzwrite(h->f, json, (unsigned)len) != (int)len || gzputc(h->f, '\n') != '\n' ||
        (flush && gzflush(h->f, Z_SYNC_FLUSH) != Z_OK))
        e = errno ? -errno : -EIO;
    else if ((uint64_t)gzoffset(h->f) >= h->half)
        e = rotate(h);
    if (e && h->f) {
        gzclose(h->f);
        h->f = NULL;
    }
    return e;
}

uint64_t tm_history_bytes(const tm_history *h)
{
    if (!h)
        return 0;
    return h->all + (h->f ? (uint64_t)gzoffset(h->f) : 0);
}

void tm_history_close(tm_history *h)
{
    if (!h)
        return;
    if (h->f)
        gzclose(h->f);
    free(h->path);
    free(h->older);
    free(h);
}
