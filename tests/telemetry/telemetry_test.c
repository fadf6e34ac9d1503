/* telemetry_test.c — specification of steady/telemetry.h end to end: a real graph, the real
 * collector and the real HTTP server on 127.0.0.1 (an ephemeral port), read by a plain HTTP
 * client and checked by the real tools (dot, python3's json).
 *
 * What it pins down: the options' errors; every route served while a graph runs; the measured
 * latency of a channel whose messages wait 20 ms in an empty ring; the bottleneck named on a
 * pipeline with a slow middle stage; each trigger colour; hidden actors; the DOT file at stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <steady/hooks.h>
#include <steady/telemetry.h>

#include "steady_test_support.h"

/* ---- a plain HTTP/1.0 client ---- */

/* GETs path from 127.0.0.1:port into a malloc'd NUL-terminated buffer (headers and body);
 * returns the status code, 0 on failure. */
static int http_get(int port, const char *path, char **out)
{
    *out = NULL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return 0;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)r;
        if (cap - len < 4096)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    buf[len] = '\0';
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    *out = buf;
    return status;
}

/* noinline: gcc 12 -Wdangling-pointer misreads the inlined pointer arithmetic. */
__attribute__((noinline)) static const char *body_of(const char *response)
{
    const char *b = strstr(response, "\r\n\r\n");
    return b ? b + 4 : "";
}

/* Evaluates a python3 expression over the JSON body (as `j`) and returns its str(). */
static void json_eval(const char *json, const char *expr, char *out, size_t cap)
{
    char cmd[768];
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; j=json.load(sys.stdin); print((%s))'",
             expr);
    assert_int_equal(pipe_through(cmd, json, out, cap), 0);
    out[strcspn(out, "\n")] = '\0';
}

/* ---- graphs ---- */

typedef struct {
    u64ch_tx out;
    uint64_t period_ms;
} source_io;

typedef struct {
    u64ch_rx in;
    u64ch_tx out; /* raw NULL: a sink */
    bool has_out;
    uint64_t hold_ms; /* peek, wait this long, take */
} stage_io;

static int source(steady_actor *a, void *arg)
{
    source_io *io = arg;
    uint64_t v = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->out)))) {
        if (io->period_ms) {
            if (u64ch_tx_try_send(io->out, v) == STEADY_OK)
                v++;
            steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(io->period_ms)));
        } else if (steady_wait_vacant(a, io->out, 1) == STEADY_READY) {
            while (u64ch_tx_try_send(io->out, v) == STEADY_OK)
                v++;
        }
    }
    return 0;
}

static int stage(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 (!io->has_out || STEADY_I(u64ch_tx_close(io->out))))) {
        if (steady_wait_avail(a, io->in, 1) != STEADY_READY)
            continue;
        if (io->has_out && steady_wait_vacant(a, io->out, 1) != STEADY_READY)
            continue;
        if (io->hold_ms) {
            if (u64ch_rx_try_peek(io->in, &v) != STEADY_OK)
                continue;
            steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(io->hold_ms)));
        }
        if (u64ch_rx_try_take(io->in, &v) == STEADY_OK && io->has_out)
            u64ch_tx_try_send(io->out, v);
    }
    return 0;
}

static steady_actor *spawn(steady_graph *g, const char *name, steady_actor_fn fn, void *arg,
                           steady_tx *const *txs, steady_rx *const *rxs)
{
    steady_actor *a;
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = name, .run = fn, .arg = arg, .txs = txs, .rxs = rxs},
            &a),
        STEADY_OK);
    return a;
}

/* source -(a)-> middle -(b)-> sink; middle holds each message `hold_ms`. */
typedef struct {
    steady_graph *g;
    source_io src;
    stage_io mid, sink;
} pipeline;

static void pipeline_build(pipeline *p, uint64_t src_period_ms, uint64_t mid_hold_ms,
                           uint64_t capacity)
{
    *p = (pipeline){0}; /* the sink's has_out and hold_ms stay false and 0 */
    p->g = new_graph("observed");
    assert_int_equal(u64ch_new(p->g, "a", capacity, &p->src.out, &p->mid.in), STEADY_OK);
    assert_int_equal(u64ch_new(p->g, "b", capacity, &p->mid.out, &p->sink.in), STEADY_OK);
    p->src.period_ms = src_period_ms;
    p->mid.has_out = true;
    p->mid.hold_ms = mid_hold_ms;
    spawn(p->g, "source", source, &p->src, STEADY_TXS(p->src.out), NULL);
    spawn(p->g, "middle", stage, &p->mid, STEADY_TXS(p->mid.out), STEADY_RXS(p->mid.in));
    spawn(p->g, "sink", stage, &p->sink, NULL, STEADY_RXS(p->sink.in));
}

