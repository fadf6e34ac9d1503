/* render_test.c — specification of the renderers (src/telemetry/render.h) on hand-made frames:
 * what /graph.dot, /metrics, /snapshot.json and /config say, checked by the real consumers
 * (Graphviz's dot, Prometheus's promtool, python3's json) and field by field.
 *
 * The frame: source -a-> middle (the bottleneck, back-pressure on a, orange) -b-> sink (hidden),
 * five lanes of bundle "work" from middle to an actor whose label holds a quote, a backslash, a
 * newline, Unicode and an invalid byte; a channel with NaN figures and no sender; windows with
 * and without samples. Each tool is skipped (with a message) where it is not installed.
 * Last, the collector's frame of a real (built, not started) graph goes through all three.
 * Only the renderers, buf.h and the collector are used: the HTTP parts are never linked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unistd.h>

#include "steady_test_support.h"
#include "telemetry/collect.h"
#include "telemetry/render.h"

#define WEIRD "we\"ird\\ one\nline two ünï 漢 \xff end"

/* ---- running the consumers ---- */

static bool have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s > /dev/null 2>&1", tool);
    if (system(cmd) == 0)
        return true;
    print_message("%s not installed: its check is skipped\n", tool);
    return false;
}

static void consumer_accepts(const char *tool, const char *cmd, const char *text)
{
    static char out[1 << 16];
    if (!have(tool))
        return;
    char with_err[512];
    snprintf(with_err, sizeof with_err, "%s 2>&1", cmd); /* its complaint, if any, is shown */
    int st = pipe_through(with_err, text, out, sizeof out);
    if (st != 0)
        print_message("%s said:\n%s\n--- input ---\n%s\n", cmd, out, text);
    assert_int_equal(st, 0);
}

/* str() of a python3 expression over the JSON text (as `j`); its single quotes are made double
 * (the command is single-quoted for the shell). */
static void json_eval(const char *json, const char *expr, char *out, size_t cap)
{
    char cmd[768], e[512];
    snprintf(e, sizeof e, "%s", expr);
    for (char *q = strchr(e, '\''); q; q = strchr(q, '\''))
        *q = '"';
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys; j=json.load(sys.stdin); print((%s))' 2>&1", e);
    int st = pipe_through(cmd, json, out, cap);
    if (st != 0)
        print_message("%s said:\n%s\n--- input ---\n%s\n", cmd, out, json);
    assert_int_equal(st, 0);
    out[strcspn(out, "\n")] = '\0';
}

static void json_says(const char *json, const char *expr, const char *want)
{
    char got[1024];
    if (!have("python3"))
        return;
    json_eval(json, expr, got, sizeof got);
    if (strcmp(got, want) != 0)
        print_message("%s: got %s, want %s\n", expr, got, want);
    assert_string_equal(got, want);
}

/* With STEADY_RENDER_DUMP=<dir>, each rendering of the full frame is also written there (to look
 * at, or to paste into the docs). */
static void dump(const char *file, const tm_buf *b)
{
    const char *dir = getenv("STEADY_RENDER_DUMP");
    char path[512];
    if (!dir)
        return;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fwrite(b->data, 1, b->len, fp);
    fclose(fp);
}

static void contains(const char *text, const char *what)
{
    if (!strstr(text, what))
        print_message("missing: %s\n--- in ---\n%s\n", what, text);
    assert_non_null(strstr(text, what));
}

/* ---- the frame ---- */

static steady_troupe_info troupes[2] = {
    {.index = 0, .name = "source", .solo = true, .n_members = 1, .pid = 7, .tid = 8, .core = 1},
    {.index = 1, .name = "crew", .n_members = 3, .pid = 7, .tid = 9, .core = -1},
};
static tm_actor actors[4];
static tm_channel channels[8];

static tm_stats some_stats(double base)
{
    tm_stats s = {.n = 10, .avg = base, .min = base / 2, .max = base * 2, .std = base / 4};
    for (int i = 0; i < TM_N_PCT; i++)
        s.pct[i] = base * (1 + i / 10.0);
    return s;
}

