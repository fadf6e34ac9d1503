/* fetch.h — GET /snapshot.json with libcurl: one connection kept for every refresh.
 *
 * Only http and https; no redirects; TLS verified (against --cacert when given); the body
 * capped at TOP_BODY_MAX; every transfer bounded by a timeout and abandoned early when the
 * caller's `interrupted` says so (Ctrl-C during a slow answer).
 */
#ifndef TOP_FETCH_H
#define TOP_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#define TOP_BODY_MAX (16u << 20) /* 16 MiB: a snapshot of 10,000 actors is about 4 MiB */

typedef enum top_fetch_result {
    TOP_FETCH_OK = 0,
    TOP_FETCH_WAITING,    /* HTTP 503: the server runs but has published no frame yet */
    TOP_FETCH_BAD_STATUS, /* an answer other than 200 and 503 (401, 404...) */
    TOP_FETCH_FAILED,     /* no answer (refused, timed out, TLS...), a body over TOP_BODY_MAX */
} top_fetch_result;

typedef struct top_fetch_opts {
    const char *url;           /* from top_url_normalize */
    const char *userpwd;       /* "user:password" for basic authentication, or NULL */
    const char *cacert;        /* a PEM file of CA certificates, or NULL for the system's */
    long timeout_ms;           /* for the whole transfer */
    bool (*interrupted)(void); /* polled during a transfer; true abandons it (may be NULL) */
} top_fetch_opts;

typedef struct top_fetch top_fetch;

/* Makes a fetcher for o (the strings are copied). NULL when libcurl cannot start (err says
 * why). Call curl_global_init first. */
top_fetch *top_fetch_new(const top_fetch_opts *o, char *err, size_t errlen);

/* One GET. On TOP_FETCH_OK *body and *len are the answer, owned by f and valid until the next call;
 * otherwise err has a one-line reason (libcurl's detail, or the HTTP status and what it means). */
top_fetch_result top_fetch_get(top_fetch *f, const char **body, size_t *len, char *err,
                               size_t errlen);

void top_fetch_free(top_fetch *f);

/* The snapshot URL for what the user typed: a missing scheme is http://, a path that does not
 * end in /snapshot.json gets it appended ("http://h:9900" -> "http://h:9900/snapshot.json").
 * *url is what to fetch, *shown the same without a password (for messages); both malloc'd.
 * Returns false (err: why) for a URL libcurl rejects or a scheme other than http/https. */
bool top_url_normalize(const char *in, char **url, char **shown, char *err, size_t errlen);

#endif