static void pipeline_stop(pipeline *p, steady_telemetry *t)
{
    steady_graph_request_shutdown(p->g);
    assert_int_equal(steady_graph_block_until_stopped(p->g, 10000), STEADY_OK);
    assert_int_equal(steady_telemetry_stop(t), STEADY_OK);
    steady_graph_free(p->g);
}

static steady_telemetry *start_on_any_port(steady_graph *g, steady_telemetry_opts o)
{
    setenv("STEADY_TELEMETRY_PORT", "0", 1); /* 0 from the environment: an ephemeral port */
    o.frame_ms = o.frame_ms ? o.frame_ms : 20;
    o.refresh_ms = o.refresh_ms ? o.refresh_ms : 100;
    o.window_ms = o.window_ms ? o.window_ms : 1000;
    o.dot_path = o.dot_path ? o.dot_path : "";
    o.quiet = true;
    steady_telemetry *t = NULL;
    assert_int_equal(steady_telemetry_start(g, &o, &t), STEADY_OK);
    assert_non_null(t);
    assert_true(steady_telemetry_port(t) > 0);
    return t;
}

static void await_frames(steady_telemetry *t, uint64_t n)
{
    uint64_t t0 = now_ns();
    while (steady_telemetry_frames(t) < n && ms_since(t0) < 20000)
        sleep_ms(5);
    assert_true(steady_telemetry_frames(t) >= n);
}

static char *snapshot(steady_telemetry *t)
{
    char *resp;
    assert_int_equal(http_get(steady_telemetry_port(t), "/snapshot.json", &resp), 200);
    return resp;
}

/* ---- tests ---- */

/* A test's graph (steady/hooks.h test_graph): nothing served, no port taken, said once. */
static void a_test_graph_gets_no_telemetry_and_a_line_saying_so(void **state)
{
    (void)state;
    capture_start();
    for (int i = 0; i < 2; i++) {
        steady_graph *g = new_graph_opts(&(steady_graph_opts){
            .name = "under-test", .hooks = &(steady_graph_hooks){.test_graph = true}});
        steady_telemetry *t = (steady_telemetry *)&t;
        assert_int_equal(steady_telemetry_start(g, &(steady_telemetry_opts){.port = 0}, &t),
                         STEADY_OK);
        assert_null(t);                                /* no handle: nothing to serve or stop */
        assert_int_equal(steady_telemetry_port(t), 0); /* "no HTTP server, or t NULL" */
        assert_int_equal(steady_telemetry_stop(t), STEADY_OK);
        steady_graph_free(g);
    }
    capture_stop();
    const char *line = "telemetry: graph 'under-test' is a test graph; telemetry stays off";
    const char *first = strstr(captured, line);
    if (!first || strstr(first + 1, line))
        fail_msg("expected the line once:\n%s", captured);
}

