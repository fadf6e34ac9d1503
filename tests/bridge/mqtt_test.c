/* mqtt_test.c — the MQTT bridge actors (steady/bridge.h, mqtt://) against a real mosquitto on
 * 127.0.0.1 and a free port: a stream crosses in order at QoS 0, 1 and 2 and its end stops the
 * receiving graph; a persistent session (session=NAME) keeps what was published while its
 * subscriber was away; bad peers' messages are refused and counted; a broker killed and
 * started again mid-stream costs only counted gaps, never a hang; a stop with no broker is
 * bounded. The publishing and subscribing graphs are two graphs of this process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mosquitto.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <steady/bridge.h>
#include <steady/steady.h>

#include "mqtt_broker.h"
#include "pods.h"
#include "test_ports.h"
#include "steady_test_support.h"

static mqtt_broker broker = {.quiet = true};

static int start_broker(void **state)
{
    (void)state;
    if (!mqtt_broker_path()) /* a test dependency: make deps-test installs mosquitto */
        fail_msg("mosquitto is not installed; run make deps-test");
    mosquitto_lib_init();
    return mqtt_broker_start(&broker, 0) ? 0 : -1;
}

/* A broker a test started for itself (another configuration): removed by the test, or by
 * this teardown when one of its assertions failed first (it was left running). */
static mqtt_broker *own_broker;

static int remove_own_broker(void **state)
{
    (void)state;
    if (own_broker)
        mqtt_broker_remove(own_broker);
    own_broker = NULL;
    return 0;
}

/* The shared broker thawed (SIGCONT) whatever a frozen-broker test did: a stopped broker
 * would fail every later test, and its SIGTERM would wait for ever. */
static int thaw_broker(void **state)
{
    (void)state;
    if (broker.pid > 0)
        kill(broker.pid, SIGCONT);
    return 0;
}

static int stop_broker(void **state)
{
    (void)state;
    if (broker.pid > 0) /* a frozen-broker test that failed before thawing it */
        kill(broker.pid, SIGCONT);
    mqtt_broker_remove(&broker);
    mosquitto_lib_cleanup();
    return 0;
}

/* One stream of n values from a publishing pod to a subscribing pod, the subscriber first. */
static void cross(const char *uri, uint64_t n, sink *k, steady_bridge_stats *e,
                  steady_bridge_stats *i)
{
    source s = {.n = n};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    *e = stats(out);
    *i = stats(in);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

static void a_stream_crosses_in_order_at_each_qos(void **state)
{
    (void)state;
    for (int qos = 0; qos <= 2; qos++) {
        char uri[128];
        snprintf(uri, sizeof uri, "%s/test/qos%d?qos=%d", broker.url, qos, qos);
        sink k = {0};
        steady_bridge_stats e, i;
        /* QoS 2: 245 frames, each crossing the broker's limit of 20 incoming unfinished ones
         * (mosquitto's default; past it a frame got no PUBREC and the stream hung, in 1 run
         * of 3 at 300,000 values) */
        uint64_t n = qos == 2 ? 2000000 : 300000;
        cross(uri, n, &k, &e, &i);
        assert_int_equal(e.elems, n);
        assert_int_equal(e.next_seq, n);
        assert_true(e.frames >= n / 8187 + 1); /* 64 KiB frames: 8,187 u64 each, and the end */
        assert_int_equal(e.acked, qos ? n : 0);
        assert_int_equal(k.out_of_order, 0);
        assert_int_equal(k.count + i.gaps, n); /* QoS 0 may lose; what it lost is counted */
        if (qos > 0) {                         /* acknowledged: nothing lost */
            assert_int_equal(k.count, n);
            assert_int_equal(k.last, n - 1);
            assert_int_equal(i.frames, e.frames);
        }
        assert_int_equal(i.duplicates, 0);
    }
}

/* Makes the persistent session of uri at the broker (its subscription included) and leaves it. */
static void make_session(const char *uri)
{
    sink k0 = {0};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k0, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 5000), STEADY_OK);
    steady_graph_free(sub);
}