static tm_actor an_actor(uint32_t id, const char *label, uint32_t troupe, double mcpu)
{
    return (tm_actor){
        .info = {.id = id,
                 .name = label,
                 .label = label,
                 .troupe = troupe,
                 .phase = STEADY_ACTOR_RUNNING,
                 .placement = troupe ? STEADY_PLACEMENT_MEMBER : STEADY_PLACEMENT_SOLO},
        .mcpu = mcpu,
        .load = mcpu / 10,
        .mcpu_w = some_stats(mcpu),
        .load_w = some_stats(mcpu / 10)};
}

static tm_channel a_channel(uint32_t id, const char *name, int64_t from, int64_t to, double rate)
{
    return (tm_channel){.info = {.id = id,
                                 .name = name,
                                 .lanes = 1,
                                 .capacity = 64,
                                 .sent_total = 1000 + id,
                                 .taken_total = 990,
                                 .from_actor = from,
                                 .to_actor = to},
                        .rate = rate,
                        .fill = (10.0 + id) / 64,
                        .latency_s = -1,
                        .rate_w = some_stats(rate)};
}

static tm_frame the_frame(void)
{
    actors[0] = an_actor(0, "source", 0, 100);
    actors[0].info.placement = STEADY_PLACEMENT_ISOLATED; /* a child process of its own */
    actors[1] = an_actor(1, "middle", 1, 900);
    actors[1].bottleneck = true;
    actors[1].info.link_kind = "nats+js egress"; /* a bridge whose server is lost */
    actors[1].info.link_endpoint = "nats+js://u@10.0.0.5:4222/ORDERS/orders.\"new\"";
    actors[1].info.link_state = STEADY_LINK_DOWN;
    actors[1].info.link_downs = 3;
    actors[1].color = TM_COLOR_ORANGE;
    actors[1].restarts = actors[1].info.regeneration = 2;
    actors[1].lints = TM_LINT_POLLING | TM_LINT_RESTART_LOOP;
    snprintf(actors[1].info.last_failure, sizeof actors[1].info.last_failure, "x.c:1: \"boom\"");
    actors[2] = an_actor(2, "sink", 1, 5);
    actors[2].hidden = true;
    actors[3] = an_actor(3, WEIRD, 1, 0);
    actors[3].mcpu_w = (tm_stats){0}; /* a window without samples */
    actors[3].info.phase = STEADY_ACTOR_STOPPED_FOR_GOOD;
    channels[0] = a_channel(0, "a", 0, 1, 12345);
    channels[0].color = TM_COLOR_ORANGE;
    channels[0].backpressure = true;
    channels[0].latency_s = 0.0201;
    channels[0].latency_w = some_stats(0.02);
    channels[0].fill_w = some_stats(0.5);
    channels[1] = a_channel(1, "b", 1, 2, 4e6);
    channels[1].color = TM_COLOR_YELLOW;
    channels[2] = a_channel(2, "nan", -1, 0, NAN);
    channels[2].fill = NAN;
    channels[2].rate_w = (tm_stats){0};
    for (uint32_t i = 0; i < 5; i++) {
        static char names[5][16];
        snprintf(names[i], sizeof names[i], "work[%u]", i);
        channels[3 + i] = a_channel(3 + i, names[i], 1, 3, 1000);
        channels[3 + i].info.bundle = "work";
        channels[3 + i].info.lane = i;
        channels[3 + i].info.lanes = 5;
    }
    channels[5].color = TM_COLOR_RED;
    return (tm_frame){.seq = 42,
                      .unix_ms = 1700000000123,
                      .frame_ms = 100,
                      .window_s = 12.8,
                      .graph = {.name = "g \"one\"",
                                .state = STEADY_GRAPH_RUNNING,
                                .n_actors = 4,
                                .n_troupes = 2,
                                .n_channels = 8,
                                .pid = 7},
                      .actors = actors,
                      .n_actors = 4,
                      .troupes = troupes,
                      .n_troupes = 2,
                      .channels = channels,
                      .n_channels = 8,
                      .bottleneck_actor = 1,
                      .backpressure_chan = 0,
                      .total_rate = 4.1e6};
}

