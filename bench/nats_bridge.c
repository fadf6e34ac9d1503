/* nats_bridge.c — u64 messages per second end to end through core NATS on loopback, with a
 * nats-server this program starts on 127.0.0.1 (it shares the machine's cores).
 *   raw     the floor: libnats as its users write it (its own threads), with the bridge's
 *           256 KiB socket buffers: one connection publishes 64 KiB messages of 8,187 u64
 *           (the bridge's frame size), another receives them on a thread with
 *           natsSubscription_NextMsg and sums the values;
 *   bridge  a graph source -> egress and a graph ingress -> sink, the egress and ingress of
 *           steady/bridge.h (64 KiB frames by default), the sink summing, each actor SOLO;
 *   bridge-troupes  the same with each pod's two actors in one troupe (one thread a pod);
 *   js-raw  JetStream (file storage) as libnats's users write it: js_PublishAsync of the same
 *           64 KiB messages, each with a message id, at most 32 unacknowledged (the bridge's
 *           window), and a thread pulling batches of 64 with natsSubscription_Fetch from a
 *           durable consumer, acknowledging the last of each (AckAll);
 *   js-bridge  source -> egress and ingress -> sink over nats+js:// (steady/bridge.h).
 * Core NATS is at most once: a run that lost anything (a slow consumer) is an error, not a
 * figure; JetStream runs must be exact. The result line's config is "nats/MODE". */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>
#include <steady/bridge.h>
#include <steady/steady.h>

#include "bench_common.h"
#include "bridge_pods.h"
#include "nats_server.h"

#define PER_FRAME ((64u * 1024u - STEADY_FRAME_HEADER) / 8u) /* 8,187 u64 */

static void die(const char *what, natsStatus s)
{
    fprintf(stderr, "error: %s: %s\n", what, natsStatus_GetText(s));
    exit(1);
}

/* Writes next, next+1, ... (at most a frame's worth, up to n) into v; returns how many. */
static uint64_t fill_frame(uint64_t *v, uint64_t next, uint64_t n)
{
    uint64_t k = n - next + 1 < PER_FRAME ? n - next + 1 : PER_FRAME;
    for (uint64_t i = 0; i < k; i++)
        v[i] = next + i;
    return k;
}

/* Adds the values of a raw frame (header, then u64s) to *sum; returns how many. */
static size_t sum_frame(natsMsg *m, uint64_t *sum)
{
    const uint64_t *v = (const void *)(natsMsg_GetData(m) + STEADY_FRAME_HEADER);
    size_t k = ((size_t)natsMsg_GetDataLength(m) - STEADY_FRAME_HEADER) / 8;
    for (size_t i = 0; i < k; i++)
        *sum += v[i];
    return k;
}

/* ---- raw ---- */

typedef struct raw_rx {
    natsSubscription *sub;
    uint64_t want, got, sum;
    uint64_t done_ns;
} raw_rx;

static void *raw_receive(void *p)
{
    raw_rx *r = p;
    while (r->got < r->want) {
        natsMsg *m = NULL;
        natsStatus s = natsSubscription_NextMsg(&m, r->sub, 10000);
        if (s != NATS_OK)
            die("raw: no message within 10 s (lost?)", s);
        r->got += sum_frame(m, &r->sum);
        natsMsg_Destroy(m);
    }
    r->done_ns = bench_now_ns();
    return NULL;
}

/* A connection with the socket buffers the bridge gives its client (256 KiB), so the floor
 * is libnats at its best for these frames, not at its 32 KiB default. */
static natsStatus connect_raw(natsConnection **nc, const char *url)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, url);
    if (s == NATS_OK)
        s = natsOptions_SetIOBufSize(o, 256 * 1024);
    if (s == NATS_OK)
        s = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    return s;
}

static uint64_t run_raw(const char *url, uint64_t n, uint64_t *sum)
{
    natsConnection *pub = NULL, *sub = NULL;
    natsStatus s = connect_raw(&pub, url);
    if (s == NATS_OK)
        s = connect_raw(&sub, url);
    raw_rx r = {.want = n};
    if (s == NATS_OK)
        s = natsConnection_SubscribeSync(&r.sub, sub, "bench.raw");
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(r.sub, -1, -1);
    if (s == NATS_OK)
        s = natsConnection_Flush(sub);
    if (s != NATS_OK)
        die("raw: connect and subscribe", s);
    unsigned char *msg = calloc(1, STEADY_FRAME_HEADER + PER_FRAME * 8);
    uint64_t *v = (uint64_t *)(void *)(msg + STEADY_FRAME_HEADER);
    pthread_t t;
    pthread_create(&t, NULL, raw_receive, &r);
    uint64_t t0 = bench_now_ns();
    for (uint64_t next = 1; next <= n;) {
        uint64_t k = fill_frame(v, next, n);
        s = natsConnection_Publish(pub, "bench.raw", msg, (int)(STEADY_FRAME_HEADER + k * 8));
        if (s != NATS_OK)
            die("raw: publish", s);
        next += k;
    }
    natsConnection_Flush(pub);
    pthread_join(t, NULL);
    *sum = r.sum;
    free(msg);
    natsSubscription_Destroy(r.sub);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(sub);
    return r.done_ns - t0;
}