/* Publishes the values 0..n-1 to uri (no subscriber needed) and waits until all are acked. */
static void publish_all_of(const char *uri, uint64_t n)
{
    source s = {.n = n};
    steady_actor *out;
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    assert_int_equal(stats(out).acked, n);
    steady_graph_free(pub);
}

/* A persistent session made before the publisher starts keeps every QoS 1 frame published
 * while its subscriber is away: the subscriber started afterwards gets the whole stream. */
static void a_persistent_session_keeps_what_came_while_away(void **state)
{
    (void)state;
    char uri[160];
    snprintf(uri, sizeof uri, "%s/test/session?qos=1&session=steady-test-sub", broker.url);
    make_session(uri);
    char pub_uri[128]; /* its own client id: one session is one client */
    snprintf(pub_uri, sizeof pub_uri, "%s/test/session?qos=1", broker.url);
    uint64_t n = 200000;
    publish_all_of(pub_uri, n);
    sink k = {0};
    steady_actor *in;
    steady_graph *sub =
        subscriber(uri, &k, 0, &in); /* nobody publishes now: all from the session */
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    assert_int_equal(k.count, n);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.last, n - 1);
    assert_int_equal(stats(in).gaps + stats(in).duplicates, 0);
    steady_graph_free(sub);
}

/* A stop while the ingress holds a frame its channel has no room for. Its client acknowledged
 * that frame to the broker when it read it, so the session will not hand it out again: the
 * ingress delivers it before it ends (its sink drains the channel to its close), and the
 * session's next subscriber goes on exactly where the first one stopped. */
