/* observed_graph.c — a graph for the tests that look at telemetry from outside (a browser, a
 * Prometheus server, slow clients): source -> middle -> sink over channels "a" and "b", the
 * middle stage holding each message --hold-us microseconds (0: none), so it is the bottleneck
 * and "a" is where back-pressure starts. Serves telemetry on STEADY_TELEMETRY_PORT (0: any
 * free port) and prints one line "url <URL>" on stdout once serving; runs --seconds (0: until
 * SIGINT/SIGTERM) and exits 0 only if the stop was clean.
 *
 * --history PATH records every frame there (history_path).
 *
 *   observed_graph [--seconds N] [--hold-us N] [--frame-ms N] [--history PATH]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>
#include <steady/telemetry.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct {
    u64ch_tx out;
} source_io;

typedef struct {
    u64ch_rx in;
    u64ch_tx out;
    bool has_out;
    uint64_t hold_us;
} stage_io;

static int source(steady_actor *a, void *arg)
{
    source_io *io = arg;
    uint64_t v = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->out))))
        if (steady_wait_vacant(a, io->out, 1) == STEADY_READY)
            while (u64ch_tx_try_send(io->out, v) == STEADY_OK)
                v++;
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
        if (io->hold_us)
            steady_wait_one(a, STEADY_TIMEOUT(STEADY_US(io->hold_us)));
        if (u64ch_rx_try_take(io->in, &v) == STEADY_OK && io->has_out)
            u64ch_tx_try_send(io->out, v);
    }
    return 0;
}

static uint64_t arg_u64(int argc, char **argv, const char *name, uint64_t dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return strtoull(argv[i + 1], NULL, 10);
    return dflt;
}

static const char *arg_str(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

int main(int argc, char **argv)
{
    uint64_t seconds = arg_u64(argc, argv, "--seconds", 0);
    source_io src;
    stage_io mid = {.has_out = true, .hold_us = arg_u64(argc, argv, "--hold-us", 200)};
    stage_io sink = {0};
    steady_graph *g;
    steady_actor *x;
    steady_telemetry *t = NULL;
    steady_telemetry_opts o = {.frame_ms = (uint32_t)arg_u64(argc, argv, "--frame-ms", 100),
                               .dot_path = "",
                               .history_path = arg_str(argc, argv, "--history")};
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "observed"}) != STEADY_OK ||
        u64ch_new(g, "a", 256, &src.out, &mid.in) != STEADY_OK ||
        u64ch_new(g, "b", 256, &mid.out, &sink.in) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "source", .run = source, .arg = &src, .txs = STEADY_TXS(src.out)},
            &x) != STEADY_OK ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "middle",
                                                .run = stage,
                                                .arg = &mid,
                                                .txs = STEADY_TXS(mid.out),
                                                .rxs = STEADY_RXS(mid.in)},
                           &x) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "sink", .run = stage, .arg = &sink, .rxs = STEADY_RXS(sink.in)},
            &x) != STEADY_OK ||
        steady_telemetry_start(g, &o, &t) != STEADY_OK || steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "observed_graph: %s\n", steady_last_error());
        return 1;
    }
    char url[256];
    steady_telemetry_url(t, url, sizeof url);
    printf("url %s\n", url);
    fflush(stdout);
    /* SIGINT/SIGTERM request the stop (the graph's handlers); --seconds does it here. */
    uint64_t end = steady_clock_monotonic_ns(NULL) + seconds * 1000000000u;
    while (seconds && steady_graph_get_state(g) == STEADY_GRAPH_RUNNING &&
           steady_clock_monotonic_ns(NULL) < end)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    if (seconds)
        steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_telemetry_stop(t);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}