/* ---- JetStream raw ---- */

typedef struct js_rx {
    natsSubscription *sub;
    uint64_t want, got, sum, done_ns;
} js_rx;

static void *js_receive(void *p)
{
    js_rx *r = p;
    while (r->got < r->want) {
        natsMsgList list = {0};
        natsStatus s = natsSubscription_Fetch(&list, r->sub, 64, 10000, NULL);
        if (s != NATS_OK)
            die("js-raw: no message within 10 s (lost?)", s);
        for (int i = 0; i < list.Count; i++) {
            r->got += sum_frame(list.Msgs[i], &r->sum);
        }
        natsMsg_Ack(list.Msgs[list.Count - 1], NULL); /* AckAll: the batch */
        natsMsgList_Destroy(&list);
    }
    r->done_ns = bench_now_ns();
    return NULL;
}

static uint64_t run_js_raw(const char *url, uint64_t n, uint64_t *sum)
{
    natsConnection *pub = NULL, *sub = NULL;
    jsCtx *js = NULL, *jsub = NULL;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 32;
    natsStatus s = connect_raw(&pub, url);
    if (s == NATS_OK)
        s = connect_raw(&sub, url);
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js, pub, &jo);
    if (s == NATS_OK)
        s = natsConnection_JetStream(&jsub, sub, NULL);
    const char *subjects[] = {"bench.js"};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = "BENCHRAW";
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    if (s == NATS_OK)
        s = js_AddStream(NULL, js, &sc, NULL, NULL);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.AckPolicy = js_AckAll;
    so.Config.MaxAckPending = 1024;
    js_rx r = {.want = n};
    if (s == NATS_OK)
        s = js_PullSubscribe(&r.sub, jsub, "bench.js", "raw", NULL, &so, NULL);
    if (s != NATS_OK)
        die("js-raw: connect, stream and consumer", s);
    unsigned char *msg = calloc(1, STEADY_FRAME_HEADER + PER_FRAME * 8);
    uint64_t *v = (uint64_t *)(void *)(msg + STEADY_FRAME_HEADER);
    pthread_t t;
    pthread_create(&t, NULL, js_receive, &r);
    uint64_t t0 = bench_now_ns();
    for (uint64_t next = 1; next <= n;) {
        uint64_t k = fill_frame(v, next, n);
        char id[32];
        snprintf(id, sizeof id, "%" PRIu64, next);
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = id;
        po.MaxWait = 10000; /* stalls at MaxPending unacknowledged */
        s = js_PublishAsync(js, "bench.js", msg, (int)(STEADY_FRAME_HEADER + k * 8), &po);
        if (s != NATS_OK)
            die("js-raw: publish", s);
        next += k;
    }
    js_PublishAsyncComplete(js, NULL);
    pthread_join(t, NULL);
    *sum = r.sum;
    free(msg);
    natsSubscription_Destroy(r.sub);
    jsCtx_Destroy(js);
    jsCtx_Destroy(jsub);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(sub);
    return r.done_ns - t0;
}

/* ---- bridge ---- */

static uint64_t run_bridge(const char *url, uint64_t n, uint64_t *sum, bool troupes, bool js)
{
    char uri[1024];
    if (js)
        snprintf(uri, sizeof uri, "nats+js://%s/BENCHJS/bench.bridge", url + strlen("nats://"));
    else
        snprintf(uri, sizeof uri, "%s/bench.bridge", url);
    return bench_bridge_run(uri, n, sum, troupes);
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"raw", 200000000},   {"bridge", 200000000},   {"bridge-troupes", 200000000},
        {"js-raw", 20000000}, {"js-bridge", 20000000}, {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    steady_log_set_level(STEADY_LOG_WARN);
    nats_server server = {0};
    bool js = mode >= 3;
    if (!(js ? nats_server_start_js(&server) : nats_server_start(&server, 0))) {
        fprintf(stderr, "error: cannot start nats-server (Debian: apt-get install nats-server)\n");
        return 1;
    }
    uint64_t sum = 0, c0 = bench_cpu_ns();
    uint64_t wall = mode == 0   ? run_raw(server.url, n, &sum)
                    : mode == 3 ? run_js_raw(server.url, n, &sum)
                                : run_bridge(server.url, n, &sum, mode == 2, mode == 4);
    uint64_t cpu = bench_cpu_ns() - c0;
    if (js)
        nats_server_remove_store(&server);
    else
        nats_server_stop(&server, false);
    char config[32];
    snprintf(config, sizeof config, "nats/%s", modes[mode].name);
    bench_check_sum(config, sum, bench_sum_1_to_n(n));
    bench_print(&(bench_result){.config = config, .n = n, .wall_ns = wall, .cpu_ns = cpu});
    return 0;
}
