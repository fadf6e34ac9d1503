/* nats_test.c — the core NATS bridge actors (steady/bridge.h) against a real nats-server on
 * 127.0.0.1 and a free port: a stream crosses in order and its end stops the receiving graph;
 * bad peers' messages are refused and counted; a server killed and started again mid-stream
 * costs only counted gaps (core NATS is at most once); a stop with no server is bounded and
 * says the egress could not finish. The publishing and subscribing graphs are two graphs of
 * this process (two pods in one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/bridge.h>
#include <steady/steady.h>

#include "nats_server.h"
#include "pods.h"
#include "steady_test_support.h"

static nats_server server;

static int start_server(void **state)
{
    (void)state;
    if (!nats_server_path()) {
        /* The server is a test dependency (make deps-test installs nats-server). */
        fail_msg("nats-server is not installed; run make deps-test");
    }
    return nats_server_start(&server, 0) ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    nats_server_stop(&server, false);
    return 0;
}

static void uri_for(char *dst, size_t cap, const char *subject)
{
    snprintf(dst, cap, "%s/%s", server.url, subject);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void a_stream_crosses_in_order_and_its_end_stops_the_receiver(void **state)
{
    (void)state;
    char uri[128];
    uri_for(uri, sizeof uri, "test.stream");
    sink k = {0};
    source s = {.n = 300000};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 10000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    assert_int_equal(k.count, s.n);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.last, s.n - 1);
    steady_bridge_stats e = stats(out), i = stats(in);
    assert_int_equal(e.elems, s.n);
    assert_int_equal(e.next_seq, s.n);
    assert_true(e.frames >= s.n / 8185 + 1); /* 64 KiB frames: 8,187 u64 each, and the end */
    assert_int_equal(i.elems, s.n);
    assert_int_equal(i.frames, e.frames);
    assert_int_equal(i.gaps + i.duplicates + i.dropped, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

/* A subscriber stopped while its sink takes nothing and the frames wait in its client: they
 * are lost (core NATS), and the ingress counts them as dropped and says so. */
static void a_stop_counts_what_the_ingress_received_and_never_delivered(void **state)
{
    (void)state;
    char uri[128];
    uri_for(uri, sizeof uri, "test.undelivered");
    sink k = {.hold_at = 10000};
    source s = {.n = 300000};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    capture_start();
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 10000), STEADY_OK);
    sleep_ms(200); /* the last frames reach the subscriber's client */
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    capture_stop();
    steady_bridge_stats i = stats(in);
    steady_graph_free(pub);
    steady_graph_free(sub);
    print_message("%llu frames dropped at the stop\n", (unsigned long long)i.dropped);
    assert_true(i.dropped >= 1);
    assert_true(k.count < s.n);
    assert_int_equal(k.count, i.elems);
    char want[96];
    snprintf(want, sizeof want, "stopped with %llu frame(s) received and not delivered: dropped",
             (unsigned long long)i.dropped);
    if (!strstr(captured, want))
        fail_msg("wanted '%s' in the log:\n%s", want, captured);
}

/* An allocator that refuses blocks the size of a bridge's frame buffer (64 KiB and its block
 * header) while `refuse_frames` is set: nothing else of a built graph is that size. */
static atomic_bool refuse_frames;
static atomic_uint refused_frames;

static void *picky_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    if (atomic_load(&refuse_frames) && size >= 65536 && size <= 65536 + 128) {
        atomic_fetch_add(&refused_frames, 1);
        return NULL;
    }
    void *p = NULL;
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static void picky_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* An egress whose frame buffer cannot be had fails with a line that says so (it used the NULL
 * buffer), is restarted as its supervision says, and the graph's stop says it is degraded. */
static void an_egress_out_of_memory_fails_and_says_so(void **state)
{
    (void)state;
    assert_int_equal(steady_set_allocator(&(steady_allocator){picky_alloc, picky_free, NULL}),
                     STEADY_OK);
    char uri[128];
    uri_for(uri, sizeof uri, "test.oom");
    source s = {.n = 1000};
    steady_actor *out;
    steady_graph *pub = publisher(uri, &s, &out);
    capture_start();
    atomic_store(&refuse_frames, true);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    for (int i = 0; i < 500 && atomic_load(&refused_frames) < 2; i++)
        sleep_ms(10);
    steady_graph_request_shutdown(pub);
    steady_err e = steady_graph_block_until_stopped(pub, 5000);
    atomic_store(&refuse_frames, false);
    steady_graph_free(pub);
    capture_stop();
    assert_int_equal(steady_set_allocator(NULL), STEADY_OK);
    assert_true(atomic_load(&refused_frames) >= 2); /* failed, restarted, failed again */
    assert_true(e == STEADY_EDEGRADED || e == STEADY_EUNCLEAN);
    if (!strstr(captured, "bridge 'egress'") || !strstr(captured, "out of memory for 65536 bytes"))
        fail_msg("log:\n%s", captured);
}

