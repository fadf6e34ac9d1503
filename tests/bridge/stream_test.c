/* stream_test.c — variable-size messages across bridges (steady_bridge_stream_egress /
 * steady_bridge_stream_ingress) over a real nats-server with JetStream and a real mosquitto,
 * both started by the test on 127.0.0.1 and free ports: 10,000 messages of 8 bytes to 3 KB,
 * with one of 100,000 bytes (larger than a 64 KiB frame) every 997, cross core NATS, JetStream
 * and MQTT QoS 1 and 2 in order with every byte checked, and the end stops the receiving pod;
 * a channel's frames and a stream's refuse each other; a message larger than the receiving
 * stream's max_message is refused and counted while the rest crosses; bad arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <steady/bridge.h>
#include <steady/steady.h>
#include <steady/stream.h>

#ifdef STEADY_TEST_MQTT
#include <mosquitto.h>

#include "mqtt_broker.h"
#endif
#include "nats_server.h"
#include "pods.h"
#include "steady_test_support.h"

static nats_server server;
#ifdef STEADY_TEST_MQTT
static mqtt_broker broker = {.quiet = true};
#endif

#define BIG 100000 /* a message larger than a 64 KiB frame */

static size_t msg_len(uint64_t i)
{
    return i % 997 == 500 ? BIG : 8 + (size_t)((i * 37) % 3001);
}

/* Message i: its number in the first 8 bytes, then a pattern of i and the place. */
static void msg_fill(unsigned char *p, uint64_t i, size_t len)
{
    memcpy(p, &i, sizeof i);
    for (size_t k = sizeof i; k < len; k++)
        p[k] = (unsigned char)(i * 131 + k * 7);
}

/* ---- the pods: a producer of n messages -> egress; ingress -> a checker ---- */

typedef struct producer {
    steady_stream_tx out;
    uint64_t n;
    const size_t *lens; /* NULL: msg_len */
} producer;

static int producer_run(steady_actor *a, void *arg)
{
    producer *p = arg;
    uint64_t i = 0;
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_tx_close(p->out)))) {
        if (i == p->n) {
            steady_stream_tx_close(p->out);
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        size_t len = p->lens ? p->lens[i] : msg_len(i);
        void *at;
        steady_err e = steady_stream_claim_wait(a, p->out, len, &at);
        if (e == STEADY_ESHUTDOWN)
            continue;
        if (e != STEADY_OK)
            return 1;
        if (len >= 8)
            msg_fill(at, i, len);
        else
            memset(at, 'x', len);
        if (steady_stream_publish(p->out, len) != STEADY_OK)
            return 1;
        i++;
    }
    return 0;
}

typedef struct checker {
    steady_stream_rx in;
    uint64_t count, bad, out_of_order, last;
    bool any;
    const size_t *expect;    /* the lengths by number (NULL: msg_len) */
    size_t lens[8];          /* the first 8 lengths received */
    unsigned char want[BIG]; /* what a message should hold */
} checker;

static void check_one(checker *c, const steady_stream_msg *m)
{
    if (c->count < 8)
        c->lens[c->count] = m->len;
    c->count++;
    if (m->len < 8)
        return;
    uint64_t i;
    memcpy(&i, m->data, sizeof i);
    msg_fill(c->want, i, m->len);
    size_t len = c->expect ? c->expect[i] : msg_len(i);
    c->bad += m->len != len || memcmp(c->want, m->data, m->len) != 0;
    c->out_of_order += c->any && i <= c->last;
    c->last = i;
    c->any = true;
}

static int checker_run(steady_actor *a, void *arg)
{
    checker *c = arg;
    steady_stream_msg m[32];
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_rx_is_closed_and_empty(c->in)))) {
        if (steady_stream_rx_is_closed_and_empty(c->in)) { /* the end crossed the bridge */
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        size_t n = steady_stream_peek_batch(c->in, m, 32);
        for (size_t k = 0; k < n; k++)
            check_one(c, &m[k]);
        if (n)
            steady_stream_advance_take(c->in, n);
        else
            steady_wait_avail(a, c->in.lens, 1);
    }
    return 0;
}