static const tm_frame empty_frame = {
    .graph = {.name = ""}, .bottleneck_actor = -1, .backpressure_chan = -1, .window_s = NAN};

/* ---- DOT ---- */

static void dot_is_valid_graphviz_with_ids_colours_and_lines(void **state)
{
    (void)state;
    tm_frame f = the_frame();
    tm_buf b = {0};
    tm_render_dot(&f, &b);
    assert_false(b.oom);
    dump("graph.dot", &b);
    consumer_accepts("dot", "dot -Tsvg -o /dev/null", b.data);
    contains(b.data, "\"middle\" [id=\"a1\"");
    assert_null(strstr(b.data, "\"sink\" [")); /* hidden: a point without its label */
    contains(b.data, "\"~hidden:2\" [id=\"h2\", shape=point");
    contains(b.data, "\"middle\" -> \"~hidden:2\" [id=\"ch1\"");
    contains(b.data, "\"source\" -> \"middle\" [id=\"ch0\", label=\"a\\n12.3K/s · fill 16% · p90 "
                     "65%\\nlatency 20.1ms · p99 30ms\\nTotal: 990\"");
    contains(b.data, "color=\"orange\", penwidth=3.5, style=\"bold\"");
    contains(b.data, "color=\"yellow\"");
    contains(b.data, "peripheries=2"); /* the bottleneck */
    contains(b.data, "\"source\" [id=\"a0\", label=\"source\\nISOLATED · pid ");
    contains(b.data, "style=\"rounded,filled,dashed\"];"); /* ISOLATED: a dashed frame */
    contains(b.data, "BOTTLENECK");
    contains(b.data,
             "\\nnats+js egress · down\\nnats+js://u@10.0.0.5:4222/ORDERS/orders.\\\"new\\\"");
    contains(b.data, "\"~open:2:from\" [shape=point");
    /* five lanes between the same two actors: one edge, the worst lane's colour */
    contains(b.data, "[id=\"lanes3\", label=\"work ×5 lanes\\n5K/s");
    contains(b.data, "color=\"red\"");
    assert_null(strstr(b.data, "id=\"ch4\""));
    contains(b.data, "\"we\\\"ird\\\\ one\\nline two ünï 漢 ? end\" [id=\"a3\"");
    contains(b.data, "label=\"g \\\"one\\\" · running\\nwindow 12.8s · frame 42 · 4.1M msg/s");
    tm_buf_free(&b);
}

static void dot_of_an_empty_graph_is_valid(void **state)
{
    (void)state;
    tm_buf b = {0};
    tm_render_dot(&empty_frame, &b);
    consumer_accepts("dot", "dot -Tsvg -o /dev/null", b.data);
    contains(b.data, "digraph G {");
    tm_buf_free(&b);
}

/* ---- Prometheus ---- */