static void nats_publish(void *nc, const void *p, size_t n)
{
    assert_int_equal(natsConnection_Publish(nc, "test.bad", p, (int)n), NATS_OK);
}

static void bad_peers_are_refused_and_counted(void **state)
{
    (void)state;
    char uri[128];
    uri_for(uri, sizeof uri, "test.bad");
    sink k = {0};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k, 0xfeed, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    natsConnection *nc = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, server.url), NATS_OK);
    send_bad_peers(nats_publish, nc);
    assert_int_equal(natsConnection_FlushTimeout(nc, 5000), NATS_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    natsConnection_Destroy(nc);
    assert_bad_peers_outcome(&k, in);
    steady_graph_free(sub);
}

/* The log lines of the server-kill test: a line about one bridge must not be labelled with
 * the other's name (libnats's threads inherited the first actor's, "T[ingress]"). */
static pthread_mutex_t lines_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned mislabelled, lost_lines;

static void sink_lines(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx, (void)level, (void)len;
    pthread_mutex_lock(&lines_mu);
    if (strstr(line, "lost its server")) {
        lost_lines++;
        mislabelled += (strstr(line, "bridge 'egress'") && strstr(line, "T[ingress]")) ||
                       (strstr(line, "bridge 'ingress'") && strstr(line, "T[egress]"));
    }
    pthread_mutex_unlock(&lines_mu);
    fprintf(stderr, "%s\n", line);
}

static void a_server_killed_mid_stream_costs_only_counted_gaps(void **state)
{
    (void)state;
    steady_log_set_sink(sink_lines, NULL);
    char uri[128];
    uri_for(uri, sizeof uri, "test.restart");
    sink k = {0};
    /* About 2 s of stream at 100,000 values a second: it goes on well after both clients are
     * back, so the end and the last values arrive (core NATS loses what is published while a
     * subscriber is away). */
    source s = {.n = 200000, .pace = 100};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    uint64_t t0 = now_ns();
    while (stats(in).elems < 20000 && ms_since(t0) < 10000)
        sleep_ms(1);
    assert_int_equal(steady_link_state_get(in), STEADY_LINK_UP);
    nats_server_stop(&server, true);
    /* the bridges' links go down (telemetry draws them red), then up again */
    t0 = now_ns();
    while ((steady_link_state_get(in) != STEADY_LINK_DOWN ||
            steady_link_state_get(out) != STEADY_LINK_DOWN) &&
           ms_since(t0) < 5000)
        sleep_ms(1);
    assert_int_equal(steady_link_state_get(in), STEADY_LINK_DOWN);
    assert_int_equal(steady_link_state_get(out), STEADY_LINK_DOWN);
    assert_true(nats_server_start(&server, server.port));
    t0 = now_ns();
    while (steady_link_state_get(in) != STEADY_LINK_UP && ms_since(t0) < 10000)
        sleep_ms(1);
    assert_int_equal(steady_link_state_get(in), STEADY_LINK_UP);
    steady_actor_info info[2];
    assert_int_equal(steady_inspect_actors(sub, info, 2), 2);
    assert_string_equal(info[0].link_kind, "nats ingress");
    char want[128];
    snprintf(want, sizeof want, "nats://127.0.0.1:%d/test.restart", server.port);
    assert_string_equal(info[0].link_endpoint, want);
    assert_true(info[0].link_downs >= 1);
    assert_int_equal(steady_graph_block_until_stopped(pub, 20000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 20000), STEADY_OK);
    steady_bridge_stats e = stats(out), i = stats(in);
    assert_int_equal(e.elems, s.n); /* the egress handed everything to its client */
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.count + i.gaps, s.n); /* what did not arrive is counted */
    assert_int_equal(i.duplicates, 0);
    assert_true(e.reconnects >= 1 && i.reconnects >= 1);
    assert_true(k.count > 20000 && k.last == s.n - 1); /* values after the restart arrived */
    steady_log_set_sink(NULL, NULL);
    assert_true(lost_lines >= 2);
    assert_int_equal(mislabelled, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

static void a_stop_with_no_server_is_bounded_and_names_the_egress(void **state)
{
    (void)state;
    char uri[128];
    snprintf(uri, sizeof uri, "nats://127.0.0.1:%d/test.none", server.port);
    nats_server_stop(&server, true); /* nobody listens there now */
    source s = {.n = 100};
    steady_actor *out;
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    uint64_t t0 = now_ns();
    steady_err e = steady_graph_block_until_stopped(pub, 500);
    assert_true(ms_since(t0) < 5000);
    assert_int_equal(e, STEADY_EUNCLEAN); /* its frames never left: the stop says so */
    assert_non_null(strstr(steady_last_error(), "actor 'egress' vetoed"));
    assert_false(stats(out).connected);
    steady_graph_free(pub);
    assert_true(nats_server_start(&server, server.port));
}

/* Two subscribing pods in one queue group share the stream: each frame reaches one of them,
 * each sees its part in order, the two parts make the whole stream exactly, and the end reaches
 * both (on the end subject every member also subscribes to), so both stop by themselves. */
extern _Atomic bool steady__bridge_no_end_repeats; /* tests only (bridge_impl.h) */

static void a_queue_group_splits_the_stream_and_both_members_end(void **state)
{
    (void)state;
    /* The end published once: it reaches the member that did not get it from the group only
     * through the end subject (with the repeats, both would get it by chance, p ~ 0.998). */
    atomic_store(&steady__bridge_no_end_repeats, true);
    char uri[160];
    snprintf(uri, sizeof uri, "%s/test.queue?queue=workers", server.url);
    char pub_uri[128];
    uri_for(pub_uri, sizeof pub_uri, "test.queue");
    sink k1 = {0}, k2 = {0};
    source s = {.n = 200000, .pace = 1000};
    steady_actor *in1, *in2, *out;
    steady_graph *sub1 = subscriber(uri, &k1, 0, &in1), *sub2 = subscriber(uri, &k2, 0, &in2);
    steady_graph *pub = publisher(pub_uri, &s, &out);
    assert_int_equal(steady_graph_start(sub1), STEADY_OK);
    assert_int_equal(steady_graph_start(sub2), STEADY_OK);
    await_ready(in1);
    await_ready(in2);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 10000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub1, 10000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub2, 10000), STEADY_OK);
    assert_int_equal(k1.out_of_order + k2.out_of_order, 0);
    assert_int_equal(k1.count + k2.count, s.n); /* audited as a whole: nothing lost or twice */
    assert_true(k1.count > 0 && k2.count > 0);
    steady_bridge_stats i1 = stats(in1), i2 = stats(in2);
    assert_int_equal(i1.duplicates + i2.duplicates, 0);
    assert_int_equal(i1.elems + i2.elems, s.n);
    steady_graph_free(pub);
    steady_graph_free(sub1);
    steady_graph_free(sub2);
    atomic_store(&steady__bridge_no_end_repeats, false);
}

