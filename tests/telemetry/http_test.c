/* The telemetry HTTP server (src/telemetry/http.h) on 127.0.0.1, from a raw-socket client and
 * curl: routes, methods, headers, the Host check, limits, basic authentication, TLS with a
 * certificate made here by openssl, the port walk, slow clients and blob lifetimes.
 * curl and openssl are optional: their cases are skipped with a message without them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "steady_test_support.h"
#include "telemetry/http.h"

/* ---- a raw client ---- */

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads until EOF (or 5 s of silence) into a malloc'd NUL-terminated string. */
static char *read_all(int fd)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, 5000) == 1) {
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
        if (cap - len < 4096)
            assert_non_null(buf = realloc(buf, cap *= 2));
    }
    buf[len] = '\0';
    return buf;
}

/* Sends `raw` as the whole request (HTTP/1.0 semantics: the server closes after answering) and
 * returns the status (0: no answer), the whole response in *out (free it) when out is set. */
static int exchange(uint16_t port, const char *raw, char **out)
{
    int fd = connect_to(port);
    size_t n = strlen(raw);
    int status = 0;
    char *resp = NULL;
    if (write(fd, raw, n) == (ssize_t)n) {
        resp = read_all(fd);
        sscanf(resp, "HTTP/1.%*d %d", &status);
    }
    close(fd);
    if (out)
        *out = resp;
    else
        free(resp);
    return status;
}

static int get_as(uint16_t port, const char *method, const char *path, const char *host, char **out)
{
    char raw[1024];
    snprintf(raw, sizeof raw, "%s %s HTTP/1.0\r\nHost: %s\r\n\r\n", method, path, host);
    return exchange(port, raw, out);
}

static int get(uint16_t port, const char *path, char **out)
{
    char host[32];
    snprintf(host, sizeof host, "127.0.0.1:%u", port);
    return get_as(port, "GET", path, host, out);
}

static const char *body(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "";
}

/* Whether `line` (e.g. "Allow: GET, HEAD") appears among resp's headers. */
static bool has_header(const char *resp, const char *line)
{
    const char *end = strstr(resp, "\r\n\r\n");
    const char *at = strstr(resp, line);
    return at && end && at < end;
}

/* ---- fixtures ---- */

typedef struct {
    tm_pub *pub;
    tm_http *http;
    uint16_t port;
} server;

static void publish(tm_pub *p, tm_route r, const char *type, const char *text)
{
    tm_pub_set(p, r, tm_blob_new(type, text, strlen(text), 1));
}

static server start(tm_http_config cfg)
{
    server s = {.pub = tm_pub_new()};
    assert_non_null(s.pub);
    char err[512] = "";
    s.http = tm_http_start(&cfg, s.pub, err, sizeof err);
    if (!s.http)
        fail_msg("tm_http_start: %s", err);
    s.port = tm_http_port(s.http);
    assert_true(s.port > 0);
    return s;
}

static void stop(server *s)
{
    tm_http_stop(s->http);
    tm_pub_free(s->pub);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static bool have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    if (system(cmd) == 0)
        return true;
    print_message("skipped: %s is not installed (Debian package %s)\n", tool, tool);
    return false;
}

/* ---- routes and headers ---- */

static void routes_answer_with_their_blobs_and_the_safety_headers(void **state)
{
    (void)state;
    server s = start((tm_http_config){0});
    char *r;
    assert_int_equal(get(s.port, "/metrics", &r), 503); /* nothing published yet */
    assert_true(has_header(r, "Retry-After: 1"));
    free(r);
    publish(s.pub, TM_ROUTE_METRICS, "text/plain; version=0.0.4", "steady_up 1\n");
    publish(s.pub, TM_ROUTE_DOT, "text/vnd.graphviz", "digraph G {}\n");
    assert_int_equal(get(s.port, "/metrics", &r), 200);
    assert_string_equal(body(r), "steady_up 1\n");
    assert_true(has_header(r, "Content-Type: text/plain; version=0.0.4"));
    assert_true(has_header(r, "Cache-Control: no-store"));
    assert_true(has_header(r, "X-Content-Type-Options: nosniff"));
    assert_true(has_header(r, "'wasm-unsafe-eval'"));
    assert_null(strstr(r, "Access-Control-Allow-Origin"));
    free(r);
    assert_int_equal(get(s.port, "/graph.dot", &r), 200);
    assert_string_equal(body(r), "digraph G {}\n");
    free(r);
    assert_int_equal(get(s.port, "/healthz", &r), 200);
    assert_string_equal(body(r), "ok\n");
    free(r);
    assert_int_equal(get(s.port, "/", &r), 200); /* the dashboard page */
    assert_true(has_header(r, "Content-Type: text/html"));
    free(r);
    assert_int_equal(get(s.port, "/metrics/", &r), 404);
    assert_non_null(strstr(body(r), "/snapshot.json"));
    free(r);
    assert_int_equal(get(s.port, "/../etc/passwd", &r), 404);
    free(r);
    char host[32];
    snprintf(host, sizeof host, "127.0.0.1:%u", s.port);
    assert_int_equal(get_as(s.port, "HEAD", "/metrics", host, &r), 200);
    assert_string_equal(body(r), ""); /* HEAD: the headers only */
    assert_true(has_header(r, "Content-Length: 12"));
    free(r);
    stop(&s);
}