static void metrics_pass_promtool_with_typed_families_and_quoted_labels(void **state)
{
    (void)state;
    tm_frame f = the_frame();
    tm_buf b = {0};
    tm_render_prom(&f, &b);
    assert_false(b.oom);
    dump("metrics.txt", &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    contains(b.data, "# TYPE steady_channel_sent_total counter\n");
    contains(b.data, "# HELP steady_channel_sent_total ");
    contains(b.data, "steady_channel_sent_total{channel=\"a\",id=\"0\",from=\"source\","
                     "to=\"middle\"} 1000\n");
    contains(b.data, "steady_actor_bottleneck{actor=\"middle\",id=\"1\"} 1\n");
    contains(b.data, "steady_actor_alert{actor=\"middle\",id=\"1\"} 3\n");
    contains(b.data, "steady_channel_latency_seconds_window{channel=\"a\",id=\"0\","
                     "from=\"source\",to=\"middle\",stat=\"p99\"} 0.03\n");
    contains(b.data,
             "steady_channel_rate{channel=\"b\",id=\"1\",from=\"middle\",to=\"\"} 4000000\n");
    assert_null(strstr(b.data, "steady_channel_rate{channel=\"nan\"")); /* NaN: no sample */
    contains(b.data, "actor=\"we\\\"ird\\\\ one\\nline two ünï 漢 ? end\"");
    contains(b.data, "steady_graph_state{state=\"running\"} 1\n");
    contains(b.data, "steady_actor_link_up{actor=\"middle\",id=\"1\",kind=\"nats+js egress\","
                     "endpoint=\"nats+js://u@10.0.0.5:4222/ORDERS/orders.\\\"new\\\"\"} 0\n");
    contains(b.data, "steady_actor_link_downs_total{actor=\"middle\",id=\"1\"} 3\n");
    assert_null(strstr(b.data, "steady_actor_link_up{actor=\"source\"")); /* no link */
    assert_null(strstr(b.data, "actor=\"sink\""));
    assert_null(strstr(b.data, "steady_channel_latency_seconds{channel=\"b\"")); /* none yet */
    assert_null(strstr(b.data, "steady_actor_mcpu_window{actor=\"we"));          /* n == 0 */
    tm_buf_free(&b);
}

static void metrics_of_an_empty_graph_pass_promtool(void **state)
{
    (void)state;
    tm_buf b = {0};
    tm_render_prom(&empty_frame, &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    assert_null(strstr(b.data, "steady_actor_mcpu"));
    tm_buf_free(&b);
}

/* ---- JSON ---- */

static void snapshot_is_json_of_the_documented_shape(void **state)
{
    (void)state;
    tm_frame f = the_frame();
    tm_buf b = {0};
    tm_render_json(&f, &b);
    assert_false(b.oom);
    dump("snapshot.json", &b);
    const char *j = b.data;
    json_says(j, "j['v'], j['seq'], j['unix_ms'], j['frame_ms'], j['window_s']",
              "(1, 42, 1700000000123, 100, 12.8)");
    json_says(j, "j['graph']['name'], j['graph']['state'], j['graph']['n_hidden']",
              "('g \"one\"', 'running', 1)");
    json_says(j, "[a['label'] for a in j['actors']]",
              "['source', 'middle', 'we\"ird\\\\ one\\nline two ünï 漢 ? end']");
    json_says(j, "j['actors'][1]['color'], j['actors'][1]['bottleneck'], j['actors'][1]['lints']",
              "('orange', True, ['polling', 'restart_loop'])");
    json_says(j, "j['actors'][1]['regeneration'], j['actors'][1]['last_failure']",
              "(2, 'x.c:1: \"boom\"')");
    json_says(j, "j['actors'][0]['core'], j['actors'][1]['core'], j['actors'][1]['placement']",
              "(1, None, 'member')");
    json_says(j, "j['actors'][2]['stats']['mcpu'], j['actors'][2]['phase']",
              "(None, 'stopped_for_good')");
    json_says(j, "j['actors'][1]['stats']['load']['p90']", "117");
    json_says(j, "j['actors'][1]['link'], j['actors'][0]['link']",
              "({'kind': 'nats+js egress', 'endpoint': 'nats+js://u@10.0.0.5:4222/ORDERS/"
              "orders.\"new\"', 'state': 'down', 'downs': 3}, None)");
    json_says(j, "j['channels'][0]['stats']['latency']['p50'], j['channels'][0]['latency_s']",
              "(0.022, 0.0201)");
    json_says(j,
              "j['channels'][0]['color'], j['channels'][0]['backpressure'], "
              "j['channels'][0]['inflight']",
              "('orange', True, 10)");
    json_says(j, "j['channels'][1]['latency_s'], j['channels'][1]['to']", "(None, 2)");
    json_says(j,
              "j['channels'][2]['rate'], j['channels'][2]['fill'], j['channels'][2]['from'], "
              "j['channels'][2]['stats']['rate']",
              "(None, None, None, None)");
    json_says(j, "j['channels'][4]['bundle'], j['channels'][4]['lane'], j['channels'][4]['name']",
              "('work', 1, 'work[1]')");
    json_says(j, "j['bottleneck'], j['total_rate']", "({'actor': 1, 'channel': 0}, 4100000)");
    json_says(j, "sorted(j['channels'][0]['stats']['rate'].keys())",
              "['avg', 'max', 'min', 'n', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'std']");
    tm_buf_free(&b);
}

static void snapshot_of_an_empty_graph_has_nulls_not_nan(void **state)
{
    (void)state;
    tm_buf b = {0};
    tm_render_json(&empty_frame, &b);
    json_says(b.data, "j['actors'], j['channels'], j['bottleneck'], j['window_s']",
              "([], [], {'actor': None, 'channel': None}, None)");
    assert_null(strstr(b.data, "nan"));
    tm_buf_free(&b);
}

static void a_large_graph_renders_whole(void **state)
{
    (void)state;
    enum { N = 600 };
    static tm_actor many[N];
    static char labels[N][32];
    for (uint32_t i = 0; i < N; i++) {
        snprintf(labels[i], sizeof labels[i], "actor-%u", i);
        many[i] = an_actor(i, labels[i], 0, i);
    }
    tm_frame f = {.graph = {.name = "big"},
                  .actors = many,
                  .n_actors = N,
                  .troupes = troupes,
                  .n_troupes = 2,
                  .bottleneck_actor = -1,
                  .backpressure_chan = -1};
    tm_buf b = {0};
    tm_render_json(&f, &b);
    json_says(b.data, "len(j['actors']), j['actors'][599]['label']", "(600, 'actor-599')");
    tm_buf_reset(&b);
    tm_render_prom(&f, &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    tm_buf_free(&b);
}

/* ---- a real graph's frame ---- */

/* The collector's frame of a built graph (source -a-> middle -b-> sink, sink hidden), rendered
 * three ways: what the end-to-end test (telemetry_test.c) sees, without the HTTP server. */
static void a_collected_frame_renders_three_ways(void **state)
{
    (void)state;
    steady_graph *g = new_graph("real");
    u64ch_tx a_tx, b_tx;
    u64ch_rx a_rx, b_rx;
    assert_int_equal(u64ch_new(g, "a", 64, &a_tx, &a_rx), STEADY_OK);
    assert_int_equal(u64ch_new(g, "b", 64, &b_tx, &b_rx), STEADY_OK);
    assert_int_equal(spawn_with(g, "source", STEADY_TXS(a_tx), NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(spawn_with(g, "middle", STEADY_TXS(b_tx), STEADY_RXS(a_rx), NULL, NULL),
                     STEADY_OK);
    assert_int_equal(spawn_with(g, "sink", NULL, STEADY_RXS(b_rx), NULL, NULL), STEADY_OK);
    static const char *hidden[] = {"sink", NULL};
    tm_collect_config cfg = {
        .frame_ms = 100, .refresh_ms = 100, .window_ms = 1000, .hidden = hidden};
    tm_collector *c = tm_collector_new(g, &cfg, 1000000000);
    assert_non_null(c);
    const tm_frame *f = tm_collector_sample(c, 1100000000, 1700000000000);
    tm_buf b = {0};
    tm_render_dot(f, &b);
    consumer_accepts("dot", "dot -Tsvg -o /dev/null", b.data);
    contains(b.data, "\"middle\" [id=\"a1\"");
    assert_null(strstr(b.data, "\"sink\" ["));
    tm_buf_reset(&b);
    tm_render_prom(f, &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    contains(b.data, "steady_channel_sent_total{channel=\"a\",id=\"0\"");
    tm_buf_reset(&b);
    tm_render_json(f, &b);
    json_says(b.data, "[a['label'] for a in j['actors']], [c['name'] for c in j['channels']]",
              "(['source', 'middle'], ['a', 'b'])");
    json_says(b.data, "j['graph']['state'], j['seq'], j['channels'][1]['to']",
              "('building', 1, 2)");
    tm_buf_free(&b);
    tm_collector_free(c);
    steady_graph_free(g);
}

/* ---- tees, streams and descriptor waits (issue 12) ---- */

static int listener_run(steady_actor *a, void *arg)
{
    int fd = *(const int *)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_fd(a, fd, STEADY_FD_READABLE);
    return 0;
}

/* A tee of two consumers is two edges from its producer; a stream is its lens and bytes
 * channels, bytes counted as bytes; an actor parked on a descriptor says how many it waits on,
 * in the snapshot and in /metrics. */
static int idle_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* An actor with a link (steady/link.h) shows it through the collector: red while it is down,
 * its kind, endpoint and state in the three renderings. */
static void a_link_down_is_red_and_named(void **state)
{
    (void)state;
    steady_graph *g = new_graph("linked");
    u64ch_tx tx;
    u64ch_rx rx;
    steady_actor *egress;
    assert_int_equal(u64ch_new(g, "a", 64, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn_with(g, "source", STEADY_TXS(tx), NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "egress", .run = idle_run, .rxs = STEADY_RXS(rx)},
            &egress),
        STEADY_OK);
    assert_int_equal(steady_link_describe(egress, "nats egress", "nats://10.1.2.3:4222/x"),
                     STEADY_OK);
    tm_collect_config cfg = {.frame_ms = 100, .refresh_ms = 100, .window_ms = 1000};
    tm_collector *c = tm_collector_new(g, &cfg, 1000000000);
    assert_non_null(c);
    const tm_frame *f = tm_collector_sample(c, 1100000000, 1700000000000);
    assert_int_equal(f->actors[1].color, TM_COLOR_RED); /* described: down until connected */
    assert_int_equal(f->actors[0].color, TM_COLOR_NONE);
    steady_link_set_state(egress, STEADY_LINK_UP);
    f = tm_collector_sample(c, 1200000000, 1700000000100);
    assert_int_equal(f->actors[1].color, TM_COLOR_NONE);
    steady_link_set_state(egress, STEADY_LINK_DOWN);
    f = tm_collector_sample(c, 1300000000, 1700000000200);
    assert_int_equal(f->actors[1].color, TM_COLOR_RED);
    tm_buf b = {0};
    tm_render_dot(f, &b);
    consumer_accepts("dot", "dot -Tsvg -o /dev/null", b.data);
    contains(b.data, "nats egress · down\\nnats://10.1.2.3:4222/x");
    contains(b.data, "color=\"red\"");
    tm_buf_reset(&b);
    tm_render_prom(f, &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    contains(b.data, "steady_actor_link_up{actor=\"egress\",id=\"1\",kind=\"nats egress\","
                     "endpoint=\"nats://10.1.2.3:4222/x\"} 0\n");
    contains(b.data, "steady_actor_link_downs_total{actor=\"egress\",id=\"1\"} 1\n");
    tm_buf_reset(&b);
    tm_render_json(f, &b);
    json_says(b.data, "j['actors'][1]['link']['state'], j['actors'][1]['link']['downs']",
              "('down', 1)");
    tm_buf_free(&b);
    tm_collector_free(c);
    steady_graph_free(g);
}

static void tees_streams_and_descriptor_waits_show(void **state)
{
    (void)state;
    steady_graph *g = new_graph("shapes");
    steady_tee *tee;
    steady_rx *rx[2];
    steady_tee_opts to = {.name = "values", .capacity = 8, .elem_size = 8, .consumers = 2};
    assert_int_equal(steady_tee_new(g, &to, &tee, rx), STEADY_OK);
    steady_stream_tx stx;
    steady_stream_rx srx;
    steady_stream_opts so = {.name = "s", .max_messages = 8, .max_bytes = 256};
    assert_int_equal(steady_stream_new(g, &so, &stx, &srx), STEADY_OK);
    assert_int_equal(steady_stream_try_send(stx, "hello", 5), STEADY_OK); /* before start */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(spawn_with(g, "producer", steady_tee_ends(tee), NULL, NULL, NULL), STEADY_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(spawn_with(g, i ? "consumer-1" : "consumer-0", NULL,
                                    (steady_rx *const[]){rx[i], NULL}, NULL, NULL),
                         STEADY_OK);
    assert_int_equal(spawn_with(g, "writer", STEADY_TXS(stx.lens, stx.bytes), NULL, NULL, NULL),
                     STEADY_OK);
    assert_int_equal(spawn_with(g, "reader", NULL, STEADY_RXS(srx.lens, srx.bytes), NULL, NULL),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "listener", .run = listener_run, .arg = &p[0]}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_actor_info info[8];
    bool parked = false;
    for (int k = 0; k < 1000 && !parked; k++) {
        size_t n = steady_inspect_actors(g, info, 8);
        for (size_t i = 0; i < n; i++)
            parked |= strcmp(info[i].label, "listener") == 0 && info[i].waiting_fds == 1;
        if (!parked)
            sleep_ms(2);
    }
    assert_true(parked);
    tm_collect_config cfg = {.frame_ms = 100, .refresh_ms = 100, .window_ms = 1000};
    tm_collector *c = tm_collector_new(g, &cfg, 1000000000);
    assert_non_null(c);
    const tm_frame *f = tm_collector_sample(c, 1100000000, 1700000000000);
    tm_buf b = {0};
    tm_render_dot(f, &b);
    consumer_accepts("dot", "dot -Tsvg -o /dev/null", b.data);
    contains(b.data, "\"producer\" -> \"consumer-0\"");
    contains(b.data, "\"producer\" -> \"consumer-1\"");
    contains(b.data, "\"writer\" -> \"reader\"");
    contains(b.data, "waits on 1 fd");
    tm_buf_reset(&b);
    tm_render_prom(f, &b);
    consumer_accepts("promtool", "promtool check metrics", b.data);
    contains(b.data, "steady_channel_sent_total{channel=\"s.lens\"");
    contains(b.data, "steady_channel_sent_total{channel=\"s.bytes\"");
    contains(b.data, "steady_actor_waiting_fds{actor=\"listener\"");
    tm_buf_reset(&b);
    tm_render_json(f, &b);
    json_says(
        b.data,
        "sorted((c['name'], c['sent_total']) for c in j['channels'] if c['name'].startswith('s.'))",
        "[('s.bytes', 16), ('s.lens', 1)]");
    json_says(b.data, "[a['waiting_fds'] for a in j['actors'] if a['label'] == 'listener']", "[1]");
    tm_buf_free(&b);
    tm_collector_free(c);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    close(p[0]);
    close(p[1]);
}

/* ---- /config ---- */

static void config_is_the_documented_object(void **state)
{
    (void)state;
    tm_buf b = {0};
    tm_render_config(&(tm_config_view){.frame_ms = 100,
                                       .window_s = 12.8,
                                       .graph_name = "g\"1",
                                       .version = "0.1.0",
                                       .have_viz = true},
                     &b);
    assert_string_equal(b.data, "{\"v\":1,\"frame_ms\":100,\"refresh_rate_ms\":100,\"window_s\":"
                                "12.8,\"graph\":\"g\\\"1\",\"version\":\"0.1.0\",\"have_viz\":"
                                "true,\"telemetry_colors\":[\"#00a900\",\"#008000\"]}\n");
    tm_buf_reset(&b);
    tm_render_config(&(tm_config_view){.frame_ms = 20}, &b);
    json_says(b.data, "j['graph'], j['version'], j['have_viz']", "(None, None, False)");
    tm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dot_is_valid_graphviz_with_ids_colours_and_lines),
        cmocka_unit_test(dot_of_an_empty_graph_is_valid),
        cmocka_unit_test(metrics_pass_promtool_with_typed_families_and_quoted_labels),
        cmocka_unit_test(metrics_of_an_empty_graph_pass_promtool),
        cmocka_unit_test(snapshot_is_json_of_the_documented_shape),
        cmocka_unit_test(snapshot_of_an_empty_graph_has_nulls_not_nan),
        cmocka_unit_test(a_large_graph_renders_whole),
        cmocka_unit_test(a_collected_frame_renders_three_ways),
        cmocka_unit_test(tees_streams_and_descriptor_waits_show),
        cmocka_unit_test(a_link_down_is_red_and_named),
        cmocka_unit_test(config_is_the_documented_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