/* The client's last callbacks run on libnats's own thread after the actor destroyed it: a graph
 * freed at once must not be reached by them (it was: a use after free in 7 % of the bench's
 * runs, "lost its server" printed from freed memory). */
static void freeing_a_graph_as_soon_as_its_bridge_stopped_is_safe(void **state)
{
    (void)state;
    char uri[128];
    uri_for(uri, sizeof uri, "test.free");
    for (int i = 0; i < 100; i++) {
        sink k = {0};
        steady_actor *in;
        steady_graph *sub = subscriber(uri, &k, 0, &in);
        assert_int_equal(steady_graph_start(sub), STEADY_OK);
        await_ready(in);
        steady_graph_request_shutdown(sub);
        assert_int_equal(steady_graph_block_until_stopped(sub, 5000), STEADY_OK);
        steady_graph_free(sub); /* its mapping goes: a late callback into it would fault */
    }
}

static void bridge_calls_refuse_bad_arguments(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "c", 8, &tx, &rx), STEADY_OK);
    steady_bridge_opts o = {.uri = "nats://127.0.0.1/x"};
    assert_int_equal(steady_bridge_egress(NULL, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_int_equal(steady_bridge_egress(g, NULL, &o, NULL), STEADY_EINVAL);
    assert_int_equal(steady_bridge_egress(g, rx.raw, NULL, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "must not be NULL"));
    steady_bridge_opts none = {0};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &none, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "opts.uri is NULL"));
    steady_bridge_opts bad = {.uri = "nats://h/a..b"};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &bad, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "empty token"));
    steady_bridge_opts wild = {.uri = "nats://h/a.*"};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &wild, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "has a wildcard"));
    assert_int_equal(steady_bridge_egress(g, (steady_rx *)(void *)tx.raw, &o, NULL), STEADY_EINVAL);
    steady_bridge_stats st;
    assert_int_equal(steady_bridge_stats_get(NULL, &st), STEADY_EINVAL);
    steady_actor *a;
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, &a), STEADY_OK);
    assert_int_equal(steady_bridge_stats_get(a, NULL), STEADY_EINVAL);
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EEXIST); /* its name */
    steady_bridge_opts again = {.uri = o.uri, .name = "egress-2"};
    assert_int_equal(steady_bridge_egress(g, rx.raw, &again, NULL), STEADY_EBOUND); /* owned */
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stream_crosses_in_order_and_its_end_stops_the_receiver),
        cmocka_unit_test(a_stop_counts_what_the_ingress_received_and_never_delivered),
        cmocka_unit_test(bad_peers_are_refused_and_counted),
        cmocka_unit_test(a_server_killed_mid_stream_costs_only_counted_gaps),
        cmocka_unit_test(a_stop_with_no_server_is_bounded_and_names_the_egress),
        cmocka_unit_test(a_queue_group_splits_the_stream_and_both_members_end),
        cmocka_unit_test(freeing_a_graph_as_soon_as_its_bridge_stopped_is_safe),
        cmocka_unit_test(an_egress_out_of_memory_fails_and_says_so),
        cmocka_unit_test(bridge_calls_refuse_bad_arguments),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