static void a_stop_loses_no_frame_the_ingress_holds(void **state)
{
    (void)state;
    char uri[160], pub_uri[128];
    snprintf(uri, sizeof uri, "%s/test/held?qos=1&session=steady-test-held", broker.url);
    snprintf(pub_uri, sizeof pub_uri, "%s/test/held?qos=1", broker.url);
    make_session(uri);
    uint64_t n = 100000;
    publish_all_of(pub_uri, n);
    /* The sink stops taking at 10,000; behind it the channel (4,096) fills and the ingress
     * holds the rest of the frame that did not fit. */
    sink k1 = {.hold_at = 10000};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k1, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    for (int i = 0; i < 1000 && stats(in).elems < 10000 + 4096; i++)
        usleep(10000);
    assert_int_equal(stats(in).elems, 10000 + 4096);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    assert_int_equal(k1.out_of_order, 0);
    assert_int_equal(k1.last, k1.count - 1);
    steady_graph_free(sub);
    sink k2 = {0};
    sub = subscriber(uri, &k2, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    assert_int_equal(k1.count + k2.count, n);
    assert_int_equal(k2.out_of_order, 0);
    assert_int_equal(k2.last, n - 1);
    steady_graph_free(sub);
}

/* A session reused with another topic: the broker still holds the old topic's subscription
 * and its messages, and hands them to the new ingress. They are not its stream: dropped, and
 * said (they were taken for its frames: repeats and a stream out of order). */
static void a_session_reused_for_another_topic_drops_the_old_topics_messages(void **state)
{
    (void)state;
    char old_uri[160], new_uri[160], pub_old[160], pub_new[160];
    snprintf(old_uri, sizeof old_uri, "%s/test/reuse-a?qos=1&session=steady-test-reuse",
             broker.url);
    snprintf(new_uri, sizeof new_uri, "%s/test/reuse-b?qos=1&session=steady-test-reuse",
             broker.url);
    snprintf(pub_old, sizeof pub_old, "%s/test/reuse-a?qos=1", broker.url);
    snprintf(pub_new, sizeof pub_new, "%s/test/reuse-b?qos=1", broker.url);
    make_session(old_uri);          /* the session now holds a subscription to reuse-a */
    publish_all_of(pub_old, 20000); /* kept for the session meanwhile */
    sink k = {0};
    steady_actor *in, *out;
    capture_start();
    steady_graph *sub = subscriber(new_uri, &k, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    source s = {.n = 50000};
    steady_graph *pub = publisher(pub_new, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    capture_stop();
    assert_int_equal(k.count, s.n);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(stats(in).gaps + stats(in).duplicates, 0);
    assert_non_null(strstr(captured, "a message on topic 'test/reuse-a', not this bridge's"));
    steady_graph_free(pub);
    steady_graph_free(sub);
}

/* A foreign client: its own libmosquitto with its own thread, QoS 1, waited for. */
static void foreign_publish(void *m, const void *p, size_t n)
{
    assert_int_equal(mosquitto_publish(m, NULL, "test/bad", (int)n, p, 1, false), MOSQ_ERR_SUCCESS);
}

static void bad_peers_are_refused_and_counted(void **state)
{
    (void)state;
    char uri[128];
    snprintf(uri, sizeof uri, "%s/test/bad?qos=1", broker.url);
    sink k = {0};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k, 0xfeed, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    assert_non_null(m);
    assert_int_equal(mosquitto_connect(m, "127.0.0.1", broker.port, 10), MOSQ_ERR_SUCCESS);
    assert_int_equal(mosquitto_loop_start(m), MOSQ_ERR_SUCCESS);
    send_bad_peers(foreign_publish, m);
    assert_int_equal(steady_graph_block_until_stopped(sub, 10000), STEADY_OK);
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    assert_bad_peers_outcome(&k, in);
    steady_graph_free(sub);
}

/* The broker SIGKILLed mid-stream and started again (it keeps nothing: persistence off): both
 * links go down and come up, the egress publishes again what was not acknowledged, the
 * ingress subscribes again; what was lost with the broker is counted as gaps, every value that
 * arrived is in order, the end arrives, and neither side hangs. At QoS 0 and 1. */
static void a_broker_killed_mid_stream_costs_only_counted_gaps(void **state)
{
    (void)state;
    for (int qos = 0; qos <= 1; qos++) {
        char uri[128];
        snprintf(uri, sizeof uri, "%s/test/restart?qos=%d", broker.url, qos);
        sink k = {0};
        source s = {.n = 200000, .pace = 100}; /* about 2 s of stream */
        steady_actor *in, *out;
        steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
        assert_int_equal(steady_graph_start(sub), STEADY_OK);
        await_ready(in);
        assert_int_equal(steady_graph_start(pub), STEADY_OK);
        uint64_t t0 = now_ns();
        while (stats(in).elems < 20000 && ms_since(t0) < 10000)
            sleep_ms(1);
        assert_int_equal(steady_link_state_get(in), STEADY_LINK_UP);
        mqtt_broker_stop(&broker, true);
        t0 = now_ns();
        while ((steady_link_state_get(in) != STEADY_LINK_DOWN ||
                steady_link_state_get(out) != STEADY_LINK_DOWN) &&
               ms_since(t0) < 5000)
            sleep_ms(1);
        assert_int_equal(steady_link_state_get(in), STEADY_LINK_DOWN);
        assert_int_equal(steady_link_state_get(out), STEADY_LINK_DOWN);
        assert_true(mqtt_broker_start(&broker, broker.port));
        assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
        assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
        steady_bridge_stats e = stats(out), i = stats(in);
        assert_int_equal(e.elems, s.n);
        assert_int_equal(k.out_of_order, 0);
        assert_int_equal(k.count + i.gaps, s.n); /* what did not arrive is counted */
        assert_true(k.count > 20000 && k.last == s.n - 1);
        assert_true(e.reconnects >= 1 && i.reconnects >= 1);
        steady_graph_free(pub);
        steady_graph_free(sub);
    }
}

static void a_stop_with_no_broker_is_bounded_and_names_the_egress(void **state)
{
    (void)state;
    char uri[128];
    snprintf(uri, sizeof uri, "mqtt://127.0.0.1:%d/test/none", broker.port);
    mqtt_broker_stop(&broker, true); /* nobody listens there now */
    source s = {.n = 100};
    steady_actor *out;
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    sleep_ms(1500); /* attempts 100 ms to 1.6 s apart; the egress never fails meanwhile */
    steady_actor_info info[2];
    assert_int_equal(steady_inspect_actors(pub, info, 2), 2);
    for (int k = 0; k < 2; k++)
        assert_int_equal(info[k].failures, 0);
    uint64_t t0 = now_ns();
    steady_err e = steady_graph_block_until_stopped(pub, 500);
    assert_true(ms_since(t0) < 5000);
    assert_int_equal(e, STEADY_EUNCLEAN); /* its frames never left: the stop says so */
    assert_non_null(strstr(steady_last_error(), "actor 'egress' vetoed"));
    assert_false(stats(out).connected);
    steady_graph_free(pub);
    assert_true(mqtt_broker_start(&broker, broker.port));
}

/* Log lines of the stall test. */
static pthread_mutex_t lines_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned stall_lines;

static unsigned refusal_lines;
static char said[16384]; /* the lines, while the graph that logs them runs: under lines_mu */
static size_t said_len;

static void sink_lines(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx, (void)level;
    pthread_mutex_lock(&lines_mu);
    stall_lines += strstr(line, "the broker completed no frame for 10 s") != NULL;
    refusal_lines += strstr(line, "before completing a frame") != NULL;
    if (said_len + len + 2 < sizeof said) {
        memcpy(said + said_len, line, len);
        said_len += len;
        said[said_len++] = '\n';
        said[said_len] = 0;
    }
    pthread_mutex_unlock(&lines_mu);
    fprintf(stderr, "%s\n", line);
}

/* Whether a line said so far holds text (read under the sink's lock: the graph still logs). */
static bool said_has(const char *text)
{
    pthread_mutex_lock(&lines_mu);
    bool has = strstr(said, text) != NULL;
    pthread_mutex_unlock(&lines_mu);
    return has;
}

/* Forgets the lines said so far (a test's own start). */
static void said_reset(void)
{
    pthread_mutex_lock(&lines_mu);
    said_len = 0;
    said[0] = 0;
    stall_lines = refusal_lines = 0;
    pthread_mutex_unlock(&lines_mu);
}

/* The lines said about stalls so far (read under the sink's lock). */
static unsigned stalls_told(void)
{
    pthread_mutex_lock(&lines_mu);
    unsigned n = stall_lines;
    pthread_mutex_unlock(&lines_mu);
    return n;
}

/* The same stop with a sink that never drains its channel: after the keepalive (10 s) the
 * ingress says its broker will drop it (it reads nothing, so it answers no keepalive); the stop
 * is not clean (the ingress and the sink still vetoed at the deadline), and the ingress says
 * what it held is lost. */
static void a_frame_held_past_the_grace_is_said_lost(void **state)
{
    (void)state;
    char uri[160], pub_uri[128];
    snprintf(uri, sizeof uri, "%s/test/held-lost?qos=1&session=steady-test-held-lost", broker.url);
    snprintf(pub_uri, sizeof pub_uri, "%s/test/held-lost?qos=1", broker.url);
    make_session(uri);
    publish_all_of(pub_uri, 30000);
    sink k = {.hold_at = 10000, .hold_for_good = true};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k, 0, &in);
    said_reset();
    steady_log_set_sink(sink_lines, NULL);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    for (int i = 0; i < 1000 && stats(in).elems < 10000 + 4096; i++)
        usleep(10000);
    const char *hold = "its channel has had no room for 10 s, and the ingress reads nothing "
                       "meanwhile";
    for (int i = 0; i < 150 && !said_has(hold); i++)
        sleep_ms(100);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 500), STEADY_EUNCLEAN);
    steady_graph_free(sub); /* joins the ingress: it has logged by now */
    steady_log_set_sink(NULL, NULL);
    assert_true(said_has(hold));
    assert_true(said_has("its session keeps what comes meanwhile"));
    assert_true(said_has("holds_nothing(c)"));
    assert_true(said_has("stopped holding 1 frame(s) ("));
    assert_true(said_has("they are lost"));
}

