/* telemetry/http.h — the telemetry HTTP server, on libmicrohttpd.
 *
 * Routes (GET and HEAD only: 405 with an Allow header otherwise; 404 for any other path):
 *   /graph.dot /metrics /snapshot.json /config   the latest published blob (pub.h); 503 before
 *                                                the first frame
 *   /healthz                                     "ok\n", text/plain
 *   / and the dashboard's files                  assets.h
 * Every response: Cache-Control: no-store, X-Content-Type-Options: nosniff, a
 * Content-Security-Policy that allows only same-origin scripts plus 'wasm-unsafe-eval' (the
 * layout engine is WebAssembly) and no Access-Control-Allow-Origin header at all (same-origin
 * only; no wildcard CORS).
 * Host check (DNS rebinding): a request whose Host header is not one of localhost, 127.0.0.1,
 * [::1] (each with or without the port), the bound address, or cfg.allowed_hosts gets 421.
 * Limits: connection count, connections per IP, a per-connection timeout and a header-size
 * limit (431 or a closed connection beyond it), so slow or hostile clients cost the server a
 * bounded number of connections and never block the collector or an actor (the server's
 * threads only copy published blobs by reference).
 *
 * Threads: libmicrohttpd's internal thread pool (cfg.threads, default 2), created by
 * tm_http_start and joined by tm_http_stop; never a thread per request.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_HTTP_H
#define STEADY_TELEMETRY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telemetry/pub.h"

typedef struct tm_http_config {
    const char *addr; /* IPv4 or IPv6 literal to bind; NULL: "127.0.0.1" */
    uint16_t port;    /* 0: an ephemeral port (tm_http_port tells which) */
    bool port_walk;   /* the port is busy: try port+1 ... port+255 (the default port only) */
    const char *const *allowed_hosts; /* extra Host values accepted ("name" or "name:port") */
    size_t n_allowed_hosts;
    const char *tls_cert_path; /* PEM files: both set turns HTTPS on (GnuTLS via MHD) */
    const char *tls_key_path;
    const char *basic_user; /* both set: every route asks for HTTP basic authentication */
    const char *basic_password;
    unsigned threads;      /* 0: 2 */
    unsigned conn_limit;   /* 0: 512 */
    unsigned per_ip_limit; /* 0: 256 (200 slow clients from one address fit) */
    unsigned timeout_s;    /* 0: 10 (idle connection timeout) */
    size_t header_limit;   /* 0: 8192 bytes of request headers */
} tm_http_config;

typedef struct tm_http tm_http;

/* Starts the server. NULL on failure, with a message naming the cause and the fix in err
 * (address not local, port busy, TLS files unreadable, MHD refused an option...). */
tm_http *tm_http_start(const tm_http_config *cfg, tm_pub *pub, char *err, size_t errlen);
uint16_t tm_http_port(const tm_http *h); /* the bound port */
bool tm_http_is_tls(const tm_http *h);
/* Stops accepting, ends the connections, joins the threads, frees. NULL: no-op. */
void tm_http_stop(tm_http *h);

#endif
