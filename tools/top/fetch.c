/* fetch.c — libcurl behind fetch.h: one easy handle, reused so that the connection stays open
 * between refreshes; the URL through libcurl's own parser (curl_url), not a hand-written one.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct top_fetch {
    CURL *curl;
    top_fetch_opts opts; /* url, userpwd and cacert point at copies owned here */
    char *body;
    size_t len, cap;
    bool too_big; /* the write callback refused the body: over TOP_BODY_MAX */
    char curl_err[CURL_ERROR_SIZE];
};

static size_t on_data(char *data, size_t size, size_t n, void *user)
{
    top_fetch *f = user;
    size_t add = size * n;
    if (add > TOP_BODY_MAX - f->len) {
        f->too_big = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (f->len + add + 1 > f->cap) {
        size_t cap = f->cap ? f->cap : 65536;
        while (cap < f->len + add + 1)
            cap *= 2;
        char *body = realloc(f->body, cap);
        if (!body)
            return 0;
        f->body = body, f->cap = cap;
    }
    memcpy(f->body + f->len, data, add);
    f->len += add;
    f->body[f->len] = '\0';
    return add;
}

static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const top_fetch *f = user;
    return f->opts.interrupted && f->opts.interrupted() ? 1 : 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bool configure(top_fetch *f)
{
    CURL *c = f->curl;
    long connect_ms = f->opts.timeout_ms < 3000 ? f->opts.timeout_ms : 3000;
    bool ok = curl_easy_setopt(c, CURLOPT_URL, f->opts.url) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 deprecates the bitmask */
    ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
#else
    ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) ==
                   CURLE_OK;
#endif
    ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, f->opts.timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TOP_BODY_MAX) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, f) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_XFERINFODATA, f) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->curl_err) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "steady-top/" TOP_VERSION) == CURLE_OK;
    if (f->opts.userpwd) {
        ok = ok && curl_easy_setopt(c, CURLOPT_USERPWD, f->opts.userpwd) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK;
    }
    if (f->opts.cacert)
        ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, f->opts.cacert) == CURLE_OK;
    return ok;
}

top_fetch *top_fetch_new(const top_fetch_opts *o, char *err, size_t errlen)
{
    top_fetch *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->opts = *o;
    f->opts.url = dup_or_null(o->url);
    f->opts.userpwd = dup_or_null(o->userpwd);
    f->opts.cacert = dup_or_null(o->cacert);
    f->curl = curl_easy_init();
    if (!f->curl || !f->opts.url || !configure(f)) {
        snprintf(err, errlen, "libcurl could not be set up (%s)",
                 f->curl ? "an option was refused" : "out of memory");
        top_fetch_free(f);
        return NULL;
    }
    return f;
}

/* A reason for a status other than 200. */
static top_fetch_result http_status(long code, char *err, size_t errlen)
{
    if (code == 503) {
        snprintf(err, errlen,
                 "HTTP 503: the graph is served but has no frame yet "
                 "(waiting for the first frame)");
        return TOP_FETCH_WAITING;
    }
    if (code == 401)
        snprintf(err, errlen,
                 "HTTP 401: the server wants a user and password (--user U:P), "
                 "or refused the ones given");
    else if (code == 404)
        snprintf(err, errlen,
                 "HTTP 404: no /snapshot.json here (is this a steady graph's "
                 "telemetry address?)");
    else
        snprintf(err, errlen, "HTTP %ld from the server", code);
    return TOP_FETCH_BAD_STATUS;
}

top_fetch_result top_fetch_get(top_fetch *f, const char **body, size_t *len, char *err,
                               size_t errlen)
{
    f->len = 0;
    f->too_big = false;
    f->curl_err[0] = '\0';
    CURLcode rc = curl_easy_perform(f->curl);
    if (rc != CURLE_OK) {
        if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED)
            snprintf(err, errlen,
                     "the answer is larger than %u MiB, far more than a snapshot "
                     "(is this a steady graph's telemetry address?)",
                     TOP_BODY_MAX >> 20);
        else if (rc == CURLE_ABORTED_BY_CALLBACK)
            snprintf(err, errlen, "interrupted");
        else
            snprintf(err, errlen, "%s", f->curl_err[0] ? f->curl_err : curl_easy_strerror(rc));
        return TOP_FETCH_FAILED;
    }
    long code = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200)
        return http_status(code, err, errlen);
    *body = f->body ? f->body : "";
    *len = f->len;
    return TOP_FETCH_OK;
}

void top_fetch_free(top_fetch *f)
{
    if (!f)
        return;
    if (f->curl)
        curl_easy_cleanup(f->curl);
    free((char *)f->opts.url), free((char *)f->opts.userpwd), free((char *)f->opts.cacert);
    free(f->body);
    free(f);
}

/* ---- the URL ---- */

static bool url_fail(CURLU *h, CURLUcode rc, const char *in, char *err, size_t errlen)
{
    snprintf(err, errlen, "bad URL '%s': %s", in, curl_url_strerror(rc));
    curl_url_cleanup(h);
    return false;
}

/* The path with /snapshot.json appended unless it ends in it already; malloc'd. */
static char *snapshot_path(const char *path)
{
    static const char leaf[] = "snapshot.json";
    size_t n = strlen(path), l = sizeof leaf - 1;
    if (n >= l + 1 && strcmp(path + n - l - 1, "/snapshot.json") == 0)
        return strdup(path);
    char *out = malloc(n + l + 2);
    if (out)
        snprintf(out, n + l + 2, "%s%s%s", path, n && path[n - 1] == '/' ? "" : "/", leaf);
    return out;
}

bool top_url_normalize(const char *in, char **url, char **shown, char *err, size_t errlen)
{
    *url = *shown = NULL;
    CURLU *h = curl_url();
    char *scheme = NULL, *path = NULL, *full = NULL;
    if (!h)
        return url_fail(h, CURLUE_OUT_OF_MEMORY, in, err, errlen);
    CURLUcode rc = curl_url_set(h, CURLUPART_URL, in, CURLU_GUESS_SCHEME);
    if (!rc)
        rc = curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
    if (rc)
        return url_fail(h, rc, in, err, errlen);
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(err, errlen, "bad URL '%s': steady-top speaks http:// and https://, not %s://", in,
                 scheme);
        curl_free(scheme);
        curl_url_cleanup(h);
        return false;
    }
    curl_free(scheme);
    rc = curl_url_get(h, CURLUPART_PATH, &path, 0);
    char *fixed = rc ? NULL : snapshot_path(path);
    curl_free(path);
    if (!rc)
        rc = fixed ? curl_url_set(h, CURLUPART_PATH, fixed, 0) : CURLUE_OUT_OF_MEMORY;
    free(fixed);
    if (!rc)
        rc = curl_url_get(h, CURLUPART_URL, &full, 0);
    if (!rc)
        rc = curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);
    char *without = NULL;
    if (!rc)
        rc = curl_url_get(h, CURLUPART_URL, &without, 0);
    if (!rc) {
        *url = strdup(full);
        *shown = strdup(without);
    }
    curl_free(full), curl_free(without);
    if (rc)
        return url_fail(h, rc, in, err, errlen);
    curl_url_cleanup(h);
    return *url && *shown;
}