/* A watched stream for the outage tests: about 3 s of paced values over QoS 1 without a
 * session, the log going to sink_lines (stall count reset), started and running (10,000
 * values delivered) when this returns. Paced so that frames are in flight when the broker
 * goes (published into its dead socket until the loss is seen) and the stream goes on after. */
typedef struct watched {
    sink k;
    source s;
    steady_actor *in, *out;
    steady_graph *sub, *pub;
} watched;

static void watch_start(watched *w, const char *topic)
{
    char uri[128];
    snprintf(uri, sizeof uri, "%s/test/%s?qos=1", broker.url, topic);
    *w = (watched){.s = {.n = 300000, .pace = 100}};
    w->sub = subscriber(uri, &w->k, 0, &w->in);
    w->pub = publisher(uri, &w->s, &w->out);
    assert_int_equal(steady_graph_start(w->sub), STEADY_OK);
    await_ready(w->in);
    said_reset();
    steady_log_set_sink(sink_lines, NULL);
    assert_int_equal(steady_graph_start(w->pub), STEADY_OK);
    uint64_t t0 = now_ns();
    while (stats(w->in).elems < 10000 && ms_since(t0) < 10000)
        sleep_ms(1);
}

/* Both pods stopped (the end is at most once here, no session: a lost one ends the wait after
 * 20 s), the log back to its default, every value taken by the egress, and both freed. */
