/* mqtt_bridge.c — u64 messages per second end to end through MQTT on loopback, with a
 * mosquitto this program starts on 127.0.0.1 (it shares the machine's cores).
 *   raw0, raw1  the floor: libmosquitto as its users write it (mosquitto_loop_start: a thread
 *               per client), TCP_NODELAY as the bridge sets it: one client publishes 64 KiB
 *               messages of 8,187 u64 (the bridge's frame size) at QoS 0 or 1, at most 32 not
 *               yet completed (the bridge's window), another receives them and sums the values;
 *   bridge0, bridge1  source -> egress and ingress -> sink over mqtt://...?qos=N
 *               (steady/bridge.h), each actor SOLO.
 * A run that lost anything is an error, not a figure (the broker queues without limit). The
 * result line's config is "mqtt/MODE". */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <steady/bridge.h>
#include <steady/steady.h>

#include "bench_common.h"
#include "bridge_pods.h"
#include "mqtt_broker.h"

#define PER_FRAME ((64u * 1024u - STEADY_FRAME_HEADER) / 8u) /* 8,187 u64 */
#define WINDOW 32

typedef struct raw {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int inflight;
    bool subscribed, done;
    uint64_t want, got, sum, done_ns;
} raw;

static void ok(int rc, const char *what)
{
    if (rc != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "error: raw: %s: %s\n", what, mosquitto_strerror(rc));
        exit(1);
    }
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m, (void)mid;
    raw *r = obj;
    pthread_mutex_lock(&r->mu);
    r->inflight--;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    (void)m, (void)mid, (void)n, (void)granted;
    raw *r = obj;
    pthread_mutex_lock(&r->mu);
    r->subscribed = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    raw *r = obj;
    const uint64_t *v = (const void *)((const unsigned char *)msg->payload + STEADY_FRAME_HEADER);
    size_t k = ((size_t)msg->payloadlen - STEADY_FRAME_HEADER) / 8;
    uint64_t sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += v[i];
    pthread_mutex_lock(&r->mu);
    r->sum += sum;
    r->got += k;
    if (r->got >= r->want && !r->done) {
        r->done = true;
        r->done_ns = bench_now_ns();
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

/* A client with a thread of its own, connected. */
static struct mosquitto *client(raw *r, int port)
{
    struct mosquitto *m = mosquitto_new(NULL, true, r);
    if (!m) {
        fprintf(stderr, "error: raw: mosquitto_new\n");
        exit(1);
    }
    ok(mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY");
    ok(mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, WINDOW), "send maximum");
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_message_callback_set(m, on_message);
    ok(mosquitto_connect(m, "127.0.0.1", port, 60), "connect");
    ok(mosquitto_loop_start(m), "loop_start");
    return m;
}

static void wait_for(raw *r, bool *flag)
{
    pthread_mutex_lock(&r->mu);
    while (!*flag)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
}

static uint64_t run_raw(int port, int qos, uint64_t n, uint64_t *sum)
{
    raw r = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .want = n};
    struct mosquitto *sub = client(&r, port);
    ok(mosquitto_subscribe(sub, NULL, "bench/raw", qos), "subscribe");
    wait_for(&r, &r.subscribed);
    struct mosquitto *pub = client(&r, port);
    unsigned char *msg = calloc(1, STEADY_FRAME_HEADER + PER_FRAME * 8);
    uint64_t *v = (uint64_t *)(void *)(msg + STEADY_FRAME_HEADER);
    uint64_t t0 = bench_now_ns();
    for (uint64_t next = 1; next <= n;) {
        uint64_t k = n - next + 1 < PER_FRAME ? n - next + 1 : PER_FRAME;
        for (uint64_t i = 0; i < k; i++)
            v[i] = next + i;
        pthread_mutex_lock(&r.mu);
        while (r.inflight >= WINDOW)
            pthread_cond_wait(&r.cv, &r.mu);
        r.inflight++;
        pthread_mutex_unlock(&r.mu);
        ok(mosquitto_publish(pub, NULL, "bench/raw", (int)(STEADY_FRAME_HEADER + k * 8), msg, qos,
                             false),
           "publish");
        next += k;
    }
    wait_for(&r, &r.done);
    *sum = r.sum;
    free(msg);
    for (int i = 0; i < 2; i++) {
        struct mosquitto *m = i ? pub : sub;
        mosquitto_disconnect(m);
        mosquitto_loop_stop(m, false);
        mosquitto_destroy(m);
    }
    return r.done_ns - t0;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"raw0", 50000000},
                                       {"bridge0", 50000000},
                                       {"raw1", 50000000},
                                       {"bridge1", 50000000},
                                       {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    steady_log_set_level(STEADY_LOG_WARN);
    mosquitto_lib_init();
    mqtt_broker broker = {.quiet = true};
    if (!mqtt_broker_start(&broker, 0)) {
        fprintf(stderr, "error: cannot start mosquitto (Debian: apt-get install mosquitto)\n");
        return 1;
    }
    int qos = mode >= 2;
    uint64_t sum = 0, c0 = bench_cpu_ns(), wall;
    if (mode % 2 == 0) {
        wall = run_raw(broker.port, qos, n, &sum);
    } else {
        char uri[128];
        snprintf(uri, sizeof uri, "%s/bench/bridge?qos=%d", broker.url, qos);
        wall = bench_bridge_run(uri, n, &sum, false);
    }
    uint64_t cpu = bench_cpu_ns() - c0;
    mqtt_broker_remove(&broker);
    mosquitto_lib_cleanup();
    char config[32];
    snprintf(config, sizeof config, "mqtt/%s", modes[mode].name);
    bench_check_sum(config, sum, bench_sum_1_to_n(n));
    bench_print(&(bench_result){.config = config, .n = n, .wall_ns = wall, .cpu_ns = cpu});
    return 0;
}
