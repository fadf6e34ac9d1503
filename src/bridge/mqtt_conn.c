/* bridge/mqtt_conn.c — the MQTT bridges' client (mqtt_impl.h): a libmosquitto object driven
 * by the actor's own loop, connected without blocking, tried again with backoff and jitter. */
#include "mqtt_impl.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKOFF_MIN_NS STEADY_MS(100)
#define BACKOFF_MAX_NS STEADY_SEC(2)
#define PERIOD_NS STEADY_MS(100)
#define TLS_STEP_NS STEADY_MS(10) /* a TLS handshake's steps are polled at this pace */
#define READS_PER_WAKE 64         /* packets read while the socket stays readable */

uint64_t steady__mqtt_mono(void)
{
    return steady_clock_monotonic_ns(NULL);
}

/* mosquitto_lib_init is not thread-safe: once per process, never undone (OpenSSL's state
 * lives as long as the process). */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc;

static void lib_init(void)
{
    lib_rc = mosquitto_lib_init();
}

/* The reason of a libmosquitto result, errno's when it says errno tells. */
static const char *reason(int rc, int err)
{
    if (rc == MOSQ_ERR_TLS)
        return "TLS failed: the broker's certificate does not chain to opts.tls_ca (or the "
               "system's authorities), or does not name the host";
    return rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc);
}

/* 75-125 % of ns: bridges that lost one server do not all come back at once. */
static uint64_t jitter(mqtt_client *c, uint64_t ns)
{
    uint64_t x = steady__mqtt_mono() ^ (uintptr_t)c ^ ((uint64_t)getpid() << 32);
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return ns - ns / 4 + x % (ns / 2 + 1);
}

void steady__mqtt_progress(mqtt_client *c)
{
    c->progressed = true;
    c->refusals = 0;
}

/* An egress that lost its connection with frames in flight and none completed since it
 * connected: under MQTT 3.1.1 that is how a broker refuses a PUBLISH (a QoS above its max_qos,
 * a packet above its max_packet_size). Said at the 3rd such loss in a row and the 4th, 8th, ...;
 * the backoff is then not reset, so a refusal costs one attempt in BACKOFF_MAX_NS. */
static bool refused_frames(mqtt_client *c, const char *why)
{
    bridge *b = c->b;
    if (!b->egress || !c->w_len || c->progressed)
        return false;
    unsigned n = ++c->refusals;
    if (n == 3 || (n > 3 && (n & (n - 1)) == 0))
        STEADY_ERROR("bridge %s: the broker closed the connection %u times in a row before "
                     "completing a frame (%s); it may refuse the frames: a max_qos below this "
                     "URI's qos=%d, or a max_packet_size or message_size_limit below a frame of "
                     "up to %zu bytes (give a smaller opts.max_batch); retrying with backoff",
                     b->text, n, why, b->uri.qos, b->frame_cap);
    return true;
}

/* The connection is gone (or never came): says why, once per loss and at the 1st, 2nd, 4th,
 * ... failed attempt in a row, and sets the next attempt. */
static void lost(mqtt_client *c, const char *why)
{
    if (c->state == MQTT_DOWN)
        return;
    bridge *b = c->b;
    bool was_up = c->state == MQTT_UP;
    c->state = MQTT_DOWN;
    steady__bridge_set_connected(b, false);
    atomic_store(&b->ready, false);
    if (was_up && refused_frames(c, why)) {
        c->failures = 0; /* the backoff goes on growing: no progress was made */
    } else if (was_up) {
        c->failures = 0;
        c->backoff_ns = BACKOFF_MIN_NS;
        STEADY_WARN("bridge %s: lost its server (%s); retrying with backoff", b->text, why);
    } else if (++c->failures, (c->failures & (c->failures - 1)) == 0) {
        STEADY_WARN("bridge %s: not connected (%s); retrying with backoff (%u %s)", b->text, why,
                    c->failures, c->failures == 1 ? "try" : "tries in a row");
    }
    c->retry_at = steady__mqtt_mono() + jitter(c, c->backoff_ns);
    c->backoff_ns = c->backoff_ns * 2 < BACKOFF_MAX_NS ? c->backoff_ns * 2 : BACKOFF_MAX_NS;
    steady__mqtt_on_down(c);
}