static void watch_end(watched *w)
{
    assert_int_equal(steady_graph_block_until_stopped(w->pub, 30000), STEADY_OK);
    uint64_t t0 = now_ns();
    while (stats(w->in).next_seq < w->s.n && ms_since(t0) < 20000)
        sleep_ms(10);
    steady_graph_request_shutdown(w->sub);
    assert_int_equal(steady_graph_block_until_stopped(w->sub, 30000), STEADY_OK);
    steady_log_set_sink(NULL, NULL);
    assert_int_equal(stats(w->out).elems, w->s.n);
    steady_graph_free(w->pub);
    steady_graph_free(w->sub);
}

/* A broker away for more than 10 s with frames in flight: when it is back and completes them,
 * nothing is stuck, and the egress must not say so (it counted the outage as time the broker
 * completed nothing). */
static void a_long_outage_is_not_called_a_stuck_stream(void **state)
{
    (void)state;
    static watched w;
    watch_start(&w, "outage");
    mqtt_broker_stop(&broker, true);
    assert_true(stats(w.out).elems < w.s.n);
    sleep_ms(11000);
    assert_true(mqtt_broker_start(&broker, broker.port));
    watch_end(&w);
    assert_int_equal(stalls_told(), 0);
}

/* A frozen broker (SIGSTOP: its socket stays open, nothing answers) with frames in flight: the
 * egress names the stuck stream after 10 s connected without a completed frame, before its
 * keepalive gives the connection up; thawed, the stream goes on. */
static void a_frozen_broker_is_named_in_the_log(void **state)
{
    (void)state;
    static watched w;
    watch_start(&w, "frozen");
    kill(broker.pid, SIGSTOP);
    uint64_t t0 = now_ns();
    while (!stalls_told() && ms_since(t0) < 14000)
        sleep_ms(50);
    uint64_t took = ms_since(t0);
    kill(broker.pid, SIGCONT);
    assert_true(stalls_told() > 0);
    assert_true(took >= 9000); /* 10 s: never sooner (a little for the clocks) */
    watch_end(&w);
}

/* A broker that takes fewer unfinished QoS 2 messages from a client than the bridge keeps at
 * it (max_inflight_messages 5, under 20) leaves some frames without a PUBREC for good: the
 * stream sticks, and the egress says so instead of waiting in silence (the stall after 10 s
 * connected, or, when the broker drops the client first, the connection closed before a frame
 * completed); its stop stays bounded. */
