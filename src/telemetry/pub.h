/* telemetry/pub.h — what the HTTP server serves: the latest rendered bytes of each route,
 * published by the collector once per frame and read by the server's threads.
 *
 * A blob is immutable once published and reference-counted: the collector publishes a new one
 * and drops its reference to the old; a response being sent keeps its own reference, so a slow
 * client never holds up the collector and is never served bytes that change under it.
 *
 * Thread-safety: tm_pub_set and tm_pub_get may be called from any thread; they hold a mutex
 * for a pointer swap and a reference count only (never during rendering or I/O). Blob
 * references are atomic counts.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_PUB_H
#define STEADY_TELEMETRY_PUB_H

#include <stddef.h>
#include <stdint.h>

typedef enum tm_route {
    TM_ROUTE_DOT = 0,  /* /graph.dot      text/vnd.graphviz */
    TM_ROUTE_METRICS,  /* /metrics        text/plain; version=0.0.4 */
    TM_ROUTE_SNAPSHOT, /* /snapshot.json  application/json */
    TM_ROUTE_CONFIG,   /* /config         application/json */
    TM_N_ROUTES
} tm_route;

typedef struct tm_blob tm_blob;

/* A new blob holding a copy of data[0..len) with one reference (the caller's); NULL when out
 * of memory. content_type must be a string literal (not copied). */
tm_blob *tm_blob_new(const char *content_type, const void *data, size_t len, uint64_t seq);
void tm_blob_ref(tm_blob *b);
void tm_blob_unref(tm_blob *b); /* NULL: no-op; the last reference frees it */
const void *tm_blob_data(const tm_blob *b);
size_t tm_blob_len(const tm_blob *b);
const char *tm_blob_type(const tm_blob *b);
uint64_t tm_blob_seq(const tm_blob *b); /* the frame it was rendered from */

typedef struct tm_pub tm_pub;

tm_pub *tm_pub_new(void);    /* NULL when out of memory */
void tm_pub_free(tm_pub *p); /* drops the published blobs (responses in flight keep theirs) */
/* Publishes b for route r, taking over the caller's reference; the previous blob's reference
 * is dropped. b NULL unpublishes (the route answers 503 until the next publication). */
void tm_pub_set(tm_pub *p, tm_route r, tm_blob *b);
/* A new reference to route r's blob (tm_blob_unref it when done), or NULL if none yet. */
tm_blob *tm_pub_get(tm_pub *p, tm_route r);

#endif
