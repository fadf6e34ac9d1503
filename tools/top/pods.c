/* pods.c — steady-pods: one view of several pods, joined at their bridges.
 *
 *   steady-pods [--dot | --serve [ADDR:]PORT] [--timeout MS] [--cacert FILE] URL URL...
 *
 * Reads each pod's /snapshot.json (the telemetry every steady graph can serve), finds the
 * bridges between them (an egress in one pod and an ingress in another naming the same place:
 * join.h), and prints the pods and bridges as text, or with --dot as one Graphviz graph: a
 * cluster per pod in its own colour, each bridge a dashed edge with its rate and lag, an actor
 * whose link is down in red. With --serve, a web page of the same, kept current (serve.h).
 * Exit status: 0 when every pod answered, 1 when one did not (the others are still shown), 2
 * for bad arguments; --serve: 0 once stopped by a signal. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "model.h"
#include "serve.h"

#define MAX_PODS 64

static int usage(FILE *out, int rc)
{
    fputs("Usage: steady-pods [--dot | --serve [ADDR:]PORT] [--timeout MS] [--cacert FILE] "
          "URL URL...\n"
          "  URL       a pod's telemetry (http://HOST:PORT, as its 'Telemetry on' line says)\n"
          "  --dot     one Graphviz graph of every pod and bridge (else text)\n"
          "  --serve   a web page of the pods joined (2-D and 3-D), refreshed every second, on\n"
          "            ADDR:PORT (127.0.0.1 by default; port 0: any); Ctrl-C stops it\n"
          "  --timeout how long each pod may take to answer (default 3000 ms)\n"
          "  --cacert  the CA certificates for https:// URLs (PEM)\n",
          out);
    return rc;
}

int main(int argc, char **argv)
{
    bool dot = false;
    long timeout_ms = 3000;
    const char *cacert = NULL, *urls[MAX_PODS], *serve = NULL;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout, 0);
        if (!strcmp(a, "--dot"))
            dot = true;
        else if (!strcmp(a, "--serve") && i + 1 < argc)
            serve = argv[++i];
        else if (!strcmp(a, "--timeout") && i + 1 < argc) {
            char *end;
            errno = 0;
            timeout_ms = strtol(argv[++i], &end, 10);
            if (*end || errno || timeout_ms < 1 || timeout_ms > 600000) {
                fprintf(stderr, "steady-pods: --timeout needs 1 to 600000 ms, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--cacert") && i + 1 < argc)
            cacert = argv[++i];
        else if (a[0] == '-') {
            fprintf(stderr, "steady-pods: unknown option '%s'\n", a);
            return usage(stderr, 2);
        } else if (n == MAX_PODS) {
            fprintf(stderr, "steady-pods: at most %d pods\n", MAX_PODS);
            return 2;
        } else
            urls[n++] = a;
    }
    if (n == 0) {
        fprintf(stderr, "steady-pods: give the pods' telemetry URLs\n");
        return usage(stderr, 2);
    }
    if (dot && serve) {
        fprintf(stderr, "steady-pods: --dot and --serve: choose one\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "steady-pods: libcurl could not start\n");
        return 1;
    }
    if (serve) {
#ifdef TOP_SERVE
        int rc = top_pods_serve(serve, urls, n, cacert, timeout_ms, 1000);
#else
        fprintf(stderr, "steady-pods: built without libmicrohttpd: no --serve (Debian: apt-get "
                        "install libmicrohttpd-dev, and build again)\n");
        int rc = 2;
#endif
        curl_global_cleanup();
        return rc;
    }
    top_pod pods[MAX_PODS];
    char *shown[MAX_PODS] = {0};
    memset(pods, 0, sizeof pods);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        top_pod_read(&pods[i], urls[i], cacert, timeout_ms, &shown[i]);
        if (!pods[i].ok) {
            fprintf(stderr, "steady-pods: %s: %s\n", pods[i].shown, pods[i].why);
            rc = 1;
        }
    }
    top_bridge *b = NULL;
    size_t nb = top_join_bridges(pods, n, &b);
    if (dot)
        top_join_dot(stdout, pods, n, b, nb);
    else
        top_join_text(stdout, pods, n, b, nb);
    free(b);
    for (size_t i = 0; i < n; i++) {
        if (pods[i].ok)
            top_snapshot_free(&pods[i].snap);
        free(shown[i]);
    }
    curl_global_cleanup();
    return rc;
}
