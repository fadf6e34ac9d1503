/* telemetry/http.c — the server's life: the listening socket (bound here, so a busy port and
 * a foreign address are reported exactly and the default port can walk), TLS material, and
 * libmicrohttpd's daemon with its own thread pool (never a thread per request). Requests are
 * handled in http_serve.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "telemetry/http_int.h"

/* Defaults (http.h): enough connections for a dashboard, a scraper and 200 slow clients from
 * one address (the bench row holds that many from 127.0.0.1). */
enum { DEF_THREADS = 2, DEF_CONNS = 512, DEF_PER_IP = 256, DEF_TIMEOUT_S = 10 };
enum { DEF_HEADER_LIMIT = 8192, PORT_WALK = 256 };

static void free_http(tm_http *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_allowed; i++)
        free(h->allowed[i]);
    free(h->allowed);
    free(h->addr);
    free(h->user);
    free(h->password);
    free(h->cert_pem);
    free(h->key_pem);
    free(h);
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;
    *oom |= s && !d;
    return d;
}

/* The whole file as a NUL-terminated string (MHD takes PEM text), or NULL with errno set. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            char *n = cap > (1u << 20) ? NULL : realloc(s, cap += 8192);
            if (!n) {
                errno = cap > (1u << 20) ? EFBIG : ENOMEM;
                break;
            }
            s = n;
        }
        size_t got = fread(s + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            s[len] = '\0';
            fclose(f);
            return s;
        }
    }
    free(s);
    fclose(f);
    return NULL;
}

static bool copy_config(tm_http *h, const tm_http_config *cfg, char *err, size_t errlen)
{
    bool oom = false;
    h->addr = dup_or_null(cfg->addr ? cfg->addr : "127.0.0.1", &oom);
    h->user = dup_or_null(cfg->basic_user, &oom);
    h->password = dup_or_null(cfg->basic_password, &oom);
    h->header_limit = cfg->header_limit ? cfg->header_limit : DEF_HEADER_LIMIT;
    if (cfg->n_allowed_hosts && !(h->allowed = calloc(cfg->n_allowed_hosts, sizeof(char *))))
        oom = true;
    for (size_t i = 0; !oom && i < cfg->n_allowed_hosts; i++, h->n_allowed++)
        h->allowed[i] = dup_or_null(cfg->allowed_hosts[i] ? cfg->allowed_hosts[i] : "", &oom);
    if (oom)
        snprintf(err, errlen, "telemetry: out of memory starting the HTTP server");
    return !oom;
}

static bool load_tls(tm_http *h, const tm_http_config *cfg, char *err, size_t errlen)
{
    if (!cfg->tls_cert_path && !cfg->tls_key_path)
        return true;
    if (!cfg->tls_cert_path || !cfg->tls_key_path) {
        snprintf(err, errlen, "telemetry: TLS needs both tls_cert_path and tls_key_path");
        return false;
    }
    const char *bad = NULL;
    if (!(h->cert_pem = read_pem(cfg->tls_cert_path)))
        bad = cfg->tls_cert_path;
    else if (!(h->key_pem = read_pem(cfg->tls_key_path)))
        bad = cfg->tls_key_path;
    if (bad) {
        snprintf(err, errlen,
                 "telemetry: cannot read TLS file %s: %s (tls_cert_path and "
                 "tls_key_path name PEM files readable by this process)",
                 bad, strerror(errno));
        return false;
    }
    h->tls = true;
    return true;
}

typedef union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} any_addr;

static bool parse_addr(const char *addr, any_addr *a, socklen_t *len)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, addr, &a->v4.sin_addr) == 1) {
        a->v4.sin_family = AF_INET;
        *len = sizeof a->v4;
        return true;
    }
    if (inet_pton(AF_INET6, addr, &a->v6.sin6_addr) == 1) {
        a->v6.sin6_family = AF_INET6;
        *len = sizeof a->v6;
        return true;
    }
    return false;
}

static void set_port(any_addr *a, uint16_t port)
{
    if (a->sa.sa_family == AF_INET)
        a->v4.sin_port = htons(port);
    else
        a->v6.sin6_port = htons(port);
}

static uint16_t bound_port(int fd)
{
    any_addr a;
    socklen_t len = sizeof a;
    if (getsockname(fd, &a.sa, &len) != 0)
        return 0;
    return ntohs(a.sa.sa_family == AF_INET ? a.v4.sin_port : a.v6.sin6_port);
}

/* A non-blocking listening socket on addr:port, or -1 with errno. */
static int listen_on(any_addr *a, socklen_t len, uint16_t port)
{
    int fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->sa.sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    set_port(a, port);
    if (bind(fd, &a->sa, len) != 0 || listen(fd, 128) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int open_listener(const tm_http_config *cfg, char *err, size_t errlen)
{
    const char *addr = cfg->addr ? cfg->addr : "127.0.0.1";
    any_addr a;
    socklen_t len;
    if (!parse_addr(addr, &a, &len)) {
        snprintf(err, errlen,
                 "telemetry: address \"%s\" is not an IPv4 or IPv6 literal (set "
                 "addr or STEADY_TELEMETRY_ADDR to e.g. 127.0.0.1 or ::1)",
                 addr);
        return -1;
    }
    unsigned tries = cfg->port_walk && cfg->port ? PORT_WALK : 1;
    for (unsigned i = 0; i < tries && cfg->port + i <= 65535; i++) {
        int fd = listen_on(&a, len, (uint16_t)(cfg->port + i));
        if (fd >= 0)
            return fd;
        if (errno != EADDRINUSE || i + 1 == tries) {
            snprintf(err, errlen, "telemetry: cannot listen on %s port %u: %s (%s)", addr,
                     cfg->port + i, strerror(errno),
                     errno == EADDRINUSE ? "choose another port, or 0 for any free one"
                                         : "check the address is one of this machine's");
            return -1;
        }
    }
    snprintf(err, errlen, "telemetry: no free port from %u up (choose another port)", cfg->port);
    return -1;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls, (void)fmt, (void)ap; /* MHD's own notes (limits hit, resets) are not errors */
}

static struct MHD_Daemon *start_daemon(tm_http *h, const tm_http_config *cfg, int fd)
{
    unsigned threads = cfg->threads ? cfg->threads : DEF_THREADS;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (h->tls)
        flags |= MHD_USE_TLS;
    /* The array keeps TLS options last so the plain case ends them with MHD_OPTION_END. */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_LISTEN_SOCKET, fd, NULL},
        {MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit ? cfg->conn_limit : DEF_CONNS, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit ? cfg->per_ip_limit : DEF_PER_IP,
         NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : DEF_TIMEOUT_S, NULL},
        /* The pool holds the request's headers and our response's; beyond it MHD refuses. */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(h->header_limit + 8192), NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    if (!h->tls)
        opts[7].option = MHD_OPTION_END;
    return MHD_start_daemon(flags, 0, NULL, NULL, tm_http_handle, h, MHD_OPTION_ARRAY, opts,
                            MHD_OPTION_END);
}

tm_http *tm_http_start(const tm_http_config *cfg, tm_pub *pub, char *err, size_t errlen)
{
    char scratch[8];
    if (!err || !errlen)
        err = scratch, errlen = sizeof scratch;
    if (!cfg || !pub) {
        snprintf(err, errlen, "telemetry: tm_http_start needs a config and a pub");
        return NULL;
    }
    tm_http *h = calloc(1, sizeof *h);
    if (!h || !copy_config(h, cfg, err, errlen) || !load_tls(h, cfg, err, errlen)) {
        if (!h)
            snprintf(err, errlen, "telemetry: out of memory starting the HTTP server");
        free_http(h);
        return NULL;
    }
    h->pub = pub;
    int fd = open_listener(cfg, err, errlen);
    if (fd < 0) {
        free_http(h);
        return NULL;
    }
    h->port = bound_port(fd);
    if (!(h->d = start_daemon(h, cfg, fd))) {
        snprintf(err, errlen,
                 "telemetry: libmicrohttpd refused to start%s (check the "
                 "thread and connection limits%s)",
                 h->tls ? " with TLS" : "",
                 h->tls ? ", and that tls_cert_path and tls_key_path hold a matching PEM "
                          "certificate and key"
                        : "");
        free_http(h); /* MHD closed the listening socket already (it does on failure) */
        return NULL;
    }
    return h;
}

uint16_t tm_http_port(const tm_http *h)
{
    return h ? h->port : 0;
}
bool tm_http_is_tls(const tm_http *h)
{
    return h && h->tls;
}

void tm_http_stop(tm_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d); /* joins the pool; closes the listening socket and connections */
    free_http(h);
}