static void other_methods_get_405_with_allow(void **state)
{
    (void)state;
    server s = start((tm_http_config){0});
    publish(s.pub, TM_ROUTE_METRICS, "text/plain", "x\n");
    static const char *methods[] = {"PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"};
    char host[32], *r;
    snprintf(host, sizeof host, "127.0.0.1:%u", s.port);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        assert_int_equal(get_as(s.port, methods[i], "/metrics", host, &r), 405);
        assert_true(has_header(r, "Allow: GET, HEAD"));
        free(r);
    }
    char raw[256];
    snprintf(raw, sizeof raw,
             "POST /metrics HTTP/1.0\r\nHost: %s\r\nContent-Length: 5\r\n\r\n"
             "hello",
             host);
    assert_int_equal(exchange(s.port, raw, &r), 405);
    assert_true(has_header(r, "Allow: GET, HEAD"));
    free(r);
    stop(&s);
}

/* ---- the Host check (DNS rebinding) ---- */

static void foreign_hosts_are_refused_and_allowed_hosts_pass(void **state)
{
    (void)state;
    static const char *allowed[] = {"prom.example", "scraper.lan:9090"};
    server s = start((tm_http_config){.allowed_hosts = allowed, .n_allowed_hosts = 2});
    struct {
        const char *host;
        int status;
    } cases[] = {
        {"127.0.0.1", 200},
        {"localhost", 200},
        {"LOCALHOST:9900", 200},
        {"[::1]:9900", 200},
        {"prom.example", 200},
        {"prom.example:1234", 200},
        {"scraper.lan:9090", 200},
        {"evil.example", 421},
        {"evil.example:9900", 421},
        {"scraper.lan:9091", 421},
        {"scraper.lan", 421},
        {"127.0.0.1:abc", 421},
        {"127.0.0.1:123456", 421},
        {"[::1", 421},
        {"", 421},
        {"localhost.evil.example", 421},
        {"127.0.0.1.evil.example", 421},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r;
        int st = get_as(s.port, "GET", "/healthz", cases[i].host, &r);
        if (st != cases[i].status)
            fail_msg("Host '%s': %d, expected %d", cases[i].host, st, cases[i].status);
        if (st == 421)
            assert_non_null(strstr(body(r), "allowed_hosts"));
        free(r);
    }
    assert_int_equal(exchange(s.port, "GET /healthz HTTP/1.0\r\n\r\n", NULL), 400); /* no Host */
    stop(&s);
}

/* ---- limits ---- */