/* ---- libmosquitto's callbacks: on the actor's thread, inside loop_read / loop_write ---- */

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags)
{
    (void)m;
    mqtt_client *c = obj;
    if (rc != 0) {
        char why[160];
        snprintf(why, sizeof why, "the broker refused it: %s", mosquitto_connack_string(rc));
        lost(c, why);
        return;
    }
    bool again = c->ups++ > 0;
    if (again)
        atomic_fetch_add(&c->b->reconnects, 1);
    c->state = MQTT_UP;
    c->failures = 0; /* the backoff is reset when the connection is lost after progress */
    c->progressed = false;
    c->session_present = flags & 1;
    steady__bridge_set_connected(c->b, true);
    STEADY_INFO("bridge %s: connected%s", c->b->text, again ? " again" : "");
    steady__mqtt_on_up(c);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    int err = errno;
    lost(obj, rc == 0 ? "disconnected" : reason(rc, err));
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m;
    steady__mqtt_on_published(obj, mid);
}

/* A persistent session keeps every subscription it was ever given: a session= reused with
 * another topic still gets the old topic's messages, which are not this bridge's stream. */
static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    mqtt_client *c = obj;
    if (!msg->topic || strcmp(msg->topic, c->b->uri.subject) != 0) {
        uint64_t n = ++c->other_topic;
        if ((n & (n - 1)) == 0)
            STEADY_WARN("bridge %s: a message on topic '%s', not this bridge's: dropped (%llu so "
                        "far; a persistent session subscribed to it before? give each stream "
                        "its own session=)",
                        c->b->text, msg->topic ? msg->topic : "", (unsigned long long)n);
        return;
    }
    steady__mqtt_on_message(obj, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    (void)m;
    (void)mid;
    mqtt_client *c = obj;
    if (n < 1 || granted[0] > 2) { /* 0x80: the broker refused it (its access rules) */
        STEADY_ERROR("bridge %s: the broker refused the subscription to '%s' (its access "
                     "rules?); the bridge fails",
                     c->b->text, c->b->uri.subject);
        c->fatal = true;
        return;
    }
    if (granted[0] < c->b->uri.qos) /* the broker's max_qos: its messages come at that QoS */
        STEADY_WARN("bridge %s: the broker granted QoS %d, not the qos=%d asked (its max_qos?); "
                    "%s",
                    c->b->text, granted[0], c->b->uri.qos,
                    granted[0] == 0 ? "frames may be lost on the way (counted as gaps)"
                                    : "frames may come twice (the repeats are dropped)");
    steady__mqtt_on_subscribed(c);
}

/* ---- the client ---- */

static void destroy(void *p)
{
    mqtt_client *c = p;
    mosquitto_destroy(c->mosq); /* closes the socket; nothing of it runs after this */
    c->mosq = NULL;
    steady__bridge_set_connected(c->b, false);
    atomic_store(&c->b->ready, false);
    atomic_store(&c->b->fd, -1);
}

/* A client id: the session's name, or one of this process that no other client has. */
static void client_id(char *dst, size_t cap, const bridge *b, const mqtt_client *c)
{
    if (b->uri.durable[0]) {
        snprintf(dst, cap, "%s", b->uri.durable);
        return;
    }
    uint64_t x = steady__mqtt_mono() ^ (uintptr_t)c;
    snprintf(dst, cap, "steady-%d-%08x", (int)getpid(), (unsigned)(x ^ (x >> 32)));
}

static int set_tls(bridge *b, struct mosquitto *m)
{
    if (!b->uri.tls)
        return MOSQ_ERR_SUCCESS;
    int rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, b->tls_ca[0] ? 0 : 1);
    if (rc == MOSQ_ERR_SUCCESS) /* libmosquitto wants a CA file or directory */
        rc = mosquitto_tls_set(
            m, b->tls_ca[0] ? b->tls_ca : NULL, b->tls_ca[0] ? NULL : "/etc/ssl/certs",
            b->tls_cert[0] ? b->tls_cert : NULL, b->tls_key[0] ? b->tls_key : NULL, NULL);
    return rc;
}

