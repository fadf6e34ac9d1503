/* serve.c — see serve.h. */
#define _GNU_SOURCE
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "join.h"
#include "telemetry/assets.h"

/* The page loads only its own files; viz.js compiles WebAssembly, nothing evaluates script
 * text; the page never reaches the pods themselves (this server joined them). */
static const char CSP[] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                          "connect-src 'self'; object-src 'none'; base-uri 'none'; "
                          "frame-ancestors 'none'";

/* The latest join, swapped whole by the refreshing thread under mu; the server's thread copies
 * what it serves under mu. */
typedef struct view {
    pthread_mutex_t mu;
    char *json, *dot;
} view;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply(c, status, "text/plain; charset=utf-8",
                 MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT));
}

/* A Host header that names this server by address or as localhost, with or without a port.
 * A DNS name is refused: a page of another site whose name an attacker re-points at 127.0.0.1
 * (DNS rebinding) would otherwise read /pods.json as same-origin. */
static bool host_ok(const char *host)
{
    if (!host || !*host)
        return false;
    char name[256];
    const char *end = host[0] == '[' ? strchr(host, ']') : strrchr(host, ':');
    if (host[0] == '[' && !end)
        return false;
    size_t len = end ? (size_t)(end - host) + (host[0] == '[') : strlen(host);
    const char *port = end ? end + (host[0] == '[') : host + len;
    if (len == 0 || len >= sizeof name || (*port && (*port != ':' || !port[1])))
        return false;
    for (const char *p = *port ? port + 1 : port; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    memcpy(name, host, len);
    name[len] = 0;
    unsigned char a[16];
    if (name[0] == '[') { /* [IPv6] */
        name[len - 1] = 0;
        return inet_pton(AF_INET6, name + 1, a) == 1;
    }
    return !strcasecmp(name, "localhost") || inet_pton(AF_INET, name, a) == 1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **con_cls)
{
    (void)version, (void)upload, (void)upload_len, (void)con_cls;
    view *v = cls;
    if (!host_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
        return text(c, MHD_HTTP_MISDIRECTED_REQUEST,
                    "this Host is not served: reach steady-pods by its address (e.g. "
                    "http://127.0.0.1:PORT/) or as localhost, not by a DNS name\n");
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
    bool json = !strcmp(url, "/pods.json"), dot = !strcmp(url, "/pods.dot");
    if (json || dot) {
        pthread_mutex_lock(&v->mu);
        char *copy = strdup(json ? (v->json ? v->json : "{\"pods\":[],\"bridges\":[]}")
                                 : (v->dot ? v->dot : "digraph pods {}\n"));
        pthread_mutex_unlock(&v->mu);
        if (!copy)
            return text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
        return reply(c, MHD_HTTP_OK, json ? "application/json" : "text/vnd.graphviz; charset=utf-8",
                     MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE));
    }
    const tm_asset *a = tm_asset_find(url);
    if (!a)
        return text(c, MHD_HTTP_NOT_FOUND, "not found; the page is /, its data /pods.json\n");
    return reply(c, MHD_HTTP_OK, a->content_type,
                 MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT));
}

/* Reads every pod, joins them, and swaps the result in. */
static void refresh(view *v, const char *const *urls, size_t n, const char *cacert, long timeout_ms)
{
    top_pod *pods = calloc(n, sizeof *pods);
    char **shown = calloc(n, sizeof *shown);
    if (!pods || !shown) {
        free(pods);
        free(shown);
        return;
    }
    for (size_t i = 0; i < n; i++)
        top_pod_read(&pods[i], urls[i], cacert, timeout_ms, &shown[i]);
    top_bridge *b = NULL;
    size_t nb = top_join_bridges(pods, n, &b);
    char *json = top_join_json(pods, n, b, nb), *dot = NULL;
    size_t dot_len = 0;
    FILE *f = open_memstream(&dot, &dot_len);
    if (f) {
        top_join_dot(f, pods, n, b, nb);
        fclose(f);
    }
    free(b);
    for (size_t i = 0; i < n; i++) {
        if (pods[i].ok)
            top_snapshot_free(&pods[i].snap);
        free(shown[i]);
    }
    free(pods);
    free(shown);
    if (!json || !dot) { /* out of memory: the last view stays */
        free(json);
        free(dot);
        return;
    }
    pthread_mutex_lock(&v->mu);
    char *old_json = v->json, *old_dot = v->dot;
    v->json = json;
    v->dot = dot;
    pthread_mutex_unlock(&v->mu);
    free(old_json);
    free(old_dot);
}

/* "PORT" or "ADDR:PORT" into sa; false when it is neither. */
static bool parse_listen(const char *listen, struct sockaddr_in *sa)
{
    *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const char *colon = strrchr(listen, ':'), *port = colon ? colon + 1 : listen;
    if (colon) {
        char addr[64];
        size_t len = (size_t)(colon - listen);
        if (len == 0 || len >= sizeof addr)
            return false;
        memcpy(addr, listen, len);
        addr[len] = 0;
        if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
            return false;
    }
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (!*port || *end || errno || p < 0 || p > 65535)
        return false;
    sa->sin_port = htons((uint16_t)p);
    return true;
}

int top_pods_serve(const char *listen, const char *const *urls, size_t n, const char *cacert,
                   long timeout_ms, long period_ms)
{
    struct sockaddr_in sa;
    if (!parse_listen(listen, &sa)) {
        fprintf(stderr,
                "steady-pods: --serve takes PORT or ADDR:PORT (an IPv4 address, a port from 0 "
                "to 65535), not '%s'\n",
                listen);
        return 2;
    }
    view v = {.mu = PTHREAD_MUTEX_INITIALIZER};
    refresh(&v, urls, n, cacert, timeout_ms); /* the first request already has a view */
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer,
                                            &v, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                            MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!d || !info) {
        fprintf(stderr, "steady-pods: cannot serve on %s (the port is taken, or not allowed)\n",
                listen);
        if (d)
            MHD_stop_daemon(d);
        free(v.json);
        free(v.dot);
        return 1;
    }
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
    printf("steady-pods: %zu pods joined on http://%s:%u/ (Ctrl-C stops)\n", n, addr,
           (unsigned)info->port);
    fflush(stdout);
    struct sigaction act = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, &old_int);
    sigaction(SIGTERM, &act, &old_term);
    while (!stop_requested) {
        for (long slept = 0; slept < period_ms && !stop_requested; slept += 50)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
        if (!stop_requested)
            refresh(&v, urls, n, cacert, timeout_ms);
    }
    MHD_stop_daemon(d);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(v.json);
    free(v.dot);
    return 0;
}