static steady_graph *stream_publisher(const steady_bridge_opts *o, producer *p, uint32_t max_msg,
                                      steady_actor **out)
{
    steady_graph *g = new_graph("publish");
    steady_stream_rx rx;
    steady_stream_opts so = {.name = "messages", .max_message = max_msg};
    assert_int_equal(steady_stream_new(g, &so, &p->out, &rx), STEADY_OK);
    assert_int_equal(steady_bridge_stream_egress(g, rx, o, out), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "producer",
                                                .run = producer_run,
                                                .arg = p,
                                                .txs = STEADY_TXS(p->out.lens, p->out.bytes)},
                           NULL),
        STEADY_OK);
    return g;
}

static steady_graph *stream_subscriber(const steady_bridge_opts *o, checker *c, uint32_t max_msg,
                                       steady_actor **in)
{
    steady_graph *g = new_graph("subscribe");
    steady_stream_tx tx;
    steady_stream_opts so = {.name = "received", .max_message = max_msg};
    assert_int_equal(steady_stream_new(g, &so, &tx, &c->in), STEADY_OK);
    assert_int_equal(steady_bridge_stream_ingress(g, tx, o, in), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "checker",
                                                .run = checker_run,
                                                .arg = c,
                                                .rxs = STEADY_RXS(c->in.lens, c->in.bytes)},
                           NULL),
        STEADY_OK);
    return g;
}

/* n messages from a publishing pod to a subscribing pod (the subscriber first); both stop by
 * themselves. */
static void cross(const char *uri, uint64_t n, checker *c, steady_bridge_stats *e,
                  steady_bridge_stats *i)
{
    producer p = {.n = n};
    steady_actor *in, *out;
    steady_bridge_opts o = {.uri = uri};
    steady_graph *sub = stream_subscriber(&o, c, 0, &in), *pub = stream_publisher(&o, &p, 0, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 60000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 60000), STEADY_OK);
    *e = stats(out);
    *i = stats(in);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

static void messages_cross_each_transport_in_order(void **state)
{
    (void)state;
    char uris[5][1024];
    int k = 0;
    snprintf(uris[k++], sizeof uris[0], "%s/test.messages", server.url);
    snprintf(uris[k++], sizeof uris[0], "nats+js://%s/MESSAGES/test.js-messages",
             server.url + strlen("nats://"));
#ifdef STEADY_TEST_MQTT
    snprintf(uris[k++], sizeof uris[0], "%s/test/messages1?qos=1", broker.url);
    snprintf(uris[k++], sizeof uris[0], "%s/test/messages2?qos=2", broker.url);
#endif
    const uint64_t n = 10000;
    for (int t = 0; t < k; t++) {
        static checker c;
        memset(&c, 0, sizeof c);
        steady_bridge_stats e, i;
        cross(uris[t], n, &c, &e, &i);
        bool lossy = strncmp(uris[t], "nats://", 7) == 0; /* core NATS: at most once */
        print_message("%s: %llu messages, %llu frames, %llu gaps\n", uris[t],
                      (unsigned long long)c.count, (unsigned long long)e.frames,
                      (unsigned long long)i.gaps);
        assert_int_equal(e.elems, n);
        assert_int_equal(e.next_seq, n);
        assert_true(e.frames > n / 40); /* about 1.5 KB each: ~40 to a 64 KiB frame */
        assert_int_equal(c.bad, 0);
        assert_int_equal(c.out_of_order, 0);
        assert_int_equal(c.count + i.gaps, n);
        if (!lossy) {
            assert_int_equal(c.count, n);
            assert_int_equal(i.gaps, 0);
        }
        assert_int_equal(i.refused[STEADY_FRAME_TOO_LARGE], 0);
    }
}

