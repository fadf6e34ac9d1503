/* telemetry/http_serve.c — one request: the Host check, limits, authentication, method and
 * route (http.h lists them). Runs on libmicrohttpd's pool threads; touches only the server's
 * constant configuration and takes blob references from the pub (pub.h), so a slow client
 * holds a reference, never a lock. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "telemetry/assets.h"
#include "telemetry/http_int.h"

/* Same-origin only; 'wasm-unsafe-eval' lets the layout engine (@viz-js/viz, WebAssembly) run
 * without allowing eval of JavaScript; blob: and data: images are the .svg download and
 * favicon. No Access-Control-Allow-Origin is ever sent. */
static const char CSP[] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                          "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                          "connect-src 'self'; object-src 'none'; base-uri 'none'; "
                          "frame-ancestors 'none'";

static const struct {
    const char *path;
    tm_route route;
} ROUTES[] = {
    {"/graph.dot", TM_ROUTE_DOT},
    {"/metrics", TM_ROUTE_METRICS},
    {"/snapshot.json", TM_ROUTE_SNAPSHOT},
    {"/config", TM_ROUTE_CONFIG},
};

static void blob_done(void *cls)
{
    tm_blob_unref(cls);
}

/* Queues r with the headers every response carries, then drops our reference to r. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                               const char *type)
{
    if (!r)
        return MHD_NO; /* out of memory: MHD closes the connection */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static struct MHD_Response *text(const char *s)
{
    return MHD_create_response_from_buffer(strlen(s), (void *)s, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *s)
{
    return respond(c, status, text(s), "text/plain; charset=utf-8");
}

/* ---- the Host check ---- */

/* Whether host[0..n) equals name, ignoring case. */
static bool name_is(const char *host, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(host, name, n) == 0;
}

/* Splits "name[:port]" or "[v6][:port]": *n is the name's length (brackets included); false
 * when the port part is not 1-5 digits. */
static bool split_host(const char *host, size_t *n)
{
    const char *end = host[0] == '[' ? strchr(host, ']') : strchr(host, ':');
    if (host[0] == '[' && !end)
        return false;
    if (host[0] == '[')
        end++;
    if (!end)
        end = host + strlen(host);
    *n = (size_t)(end - host);
    if (*end == '\0')
        return *n > 0;
    if (*end != ':' || !end[1] || strlen(end + 1) > 5)
        return false;
    for (const char *p = end + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return *n > 0;
}

static bool addr_matches(const tm_http *h, const char *host, size_t n)
{
    if (!h->addr)
        return false;
    if (strchr(h->addr, ':')) /* IPv6: the Host header carries it in brackets */
        return n == strlen(h->addr) + 2 && host[0] == '[' &&
               strncasecmp(host + 1, h->addr, n - 2) == 0;
    return name_is(host, n, h->addr);
}

bool tm_http_host_ok(const tm_http *h, const char *host)
{
    size_t n;
    if (!h || !host || !split_host(host, &n))
        return false;
    if (name_is(host, n, "localhost") || name_is(host, n, "127.0.0.1") ||
        name_is(host, n, "[::1]") || addr_matches(h, host, n))
        return true;
    for (size_t i = 0; i < h->n_allowed; i++) {
        /* "name:port" entries match exactly; "name" entries match the name at any port. */
        const char *a = h->allowed[i];
        size_t m;
        bool with_port = split_host(a, &m) && a[m] == ':';
        if (with_port ? strcasecmp(a, host) == 0 : name_is(host, n, a))
            return true;
    }
    return false;
}

/* ---- limits and authentication ---- */

struct sum {
    size_t bytes;
};

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    struct sum *s = cls;
    s->bytes += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static bool headers_fit(const tm_http *h, struct MHD_Connection *c)
{
    struct sum s = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, &s);
    return s.bytes <= h->header_limit;
}

/* Compares without an early exit, so the time taken does not tell how much matched. */
static bool same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char diff = na != nb;
    for (size_t i = 0; i < na; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return diff == 0;
}

static bool authorized(const tm_http *h, struct MHD_Connection *c)
{
    if (!h->user)
        return true;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(c, &pass);
    /* Both compared, whatever the first says: the time does not tell which one was wrong. */
    bool ok = false;
    if (user && pass) {
        bool user_ok = same_secret(user, h->user);
        bool pass_ok = same_secret(pass, h->password);
        ok = user_ok && pass_ok;
    }
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

static enum MHD_Result ask_for_credentials(struct MHD_Connection *c)
{
    struct MHD_Response *r = text("authentication required\n");
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_basic_auth_fail_response(c, "steady telemetry", r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- routes ---- */

static enum MHD_Result serve_route(tm_http *h, struct MHD_Connection *c, tm_route route)
{
    tm_blob *b = tm_pub_get(h->pub, route);
    if (!b) {
        struct MHD_Response *r = text("no frame yet: telemetry publishes its first frame one "
                                      "period after start\n");
        if (r)
            MHD_add_response_header(r, "Retry-After", "1");
        return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, r, "text/plain; charset=utf-8");
    }
    /* The response keeps our reference and drops it when MHD is done with the bytes. */
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        tm_blob_len(b), (void *)tm_blob_data(b), blob_done, b);
    if (!r) {
        tm_blob_unref(b);
        return MHD_NO;
    }
    return respond(c, MHD_HTTP_OK, r, tm_blob_type(b));
}

static enum MHD_Result serve_path(tm_http *h, struct MHD_Connection *c, const char *url)
{
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++)
        if (strcmp(url, ROUTES[i].path) == 0)
            return serve_route(h, c, ROUTES[i].route);
    if (strcmp(url, "/healthz") == 0)
        return send_text(c, MHD_HTTP_OK, "ok\n");
    const tm_asset *a = tm_asset_find(url);
    if (a)
        return respond(
            c, MHD_HTTP_OK,
            MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT),
            a->content_type);
    return send_text(c, MHD_HTTP_NOT_FOUND,
                     "not found: the routes are /, /graph.dot, /metrics, /snapshot.json, "
                     "/config and /healthz\n");
}

enum MHD_Result tm_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **req_cls)
{
    (void)version, (void)upload, (void)upload_size, (void)req_cls;
    tm_http *h = cls;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!host)
        return send_text(c, MHD_HTTP_BAD_REQUEST, "a Host header is required\n");
    if (!tm_http_host_ok(h, host))
        return send_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
                         "this Host is not served: add it to the telemetry options' "
                         "allowed_hosts to reach this server by that name\n");
    if (!headers_fit(h, c))
        return send_text(c, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                         "request headers too large\n");
    if (!authorized(h, c))
        return ask_for_credentials(c);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        struct MHD_Response *r = text("method not allowed: telemetry is read-only (GET, HEAD)\n");
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, r, "text/plain; charset=utf-8");
    }
    return serve_path(h, c, url);
}
