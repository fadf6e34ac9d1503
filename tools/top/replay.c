/* replay.c — loading and walking a history file (replay.h). */
#define _GNU_SOURCE
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* A top-level number field near the document's start ("seq", "mono_ns"), or 0. */
static uint64_t field(const char *doc, const char *key)
{
    const char *at = strstr(doc, key);
    return at ? strtoull(at + strlen(key), NULL, 10) : 0;
}

static bool push(top_history *h, char *doc, size_t len, size_t *cap)
{
    if (h->n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        char **l = realloc(h->line, c * sizeof *l);
        if (l)
            h->line = l;
        size_t *n = realloc(h->len, c * sizeof *n);
        if (n)
            h->len = n;
        uint64_t *s = realloc(h->seq, c * sizeof *s);
        if (s)
            h->seq = s;
        uint64_t *m = realloc(h->mono_ns, c * sizeof *m);
        if (m)
            h->mono_ns = m;
        if (!l || !n || !s || !m)
            return false;
        *cap = c;
    }
    h->line[h->n] = doc;
    h->len[h->n] = len;
    h->seq[h->n] = field(doc, "\"seq\":");
    h->mono_ns[h->n] = field(doc, "\"mono_ns\":");
    h->n++;
    return true;
}

/* Reads the complete lines of one gzip file; *total counts bytes against the bound. */
static bool load_file(const char *path, top_history *h, size_t *cap, size_t *total, char *err,
                      size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "cannot open");
        return false;
    }
    size_t bufcap = 1 << 16, len = 0;
    char *buf = malloc(bufcap);
    bool ok = buf != NULL;
    for (int c; ok && (c = gzgetc(f)) != -1;) {
        if (len + 1 >= bufcap) {
            char *b = bufcap >= TOP_HISTORY_MAX ? NULL : realloc(buf, bufcap *= 2);
            if (!b) {
                ok = false;
                break;
            }
            buf = b;
        }
        if (c != '\n') {
            buf[len++] = (char)c;
            continue;
        }
        buf[len] = '\0';
        char *doc = len ? strdup(buf) : NULL;
        *total += len;
        if (len && (!doc || *total > TOP_HISTORY_MAX || !push(h, doc, len, cap))) {
            free(doc);
            ok = false;
        }
        len = 0;
    }
    int zerr;
    const char *why = gzerror(f, &zerr);
    if (ok && zerr != Z_OK && zerr != Z_BUF_ERROR) /* Z_BUF_ERROR: a torn end, kept as is */
        snprintf(err, errlen, "%s: not a history file (%s)", path, why), ok = false;
    else if (!ok)
        snprintf(err, errlen, "%s: too large or out of memory (at most %zu bytes of JSON)", path,
                 (size_t)TOP_HISTORY_MAX);
    free(buf);
    gzclose(f);
    return ok;
}

bool top_history_load(const char *path, top_history *h, char *err, size_t errlen)
{
    *h = (top_history){0};
    size_t cap = 0, total = 0;
    char older[4096];
    snprintf(older, sizeof older, "%s.1", path);
    errno = 0;
    bool ok = (access(older, R_OK) != 0 || load_file(older, h, &cap, &total, err, errlen)) &&
              load_file(path, h, &cap, &total, err, errlen);
    if (ok && h->n == 0)
        snprintf(err, errlen, "%s: no frames recorded (is it a history_path file?)", path),
            ok = false;
    if (ok && h->seq[0] == 0)
        snprintf(err, errlen, "%s: not a history file (its lines are not snapshots)", path),
            ok = false;
    if (!ok)
        top_history_free(h);
    return ok;
}

size_t top_history_find(const top_history *h, uint64_t seq)
{
    size_t i = 0;
    while (i < h->n && h->seq[i] < seq)
        i++;
    return i;
}

long top_history_gap_ms(const top_history *h, size_t i, double speed)
{
    if (i + 1 >= h->n || h->mono_ns[i + 1] <= h->mono_ns[i] || speed <= 0)
        return 1;
    double ms = (double)(h->mono_ns[i + 1] - h->mono_ns[i]) / 1e6 / speed;
    return ms < 1 ? 1 : ms > 60000 ? 60000 : (long)ms;
}

size_t top_history_seek(const top_history *h, size_t i, double secs)
{
    if (h->n == 0)
        return 0;
    double target = (double)h->mono_ns[i] + secs * 1e9;
    if (secs >= 0) {
        while (i + 1 < h->n && (double)h->mono_ns[i] < target)
            i++;
    } else {
        while (i > 0 && (double)h->mono_ns[i] > target)
            i--;
    }
    return i;
}

void top_history_free(top_history *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->line[i]);
    free(h->line);
    free(h->len);
    free(h->seq);
    free(h->mono_ns);
    *h = (top_history){0};
}