static void bad_options_are_refused_naming_the_option(void **state)
{
    (void)state;
    steady_graph *g = new_graph("opts");
    steady_telemetry *t = (steady_telemetry *)&t;
    assert_int_equal(steady_telemetry_start(NULL, NULL, &t), STEADY_EINVAL);
    assert_null(t);
    assert_int_equal(steady_telemetry_start(g, NULL, NULL), STEADY_EINVAL);
    struct {
        steady_telemetry_opts o;
        const char *says;
    } bad[] = {
        {{.frame_ms = 5}, "frame_ms 5"},
        {{.frame_ms = 60001}, "frame_ms 60001"},
        {{.port = 70000}, "port 70000"},
        {{.port = -2}, "port -2"},
        {{.window_ms = 100, .refresh_ms = 1000}, "shorter than refresh_ms"},
        {{.tls_cert_path = "/x.pem"}, "tls_key_path"},
        {{.basic_user = "u"}, "basic_password"},
        {{.n_triggers = 1}, "triggers NULL"},
        {{.triggers = &(steady_trigger){.target = "a",
                                        .metric = STEADY_METRIC_FILL,
                                        .rule = STEADY_PERCENTILE_ABOVE,
                                        .percentile = 0.42,
                                        .color = STEADY_ALERT_RED},
          .n_triggers = 1},
         "percentile 0.42"},
        {{.triggers = &(steady_trigger){.target = NULL}, .n_triggers = 1}, "no target"},
        {{.triggers = &(steady_trigger){.target = "a", .metric = (steady_metric)99},
          .n_triggers = 1},
         "metric 99"},
        {{.triggers = &(steady_trigger){.target = "a",
                                        .metric = STEADY_METRIC_RATE,
                                        .rule = STEADY_AVG_ABOVE,
                                        .color = (steady_alert_color)0},
          .n_triggers = 1},
         "colour 0"},
        {{.triggers = &(steady_trigger){.target = "a",
                                        .metric = STEADY_METRIC_RATE,
                                        .rule = STEADY_STDDEV_ABOVE,
                                        .stddevs = 11,
                                        .color = STEADY_ALERT_RED},
          .n_triggers = 1},
         "11 standard deviations"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = (steady_telemetry *)&t;
        assert_int_equal(steady_telemetry_start(g, &bad[i].o, &t), STEADY_EINVAL);
        assert_null(t);
        assert_last_error_mentions(bad[i].says, NULL);
    }
    setenv("STEADY_TELEMETRY_PORT", "ninety", 1);
    assert_int_equal(steady_telemetry_start(g, NULL, &t), STEADY_EINVAL);
    assert_last_error_mentions("STEADY_TELEMETRY_PORT='ninety'", NULL);
    unsetenv("STEADY_TELEMETRY_PORT");
    /* NULL handles: harmless */
    assert_int_equal(steady_telemetry_stop(NULL), STEADY_OK);
    assert_int_equal(steady_telemetry_port(NULL), 0);
    assert_int_equal(steady_telemetry_url(NULL, NULL, 0), 0);
    assert_int_equal(steady_telemetry_frames(NULL), 0);
    steady_graph_free(g);
}

static void every_route_is_served_while_the_graph_runs(void **state)
{
    (void)state;
    pipeline p;
    pipeline_build(&p, 0, 0, 256);
    steady_telemetry *t = start_on_any_port(p.g, (steady_telemetry_opts){0});
    char url[128];
    assert_true(steady_telemetry_url(t, url, sizeof url) > 0);
    assert_non_null(strstr(url, "http://127.0.0.1:"));
    char *r;
    assert_int_equal(http_get(steady_telemetry_port(t), "/snapshot.json", &r), 503); /* no frame */
    free(r);
    assert_int_equal(steady_graph_start(p.g), STEADY_OK);
    await_frames(t, 5);
    assert_int_equal(http_get(steady_telemetry_port(t), "/healthz", &r), 200);
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/metrics", &r), 200);
    assert_non_null(strstr(r, "steady_channel_sent_total{"));
    assert_non_null(strstr(r, "channel=\"a\""));
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/graph.dot", &r), 200);
    char svg[1 << 16];
    assert_int_equal(pipe_through("dot -Tsvg", body_of(r), svg, sizeof svg), 0);
    assert_non_null(strstr(svg, "middle"));
    free(r);
    r = snapshot(t);
    char v[256];
    json_eval(body_of(r), "len(j[\"actors\"]), len(j[\"channels\"]), j[\"v\"]", v, sizeof v);
    assert_string_equal(v, "(3, 2, 1)");
    json_eval(body_of(r), "j[\"channels\"][0][\"rate\"] > 1000", v, sizeof v);
    assert_string_equal(v, "True");
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/config", &r), 200);
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/nothing-here", &r), 404);
    free(r);
    pipeline_stop(&p, t);
}

/* A consumer faster than its producer that still takes each message 20 ms after it was sent
 * (it peeks, waits, then takes): the channel is nearly empty, so an estimate from fill and
 * rate would say ~0; the dashboard must say 20 ms. */
static void a_channel_whose_messages_wait_20_ms_shows_20_ms(void **state)
{
    (void)state;
    pipeline p;
    pipeline_build(&p, 30, 20, 64);
    steady_telemetry *t =
        start_on_any_port(p.g, (steady_telemetry_opts){.frame_ms = 100, .window_ms = 3000});
    assert_int_equal(steady_graph_start(p.g), STEADY_OK);
    await_frames(t, 25); /* 2.5 s: ~80 messages */
    char *r = snapshot(t);
    char v[256];
    json_eval(body_of(r), "j[\"channels\"][0][\"stats\"][\"latency\"][\"p50\"]", v, sizeof v);
    double p50 = atof(v);
    json_eval(body_of(r), "j[\"channels\"][0][\"fill\"]", v, sizeof v);
    double fill = atof(v);
    print_message("channel a: latency p50 %.4f s, fill %.3f\n", p50, fill);
    assert_true(p50 >= 0.015 && p50 <= 0.025);
    assert_true(fill < 0.05);
    free(r);
    pipeline_stop(&p, t);
}

/* source at full speed -> middle holding each message 2 ms -> sink: the middle stage limits
 * the graph; back-pressure starts on channel a (full), while b has room. */
static void a_slow_middle_stage_is_named_the_bottleneck(void **state)
{
    (void)state;
    pipeline p;
    pipeline_build(&p, 0, 2, 64);
    steady_telemetry *t = start_on_any_port(p.g, (steady_telemetry_opts){0});
    assert_int_equal(steady_graph_start(p.g), STEADY_OK);
    await_frames(t, 10);
    char *r = snapshot(t);
    char v[256];
    json_eval(body_of(r),
              "[a[\"label\"] for a in j[\"actors\"] if a[\"id\"] == j[\"bottleneck\"][\"actor\"]]"
              "[0], [c[\"name\"] for c in j[\"channels\"] if c[\"id\"] == "
              "j[\"bottleneck\"][\"channel\"]][0]",
              v, sizeof v);
    assert_string_equal(v, "('middle', 'a')");
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/metrics", &r), 200);
    assert_non_null(strstr(r, "steady_actor_bottleneck{actor=\"middle\""));
    free(r);
    pipeline_stop(&p, t);
}

/* Three triggers on three channels' fill, one per colour: each channel takes its colour. */
static void each_trigger_colour_shows(void **state)
{
    (void)state;
    steady_graph *g = new_graph("colours");
    source_io src[3];
    stage_io snk[3];
    const char *names[3] = {"y", "o", "r"};
    steady_alert_color cols[3] = {STEADY_ALERT_YELLOW, STEADY_ALERT_ORANGE, STEADY_ALERT_RED};
    steady_trigger trig[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(u64ch_new(g, names[i], 64, &src[i].out, &snk[i].in), STEADY_OK);
        src[i].period_ms = 0;
        snk[i] = (stage_io){.in = snk[i].in, .hold_ms = 1};
        char sn[8], kn[8];
        snprintf(sn, sizeof sn, "src%d", i);
        snprintf(kn, sizeof kn, "snk%d", i);
        spawn(g, sn, source, &src[i], STEADY_TXS(src[i].out), NULL);
        spawn(g, kn, stage, &snk[i], NULL, STEADY_RXS(snk[i].in));
        trig[i] = (steady_trigger){.target = names[i],
                                   .metric = STEADY_METRIC_FILL,
                                   .rule = STEADY_AVG_ABOVE,
                                   .threshold = 0.5,
                                   .color = cols[i]};
    }
    steady_telemetry *t =
        start_on_any_port(g, (steady_telemetry_opts){.triggers = trig, .n_triggers = 3});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    await_frames(t, 12);
    char *r = snapshot(t);
    char v[256];
    json_eval(body_of(r), "[c[\"color\"] for c in j[\"channels\"]]", v, sizeof v);
    assert_string_equal(v, "['yellow', 'orange', 'red']");
    free(r);
    assert_int_equal(http_get(steady_telemetry_port(t), "/graph.dot", &r), 200);
    assert_non_null(strstr(body_of(r), "orange"));
    free(r);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(steady_telemetry_stop(t), STEADY_OK);
    steady_graph_free(g);
}

/* A hidden actor is left out of the views; the DOT file is written at stop. */
static void hidden_actors_are_left_out_and_the_dot_file_is_written_at_stop(void **state)
{
    (void)state;
    char dir[] = "/tmp/steady-dot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/logs/graph.dot", dir);
    pipeline p;
    pipeline_build(&p, 0, 0, 256);
    static const char *hidden[] = {"sink", NULL};
    steady_telemetry *t =
        start_on_any_port(p.g, (steady_telemetry_opts){.hidden = hidden, .dot_path = path});
    assert_int_equal(steady_graph_start(p.g), STEADY_OK);
    await_frames(t, 3);
    char *r;
    assert_int_equal(http_get(steady_telemetry_port(t), "/graph.dot", &r), 200);
    assert_null(strstr(body_of(r), "\"sink\" ["));
    assert_non_null(strstr(body_of(r), "\"middle\""));
    free(r);
    pipeline_stop(&p, t);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dot -Tsvg %s > /dev/null && rm -rf %s", path, dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_test_graph_gets_no_telemetry_and_a_line_saying_so),
        cmocka_unit_test(bad_options_are_refused_naming_the_option),
        cmocka_unit_test(every_route_is_served_while_the_graph_runs),
        cmocka_unit_test(a_channel_whose_messages_wait_20_ms_shows_20_ms),
        cmocka_unit_test(a_slow_middle_stage_is_named_the_bottleneck),
        cmocka_unit_test(each_trigger_colour_shows),
        cmocka_unit_test(hidden_actors_are_left_out_and_the_dot_file_is_written_at_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