/* A message above the receiving stream's max_message: its frame is refused (counted, with the
 * fix in the log), what came before and after crosses, the end stops the receiver. Empty
 * messages cross too. One message per frame (max_batch 1). */
static void a_message_too_large_for_the_receiver_is_refused_and_counted(void **state)
{
    (void)state;
    static const size_t lens[] = {10, 2000, 0, 10, 0};
    char uri[160];
    snprintf(uri, sizeof uri, "%s/test.too-large", server.url);
    steady_bridge_opts o = {.uri = uri, .max_batch = 1};
    producer p = {.n = 5, .lens = lens};
    static checker c;
    memset(&c, 0, sizeof c);
    c.expect = lens;
    steady_actor *in, *out;
    steady_graph *sub = stream_subscriber(&o, &c, 100, &in);
    steady_graph *pub = stream_publisher(&o, &p, 4096, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    capture_start();
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    capture_stop();
    assert_non_null(strstr(captured, "a message of 2000 bytes, this stream takes at most 100 (its "
                                     "max_message): give the receiving stream a larger "
                                     "max_message"));
    steady_bridge_stats i = stats(in);
    assert_int_equal(i.refused[STEADY_FRAME_TOO_LARGE], 1);
    assert_int_equal(i.gaps, 1);
    assert_int_equal(c.count, 4);
    assert_int_equal(c.lens[0], 10);
    assert_int_equal(c.lens[1], 0);
    assert_int_equal(c.lens[2], 10);
    assert_int_equal(c.lens[3], 0);
    assert_int_equal(c.bad, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

/* A stream's egress and a channel's ingress on one subject, and the other way round: every
 * frame refused as another element size, nothing delivered; the receivers are stopped by hand
 * (the end is refused too). */
static void a_channel_and_a_stream_refuse_each_others_frames(void **state)
{
    (void)state;
    char uri[160];
    snprintf(uri, sizeof uri, "%s/test.kinds", server.url);
    steady_bridge_opts o = {.uri = uri};
    /* stream -> channel */
    sink k = {0};
    steady_actor *in, *out;
    steady_graph *sub = subscriber_opts(&o, &k, &in);
    producer p = {.n = 100};
    steady_graph *pub = stream_publisher(&o, &p, 0, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    uint64_t t0 = now_ns();
    while (stats(in).refused[STEADY_FRAME_ELEM_SIZE] < 2 && ms_since(t0) < 10000)
        sleep_ms(5);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    assert_true(stats(in).refused[STEADY_FRAME_ELEM_SIZE] >= 2); /* a frame and the end */
    assert_int_equal(k.count, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
    /* channel -> stream */
    static checker c;
    memset(&c, 0, sizeof c);
    sub = stream_subscriber(&o, &c, 0, &in);
    source s = {.n = 1000};
    pub = publisher_opts(&o, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    t0 = now_ns();
    while (stats(in).refused[STEADY_FRAME_ELEM_SIZE] < 2 && ms_since(t0) < 10000)
        sleep_ms(5);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    assert_true(stats(in).refused[STEADY_FRAME_ELEM_SIZE] >= 2);
    assert_int_equal(c.count, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

static void stream_bridge_calls_refuse_bad_arguments(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad");
    steady_stream_tx tx;
    steady_stream_rx rx;
    assert_int_equal(steady_stream_new(g, &(steady_stream_opts){.name = "s"}, &tx, &rx), STEADY_OK);
    u64ch_tx ctx;
    u64ch_rx crx;
    assert_int_equal(u64ch_new(g, "c", 8, &ctx, &crx), STEADY_OK);
    steady_bridge_opts o = {.uri = "nats://127.0.0.1/x"};
    steady_stream_rx none_rx = {{NULL}, {NULL}};
    steady_stream_tx none_tx = {{NULL}, {NULL}, 0};
    assert_int_equal(steady_bridge_stream_egress(g, none_rx, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "a NULL stream end"));
    assert_int_equal(steady_bridge_stream_ingress(g, none_tx, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "a NULL stream end"));
    assert_int_equal(steady_bridge_stream_egress(NULL, rx, &o, NULL), STEADY_EINVAL);
    assert_int_equal(steady_bridge_stream_egress(g, rx, NULL, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "must not be NULL"));
    assert_int_equal(steady_bridge_stream_ingress(g, tx, &(steady_bridge_opts){0}, NULL),
                     STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "opts.uri is NULL"));
    /* a stream end whose bytes half is not one (a channel's sending end given as receiving) */
    steady_stream_rx mixed = {{rx.lens.raw}, {(steady_rx *)(void *)ctx.raw}};
    assert_int_equal(steady_bridge_stream_egress(g, mixed, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "not a receiving end of a stream"));
    assert_int_equal(
        steady_bridge_stream_egress(g, rx, &(steady_bridge_opts){.uri = "nats://h/a.*"}, NULL),
        STEADY_EINVAL);
    steady_actor *a;
    assert_int_equal(steady_bridge_stream_egress(g, rx, &o, &a), STEADY_OK);
    steady_bridge_stats st;
    assert_int_equal(steady_bridge_stats_get(a, &st), STEADY_OK);
    assert_int_equal(st.elems, 0);
    steady_bridge_opts again = {.uri = o.uri, .name = "egress-2"};
    assert_int_equal(steady_bridge_stream_egress(g, rx, &again, NULL), STEADY_EBOUND); /* owned */
    steady_bridge_opts big = {.uri = o.uri, .name = "ingress-big", .max_batch = UINT32_MAX};
    assert_int_equal(steady_bridge_stream_ingress(g, tx, &big, NULL), STEADY_OK);
    steady_graph_free(g); /* never started */
    /* wrong state: a graph already running takes no bridge */
    g = new_graph("running");
    producer p = {.n = 0};
    static checker c;
    memset(&c, 0, sizeof c);
    assert_int_equal(steady_stream_new(g, &(steady_stream_opts){.name = "s"}, &p.out, &c.in),
                     STEADY_OK);
    steady_actor_opts ao[] = {
        {.name = "producer",
         .run = producer_run,
         .arg = &p,
         .txs = STEADY_TXS(p.out.lens, p.out.bytes)},
        {.name = "checker",
         .run = checker_run,
         .arg = &c,
         .rxs = STEADY_RXS(c.in.lens, c.in.bytes)},
    };
    for (int i = 0; i < 2; i++)
        assert_int_equal(steady_actor_spawn(g, &ao[i], NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_bridge_stream_egress(g, c.in, &o, NULL), STEADY_ESTATE);
    assert_int_equal(steady_bridge_stream_ingress(g, p.out, &o, NULL), STEADY_ESTATE);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

static int start_servers(void **state)
{
    (void)state;
    if (!nats_server_path())
        fail_msg("nats-server is not installed; run make deps-test");
    if (!nats_server_start_js(&server))
        return -1;
#ifdef STEADY_TEST_MQTT
    if (!mqtt_broker_path())
        fail_msg("mosquitto is not installed; run make deps-test");
    mosquitto_lib_init();
    if (!mqtt_broker_start(&broker, 0))
        return -1;
#endif
    return 0;
}

static int stop_servers(void **state)
{
    (void)state;
    nats_server_remove_store(&server);
#ifdef STEADY_TEST_MQTT
    mqtt_broker_remove(&broker);
    mosquitto_lib_cleanup();
#endif
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_cross_each_transport_in_order),
        cmocka_unit_test(a_message_too_large_for_the_receiver_is_refused_and_counted),
        cmocka_unit_test(a_channel_and_a_stream_refuse_each_others_frames),
        cmocka_unit_test(stream_bridge_calls_refuse_bad_arguments),
    };
    return cmocka_run_group_tests(tests, start_servers, stop_servers);
}