static void a_stuck_broker_is_named_in_the_log(void **state)
{
    (void)state;
    static mqtt_broker tight;
    tight = (mqtt_broker){.quiet = true};
    own_broker = &tight;
    snprintf(tight.extra, sizeof tight.extra, "max_inflight_messages 5\n");
    assert_true(mqtt_broker_start(&tight, 0));
    said_reset();
    steady_log_set_sink(sink_lines, NULL);
    char uri[128];
    snprintf(uri, sizeof uri, "%s/test/stuck?qos=2", tight.url);
    sink k = {0};
    source s = {.n = 5000000};
    steady_actor *in, *out;
    /* Frames of at most 64 values: the window's 32 frames fit in the publisher's channel of
     * 4,096 at once, so more than 5 are unfinished at the broker for sure. With frames as large
     * as the channel allows, a few were in flight at a time, and the whole stream crossed in
     * 1 run of 7 (4,022 frames of about 1,243 values). */
    steady_bridge_opts small = {.uri = uri, .max_batch = 64};
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher_opts(&small, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    uint64_t t0 = now_ns();
    bool told = false;
    while (!told && ms_since(t0) < 30000) {
        sleep_ms(50);
        pthread_mutex_lock(&lines_mu);
        /* either line: mosquitto may drop the stuck client before 10 s connected */
        told = stall_lines > 0 || refusal_lines > 0;
        pthread_mutex_unlock(&lines_mu);
    }
    steady_log_set_sink(NULL, NULL);
    if (!told)
        fail_msg("neither line in %llu ms: %llu frames completed, %llu values received, egress "
                 "%s",
                 (unsigned long long)ms_since(t0), (unsigned long long)stats(out).frames,
                 (unsigned long long)stats(in).elems,
                 stats(out).connected ? "connected" : "not connected");
    assert_true(k.count < s.n); /* stuck */
    steady_graph_request_shutdown(pub);
    uint64_t t1 = now_ns();
    assert_int_equal(steady_graph_block_until_stopped(pub, 500), STEADY_EUNCLEAN);
    assert_true(ms_since(t1) < 5000); /* bounded, the egress named */
    assert_non_null(strstr(steady_last_error(), "actor 'egress' vetoed"));
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 5000), STEADY_OK);
    steady_graph_free(pub);
    steady_graph_free(sub);
    mqtt_broker_remove(&tight);
    own_broker = NULL;
}

/* A broker that refuses the frames by closing the connection (max_qos 1 under a QoS 2 egress;
 * MQTT 3.1.1 gives no other answer): the egress says what the broker may refuse, and backs off
 * to one attempt in 2 s instead of reconnecting ten times a second for ever. A QoS 2 ingress
 * there is subscribed at QoS 1 (the SUBACK says so): it says what that costs. */