bool steady__mqtt_open(steady_actor *a, bridge *b, mqtt_client *c)
{
    memset(c, 0, sizeof *c);
    c->b = b;
    c->state = MQTT_DOWN;
    c->backoff_ns = BACKOFF_MIN_NS;
    pthread_once(&lib_once, lib_init);
    if (lib_rc != MOSQ_ERR_SUCCESS) {
        STEADY_ERROR("bridge %s: libmosquitto did not start: %s", b->text,
                     mosquitto_strerror(lib_rc));
        return false;
    }
    char id[STEADY_URI_MAX];
    client_id(id, sizeof id, b, c);
    /* A named session is persistent: the broker keeps its subscription and what QoS 1 and 2
     * messages arrive while the bridge is away. */
    c->mosq = mosquitto_new(id, b->uri.durable[0] == '\0', c);
    if (!c->mosq) {
        STEADY_ERROR("bridge %s: cannot make its MQTT client: %s", b->text, strerror(errno));
        return false;
    }
    if (!steady__bridge_defer(a, b, destroy, c))
        return false;
    mosquitto_connect_with_flags_callback_set(c->mosq, on_connect);
    mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
    mosquitto_publish_callback_set(c->mosq, on_publish);
    mosquitto_message_callback_set(c->mosq, on_message);
    mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
    int rc = mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_int_option(c->mosq, MOSQ_OPT_SEND_MAXIMUM,
                                  b->uri.qos == 2 ? MQTT_BROKER_INFLIGHT : MQTT_WINDOW);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    if (rc == MOSQ_ERR_SUCCESS && b->uri.user[0])
        rc = mosquitto_username_pw_set(c->mosq, b->uri.user,
                                       b->uri.password[0] ? b->uri.password : NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = set_tls(b, c->mosq);
    if (rc != MOSQ_ERR_SUCCESS) {
        int err = errno;
        STEADY_ERROR("bridge %s: cannot set up its MQTT client: %s", b->text, reason(rc, err));
        return false;
    }
    return true;
}

/* Starts a connection without waiting for it: a socket connecting, a CONNECT queued. */
static void attempt(mqtt_client *c)
{
    bridge *b = c->b;
    errno = 0;
    int rc = c->tried
                 ? mosquitto_reconnect_async(c->mosq)
                 : mosquitto_connect_async(c->mosq, b->uri.host, b->uri.port, MQTT_KEEPALIVE_S);
    int err = errno;
    c->tried = true;
    c->state = MQTT_CONNECTING;
    c->connect_at = steady__mqtt_mono();
    c->connect_errno = err;
    c->misc_at = steady__mqtt_mono() + STEADY_SEC(1);
    if (rc != MOSQ_ERR_SUCCESS)
        lost(c, reason(rc, err));
    else
        atomic_store(&b->fd, mosquitto_socket(c->mosq));
}

static bool failed(mqtt_client *c, int rc, int err)
{
    if (rc == MOSQ_ERR_SUCCESS)
        return c->state == MQTT_DOWN; /* a callback found it lost or refused */
    lost(c, reason(rc, err));
    return true;
}

/* An attempt that got no CONNACK within connect_timeout_ms (a black-hole address, a TLS
 * handshake that never ends), or whose socket failed to connect (refused: over TLS,
 * libmosquitto would otherwise notice only at its keepalive): true when it was given up. */
static bool attempt_failed(mqtt_client *c, int fd, short revents, uint64_t now)
{
    if (c->state != MQTT_CONNECTING)
        return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (revents & (POLLERR | POLLHUP)) { /* over TLS the handshake already took SO_ERROR */
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || !err)
            err = c->connect_errno;
        lost(c, err ? strerror(err) : "the connection closed while connecting");
        return true;
    }
    if (now < c->connect_at || now - c->connect_at < (uint64_t)c->b->connect_timeout_ms * 1000000u)
        return false; /* (now may predate an attempt begun in this service) */
    char why[64];
    snprintf(why, sizeof why, "no CONNACK within %u ms", c->b->connect_timeout_ms);
    lost(c, why);
    return true;
}

