/* serve.h — steady-pods --serve: the joined view of several pods as a web page.
 *
 * One process joins the pods (their telemetry sends no CORS headers by design, so a page could
 * not fetch them itself): every period it reads each pod's /snapshot.json, joins them at their
 * bridges (join.h) and keeps the result, which its HTTP server (libmicrohttpd, its own thread)
 * serves: /pods.json, /pods.dot, and the page (/) with a 2-D view (the DOT laid out in the
 * browser by @viz-js/viz) and a 3-D view (three.js: a layer per pod, the bridges between
 * layers). The page's files are embedded in the program (pods_assets.c, generated; the table
 * of src/telemetry/assets.h). */
#ifndef TOP_SERVE_H
#define TOP_SERVE_H

#include <stddef.h>

/* Serves until SIGINT or SIGTERM. listen is "PORT" or "ADDR:PORT" (ADDR an IPv4 address,
 * 127.0.0.1 by default; PORT 0: one the kernel picks); the URL is printed on stdout once the
 * server listens. Returns the exit status: 0 after a signal, 1 when the server cannot start
 * (the reason on stderr), 2 for a bad listen argument. */
int top_pods_serve(const char *listen, const char *const *urls, size_t n, const char *cacert,
                   long timeout_ms, long period_ms);

#endif