static void a_broker_below_the_uris_qos_is_named_and_not_hammered(void **state)
{
    (void)state;
    static mqtt_broker strict;
    strict = (mqtt_broker){.quiet = true};
    own_broker = &strict;
    snprintf(strict.extra, sizeof strict.extra, "max_qos 1\n");
    assert_true(mqtt_broker_start(&strict, 0));
    char uri[128];
    snprintf(uri, sizeof uri, "%s/test/refused?qos=2", strict.url);
    source s = {.n = 1000};
    sink k = {0};
    steady_actor *out, *in;
    capture_start();
    steady_graph *sub = subscriber(uri, &k, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in); /* subscribed at the QoS the broker granted: said */
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    sleep_ms(5000);
    uint64_t reconnects = stats(out).reconnects;
    steady_graph_request_shutdown(pub);
    assert_int_equal(steady_graph_block_until_stopped(pub, 500), STEADY_EUNCLEAN);
    steady_graph_request_shutdown(sub);
    assert_int_equal(steady_graph_block_until_stopped(sub, 5000), STEADY_OK);
    capture_stop();
    print_message("%llu reconnections in 5 s\n", (unsigned long long)reconnects);
    if (!strstr(captured, "the broker granted QoS 1, not the qos=2 asked (its max_qos?); frames "
                          "may come twice"))
        fail_msg("log:\n%s", captured);
    assert_true(reconnects >= 2 && reconnects <= 12); /* 100 ms doubling to 2 s: about 6 */
    if (!strstr(captured, "closed the connection 3 times in a row before completing a frame") ||
        !strstr(captured, "a max_qos below this URI's qos=2"))
        fail_msg("log:\n%s", captured);
    assert_int_equal(stats(out).elems, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
    mqtt_broker_remove(&strict);
    own_broker = NULL;
}

/* A port that takes TCP connections and never answers (a black hole: a listening socket nobody
 * accepts from), and a port that refuses them: each attempt ends within opts.connect_timeout_ms
 * (300 ms here), or at once when refused, so the backoff, not libmosquitto's keepalive (15 s
 * without a CONNACK), paces the attempts: the 4th failed attempt in a row is logged within 3 s. */
static void an_attempt_ends_within_the_connect_timeout(void **state)
{
    (void)state;
    int hole = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(hole, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(hole, 16), 0);
    assert_int_equal(getsockname(hole, (struct sockaddr *)&a, &alen), 0);
    int ports[2] = {ntohs(a.sin_port), test_free_port()};
    const char *why[2] = {"no CONNACK within 300 ms", "Connection refused"};
    for (int t = 0; t < 2; t++) {
        char uri[128];
        snprintf(uri, sizeof uri, "mqtt://127.0.0.1:%d/test/hole?qos=1", ports[t]);
        steady_bridge_opts o = {.uri = uri, .connect_timeout_ms = 300};
        source s = {.n = 10};
        steady_actor *out;
        said_reset();
        steady_log_set_sink(sink_lines, NULL);
        steady_graph *pub = publisher_opts(&o, &s, &out);
        assert_int_equal(steady_graph_start(pub), STEADY_OK);
        uint64_t t0 = now_ns();
        while (!said_has("(4 tries in a row)") && ms_since(t0) < 3000)
            sleep_ms(20);
        steady_graph_request_shutdown(pub);
        assert_int_equal(steady_graph_block_until_stopped(pub, 500), STEADY_EUNCLEAN);
        steady_log_set_sink(NULL, NULL);
        if (!said_has("(4 tries in a row)") || !said_has(why[t]))
            fail_msg("port %d: log:\n%s", ports[t], said);
        steady_graph_free(pub);
    }
    close(hole);
}

/* The link's description names the transport, the endpoint and its QoS and session. */
static void the_link_names_the_topic_qos_and_session(void **state)
{
    (void)state;
    char uri[160];
    snprintf(uri, sizeof uri, "mqtt://u:secret@127.0.0.1:%d/a/b?qos=2&session=s1", broker.port);
    steady_graph *g = new_graph("link");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "c", 8, &tx, &rx), STEADY_OK);
    steady_bridge_opts o = {.uri = uri};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &o, NULL), STEADY_OK);
    steady_actor_info info[1];
    assert_int_equal(steady_inspect_actors(g, info, 1), 1);
    assert_string_equal(info[0].link_kind, "mqtt ingress");
    char want[128];
    snprintf(want, sizeof want, "mqtt://u@127.0.0.1:%d/a/b?qos=2&session=s1", broker.port);
    assert_string_equal(info[0].link_endpoint, want); /* the password left out */
    steady_bridge_opts confirm = {.uri = uri, .confirm = true, .name = "c2"};
    assert_int_equal(steady_bridge_egress(g, rx.raw, &confirm, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "mqtt acknowledges nothing"));
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stream_crosses_in_order_at_each_qos),
        cmocka_unit_test(a_persistent_session_keeps_what_came_while_away),
        cmocka_unit_test(a_stop_loses_no_frame_the_ingress_holds),
        cmocka_unit_test(a_frame_held_past_the_grace_is_said_lost),
        cmocka_unit_test(a_session_reused_for_another_topic_drops_the_old_topics_messages),
        cmocka_unit_test(bad_peers_are_refused_and_counted),
        cmocka_unit_test(a_broker_killed_mid_stream_costs_only_counted_gaps),
        cmocka_unit_test(a_long_outage_is_not_called_a_stuck_stream),
        cmocka_unit_test(a_stop_with_no_broker_is_bounded_and_names_the_egress),
        cmocka_unit_test(an_attempt_ends_within_the_connect_timeout),
        cmocka_unit_test_teardown(a_stuck_broker_is_named_in_the_log, remove_own_broker),
        cmocka_unit_test_teardown(a_frozen_broker_is_named_in_the_log, thaw_broker),
        cmocka_unit_test_teardown(a_broker_below_the_uris_qos_is_named_and_not_hammered,
                                  remove_own_broker),
        cmocka_unit_test(the_link_names_the_topic_qos_and_session),
    };
    return cmocka_run_group_tests(tests, start_broker, stop_broker);
}