void steady__mqtt_service(mqtt_client *c)
{
    uint64_t now = steady__mqtt_mono();
    if (c->state == MQTT_DOWN) {
        if (now < c->retry_at)
            return;
        attempt(c);
        if (c->state == MQTT_DOWN)
            return;
    }
    int fd = mosquitto_socket(c->mosq);
    atomic_store(&c->b->fd, fd);
    if (fd < 0) {
        lost(c, "no socket");
        return;
    }
    bool tls_connecting = c->b->uri.tls && c->state == MQTT_CONNECTING;
    struct pollfd p = {.fd = fd, .events = POLLIN | (mosquitto_want_write(c->mosq) ? POLLOUT : 0)};
    if (poll(&p, 1, 0) < 0 || attempt_failed(c, fd, p.revents, now))
        return;
    /* A TLS handshake goes on inside loop_read, whatever the socket is ready for. Reads wait
     * while the ingress holds frames its channel has no room for: back-pressure. */
    bool can_read = ((p.revents & (POLLIN | POLLERR | POLLHUP)) || tls_connecting) && !c->stopping;
    for (int i = 0; can_read && c->p_len == 0 && i < READS_PER_WAKE; i++) {
        int rc = mosquitto_loop_read(c->mosq, 1);
        if (failed(c, rc, errno))
            return;
        if (poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0) <= 0)
            break;
    }
    if (mosquitto_want_write(c->mosq) && ((p.revents & POLLOUT) || tls_connecting)) {
        int rc = mosquitto_loop_write(c->mosq, 1);
        if (failed(c, rc, errno))
            return;
    }
    if (now >= c->misc_at && c->p_len == 0) { /* keepalive; not while reads wait (no answer) */
        c->misc_at = now + STEADY_SEC(1);
        int rc = mosquitto_loop_misc(c->mosq);
        (void)failed(c, rc, errno);
    }
}

steady_cond steady__mqtt_cond(mqtt_client *c)
{
    if (c->state == MQTT_DOWN) {
        uint64_t now = steady__mqtt_mono();
        uint64_t left = c->retry_at > now ? c->retry_at - now : 1;
        return STEADY_TIMEOUT(left); /* one-off: a period of each length would be a new timer */
    }
    int fd = mosquitto_socket(c->mosq);
    if (fd < 0)
        return STEADY_PERIODIC(PERIOD_NS);
    if (c->b->uri.tls && c->state == MQTT_CONNECTING) /* want_write stays set: no spin on it */
        return STEADY_PERIODIC(TLS_STEP_NS);
    unsigned ev = (c->p_len == 0 && !c->stopping ? STEADY_FD_READABLE : 0u) |
                  (mosquitto_want_write(c->mosq) ? STEADY_FD_WRITABLE : 0u);
    return ev ? STEADY_FD(fd, (steady_fd_events)ev) : STEADY_PERIODIC(PERIOD_NS);
}

void steady__mqtt_flush_close(mqtt_client *c, uint32_t ms)
{
    if (c->state != MQTT_UP)
        return;
    c->state = MQTT_DOWN; /* the DISCONNECT's own callback is not a loss */
    steady__bridge_set_connected(c->b, false);
    (void)mosquitto_disconnect(c->mosq);
    uint64_t until = steady__mqtt_mono() + STEADY_MS(ms);
    int fd;
    while ((fd = mosquitto_socket(c->mosq)) >= 0 && mosquitto_want_write(c->mosq) &&
           steady__mqtt_mono() < until) {
        (void)poll(&(struct pollfd){.fd = fd, .events = POLLOUT}, 1, 10);
        if (mosquitto_loop_write(c->mosq, 1) != MOSQ_ERR_SUCCESS)
            break;
    }
}