static void oversize_headers_are_refused(void **state)
{
    (void)state;
    server s = start((tm_http_config){.header_limit = 4096});
    size_t big = 6000;
    char *raw = malloc(big + 256);
    assert_non_null(raw);
    int n = snprintf(raw, 256, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Pad: ");
    memset(raw + n, 'a', big);
    strcpy(raw + n + big, "\r\n\r\n");
    int st = exchange(s.port, raw, NULL);
    assert_true(st == 431 || st == 413 || st == 414 || st == 0); /* refused, never served */
    assert_int_not_equal(st, 200);
    raw[n + 3000] = '\0'; /* 3000 bytes: under the limit */
    strcat(raw, "\r\n\r\n");
    assert_int_equal(exchange(s.port, raw, NULL), 200);
    free(raw);
    size_t huge = 1 << 16; /* far over MHD's own pool too */
    raw = malloc(huge + 256);
    n = snprintf(raw, 256, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Pad: ");
    memset(raw + n, 'b', huge);
    strcpy(raw + n + huge, "\r\n\r\n");
    assert_int_not_equal(exchange(s.port, raw, NULL), 200);
    free(raw);
    assert_int_equal(get(s.port, "/healthz", NULL), 200); /* and the server still serves */
    stop(&s);
}

static size_t threads_now(void)
{
    return count_entries("/proc/self/task");
}

/* 200 clients that send half a request and stall: the server keeps its own threads (never one
 * per connection) and still answers a fresh client at once. */
static void slow_clients_are_held_without_a_thread_each(void **state)
{
    (void)state;
    server s = start((tm_http_config){0});
    publish(s.pub, TM_ROUTE_METRICS, "text/plain", "steady_up 1\n");
    assert_int_equal(get(s.port, "/metrics", NULL), 200);
    size_t before = threads_now();
    enum { SLOW = 200 };
    int fds[SLOW];
    for (int i = 0; i < SLOW; i++) {
        fds[i] = connect_to(s.port);
        assert_int_equal(write(fds[i], "GET /metrics HTTP/1.1\r\nHo", 25), 25);
    }
    uint64_t t0 = steady_clock_monotonic_ns(NULL);
    char *r;
    assert_int_equal(get(s.port, "/metrics", &r), 200);
    assert_string_equal(body(r), "steady_up 1\n");
    free(r);
    uint64_t took_ms = (steady_clock_monotonic_ns(NULL) - t0) / 1000000;
    print_message("a fresh GET beside %d stalled clients: %" PRIu64 " ms\n", SLOW, took_ms);
    assert_true(took_ms < 2000); /* generous: correctness, not speed */
    assert_int_equal(threads_now(), before);
    for (int i = 0; i < SLOW; i++)
        close(fds[i]);
    stop(&s);
}

/* ---- basic authentication ---- */

static void basic_authentication_guards_every_route(void **state)
{
    (void)state;
    server s = start((tm_http_config){.basic_user = "ops", .basic_password = "s3cret"});
    char host[32], raw[256], *r;
    snprintf(host, sizeof host, "127.0.0.1:%u", s.port);
    assert_int_equal(get(s.port, "/healthz", &r), 401);
    assert_true(has_header(r, "WWW-Authenticate: Basic realm=\"steady telemetry\""));
    free(r);
    /* "ops:wrong" and "ops:s3cret" in base64 */
    snprintf(raw, sizeof raw,
             "GET /healthz HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n", host,
             "b3BzOndyb25n");
    assert_int_equal(exchange(s.port, raw, NULL), 401);
    snprintf(raw, sizeof raw,
             "GET /healthz HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n", host,
             "b3BzOnMzY3JldA==");
    assert_int_equal(exchange(s.port, raw, NULL), 200);
    snprintf(raw, sizeof raw,
             "GET /metrics HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n", host,
             "b3BzOnMzY3JldA==");
    assert_int_equal(exchange(s.port, raw, NULL), 503); /* past authentication, no frame yet */
    stop(&s);
}

/* ---- TLS ---- */

static void tls_serves_https_with_a_certificate_made_here(void **state)
{
    (void)state;
    if (!have("openssl") || !have("curl"))
        skip();
    char dir[] = "/tmp/steady-tls-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[1024], cert[300], key[300];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
             "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
             key, cert);
    assert_int_equal(system(cmd), 0);
    server s = start((tm_http_config){.tls_cert_path = cert, .tls_key_path = key});
    assert_true(tm_http_is_tls(s.http));
    publish(s.pub, TM_ROUTE_METRICS, "text/plain", "steady_up 1\n");
    snprintf(cmd, sizeof cmd,
             "curl -sS --max-time 10 --cacert %s https://127.0.0.1:%u/metrics "
             "| grep -qx 'steady_up 1'",
             cert, s.port);
    assert_int_equal(system(cmd), 0);
    assert_int_not_equal(get(s.port, "/metrics", NULL), 200); /* plain HTTP gets nothing */
    stop(&s);
    /* A key that does not match the certificate, and files that are not there. */
    tm_pub *p = tm_pub_new();
    char err[512];
    tm_http_config bad = {.tls_cert_path = cert, .tls_key_path = cert};
    assert_null(tm_http_start(&bad, p, err, sizeof err));
    assert_non_null(strstr(err, "tls_cert_path and tls_key_path hold a matching"));
    bad.tls_key_path = "/nonexistent/key.pem";
    assert_null(tm_http_start(&bad, p, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/key.pem"));
    bad.tls_key_path = NULL;
    assert_null(tm_http_start(&bad, p, err, sizeof err));
    assert_non_null(strstr(err, "both"));
    tm_pub_free(p);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- addresses and ports ---- */

static void a_busy_port_is_named_or_walked_past(void **state)
{
    (void)state;
    server busy = start((tm_http_config){0});
    tm_pub *p = tm_pub_new();
    char err[512], want[64];
    tm_http_config cfg = {.port = busy.port};
    assert_null(tm_http_start(&cfg, p, err, sizeof err));
    snprintf(want, sizeof want, "port %u", busy.port);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "in use"));
    cfg.port_walk = true;
    tm_http *h = tm_http_start(&cfg, p, err, sizeof err);
    if (!h)
        fail_msg("walk: %s", err);
    assert_true(tm_http_port(h) > busy.port);
    tm_http_stop(h);
    cfg = (tm_http_config){.addr = "nonsense"};
    assert_null(tm_http_start(&cfg, p, err, sizeof err));
    assert_non_null(strstr(err, "not an IPv4 or IPv6 literal"));
    cfg.addr = "192.0.2.1"; /* TEST-NET-1: not this machine's */
    assert_null(tm_http_start(&cfg, p, err, sizeof err));
    assert_non_null(strstr(err, "192.0.2.1"));
    cfg.addr = "::1";
    if ((h = tm_http_start(&cfg, p, err, sizeof err))) {
        assert_true(tm_http_port(h) > 0);
        tm_http_stop(h);
    } else {
        print_message("IPv6 loopback unavailable here: %s\n", err);
    }
    tm_pub_free(p);
    stop(&busy);
}

/* ---- lifetimes ---- */

/* A client reading a large blob slowly keeps the bytes it started with, though the collector
 * publishes newer ones and drops its reference meanwhile (ASan would catch a use after free). */
static void a_response_in_flight_keeps_its_blob(void **state)
{
    (void)state;
    server s = start((tm_http_config){0});
    size_t big = 8u << 20;
    char *a = malloc(big);
    assert_non_null(a);
    memset(a, 'A', big);
    tm_pub_set(s.pub, TM_ROUTE_SNAPSHOT, tm_blob_new("application/json", a, big, 1));
    int fd = connect_to(s.port);
    char raw[128];
    int n = snprintf(raw, sizeof raw, "GET /snapshot.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    assert_int_equal(write(fd, raw, (size_t)n), n);
    char first[4096];
    assert_true(read(fd, first, sizeof first) > 0);
    memset(a, 'B', big);
    for (int i = 2; i < 6; i++) /* newer frames replace it */
        tm_pub_set(s.pub, TM_ROUTE_SNAPSHOT, tm_blob_new("application/json", a, big, (uint64_t)i));
    char *rest = read_all(fd);
    close(fd);
    size_t len = strlen(rest);
    assert_true(len > big / 2);
    assert_null(memchr(rest, 'B', len)); /* only the first frame's bytes */
    free(rest);
    free(a);
    stop(&s);
}

static void null_zero_and_wrong_arguments_are_harmless(void **state)
{
    (void)state;
    char err[256];
    tm_pub *p = tm_pub_new();
    assert_null(tm_http_start(NULL, p, err, sizeof err));
    assert_non_null(strstr(err, "needs a config"));
    assert_null(tm_http_start(&(tm_http_config){0}, NULL, err, sizeof err));
    assert_null(tm_http_start(NULL, NULL, NULL, 0));
    assert_int_equal(tm_http_port(NULL), 0);
    assert_false(tm_http_is_tls(NULL));
    tm_http_stop(NULL);
    assert_null(tm_blob_new("x", NULL, 5, 1));
    assert_null(tm_blob_new("x", "y", SIZE_MAX, 1));
    tm_blob *b = tm_blob_new("text/plain", NULL, 0, 7);
    assert_non_null(b);
    assert_int_equal(tm_blob_len(b), 0);
    assert_int_equal(tm_blob_seq(b), 7);
    tm_pub_set(p, (tm_route)99, b); /* a wrong route: the reference is dropped, not leaked */
    tm_pub_set(NULL, TM_ROUTE_DOT, tm_blob_new("x", "y", 1, 1));
    assert_null(tm_pub_get(p, (tm_route)99));
    assert_null(tm_pub_get(NULL, TM_ROUTE_DOT));
    assert_null(tm_pub_get(p, TM_ROUTE_DOT));
    tm_pub_set(p, TM_ROUTE_DOT, NULL);
    tm_blob_ref(NULL);
    tm_blob_unref(NULL);
    assert_null(tm_blob_data(NULL));
    assert_int_equal(tm_blob_len(NULL), 0);
    assert_null(tm_blob_type(NULL));
    tm_pub_free(p);
    tm_pub_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_answer_with_their_blobs_and_the_safety_headers),
        cmocka_unit_test(other_methods_get_405_with_allow),
        cmocka_unit_test(foreign_hosts_are_refused_and_allowed_hosts_pass),
        cmocka_unit_test(oversize_headers_are_refused),
        cmocka_unit_test(slow_clients_are_held_without_a_thread_each),
        cmocka_unit_test(basic_authentication_guards_every_route),
        cmocka_unit_test(tls_serves_https_with_a_certificate_made_here),
        cmocka_unit_test(a_busy_port_is_named_or_walked_past),
        cmocka_unit_test(a_response_in_flight_keeps_its_blob),
        cmocka_unit_test(null_zero_and_wrong_arguments_are_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
