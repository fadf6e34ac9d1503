/* main.c — steady-chaos: the command line, the graph, the run and the verdict.
 *
 *   steady-chaos [--seed N] [--messages N] [--failures N] [--commit transactional|separate]
 *                [--capacity N] [--batch N] [--expect-duplicates] [--stop-timeout S]
 *                [--verbose] [--self-test]
 *
 * The last three lines of the output are always `lost: N`, `duplicated: N`, `reordered: N`.
 * Exit status 0 when the run kept what its commit mode promises (README.md):
 *   transactional  lost 0, duplicated 0, reordered 0 (exactly once, in order);
 *   separate       lost 0, duplicated <= failures injected, reordered 0 (at least once, first
 *                  arrivals in order); with --expect-duplicates also duplicated > 0;
 * and the harness did what it planned (every point injected, each seen by the supervisor as
 * exactly one failure, nothing corrupt, a clean stop). 1 otherwise; 2 for a bad command line.
 */
#define _GNU_SOURCE /* getopt_long, memmem */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaos.h"
#include "report.h"

typedef struct chaos_cli {
    chaos_args args;
    uint64_t stop_timeout_s;
    bool expect_duplicates;
    bool verbose;
    bool self_test;
} chaos_cli;

/* ---- command line ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "steady-chaos: sequence-numbered messages through a multi-stage graph under injected\n"
            "failures; the checker's last lines are lost / duplicated / reordered.\n\n"
            "Usage: steady-chaos [options]\n\n"
            "  --seed N             failure plan seed (default 1)\n"
            "  --messages N         sequence numbers to send (default 10000000)\n"
            "  --failures N         failures to inject (default 1000)\n"
            "  --commit MODE        transactional (default) or separate\n"
            "  --capacity N         slots per channel (default 16384)\n"
            "  --batch N            most messages per step (default 2048)\n"
            "  --expect-duplicates  separate mode: also fail unless duplicated > 0\n"
            "  --stop-timeout S     seconds the shutdown vote may take (default 300)\n"
            "  --verbose            show the library's log line for every injected failure\n"
            "  --self-test          feed the checker a gap, a duplicate and a late number\n"
            "  -h, --help           this help\n");
}

static bool parse_u64(const char *name, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!text[0] || text[0] == '-' || *end || errno || v < min || v > max) {
        fprintf(stderr,
                "steady-chaos: --%s needs a whole number from %" PRIu64 " to %" PRIu64
                ", not '%s'\n",
                name, min, max, text);
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static bool parse_commit(const char *text, chaos_commit_mode *out)
{
    if (strcmp(text, "transactional") == 0)
        *out = CHAOS_TRANSACTIONAL;
    else if (strcmp(text, "separate") == 0)
        *out = CHAOS_SEPARATE;
    else {
        fprintf(stderr, "steady-chaos: --commit needs transactional or separate, not '%s'\n", text);
        return false;
    }
    return true;
}

enum {
    OPT_SEED = 1,
    OPT_MESSAGES,
    OPT_FAILURES,
    OPT_COMMIT,
    OPT_CAPACITY,
    OPT_BATCH,
    OPT_EXPECT_DUPS,
    OPT_STOP_TIMEOUT,
    OPT_VERBOSE,
    OPT_SELF_TEST
};

static bool apply_option(chaos_cli *cli, int opt, const char *v)
{
    chaos_args *a = &cli->args;
    switch (opt) {
    case OPT_SEED: return parse_u64("seed", v, 0, UINT64_MAX, &a->seed);
    case OPT_MESSAGES: return parse_u64("messages", v, 1, (uint64_t)1 << 40, &a->messages);
    case OPT_FAILURES: return parse_u64("failures", v, 0, 10000000, &a->failures);
    case OPT_COMMIT: return parse_commit(v, &a->commit);
    case OPT_CAPACITY: return parse_u64("capacity", v, 2, (uint64_t)1 << 26, &a->capacity);
    case OPT_BATCH: return parse_u64("batch", v, 1, (uint64_t)1 << 26, &a->batch);
    case OPT_STOP_TIMEOUT: return parse_u64("stop-timeout", v, 1, 86400, &cli->stop_timeout_s);
    case OPT_EXPECT_DUPS: cli->expect_duplicates = true; return true;
    case OPT_VERBOSE: cli->verbose = true; return true;
    case OPT_SELF_TEST: cli->self_test = true; return true;
    default: return false;
    }
}

/* Returns 0 to run, 1 when --help was printed, 2 for a bad command line. */
static int parse_cli(int argc, char **argv, chaos_cli *cli)
{
    static const struct option longs[] = {
        {"seed", required_argument, NULL, OPT_SEED},
        {"messages", required_argument, NULL, OPT_MESSAGES},
        {"failures", required_argument, NULL, OPT_FAILURES},
        {"commit", required_argument, NULL, OPT_COMMIT},
        {"capacity", required_argument, NULL, OPT_CAPACITY},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"expect-duplicates", no_argument, NULL, OPT_EXPECT_DUPS},
        {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"self-test", no_argument, NULL, OPT_SELF_TEST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *cli = (chaos_cli){.args = {.seed = 1,
                                .messages = 10000000,
                                .failures = 1000,
                                .capacity = 16384,
                                .batch = 2048},
                       .stop_timeout_s = 300};
    for (int opt; (opt = getopt_long(argc, argv, "h", longs, NULL)) != -1;) {
        if (opt == 'h') {
            usage(stdout);
            return 1;
        }
        if (opt == '?' || !apply_option(cli, opt, optarg))
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "steady-chaos: unexpected argument '%s'; try --help\n", argv[optind]);
        return 2;
    }
    chaos_args *a = &cli->args;
    if (a->batch > a->capacity)
        a->batch = a->capacity;
    /* The last tenth (at least one message) is sent after shutdown was requested. */
    a->shutdown_at = a->messages - (a->messages / 10 ? a->messages / 10 : 1);
    return 0;
}

/* ---- the library's log: injected failures are expected, so their lines are counted ---- */

typedef struct chaos_log {
    bool verbose;
    uint64_t hidden; /* written under the library's log lock; read by main after the stop */
} chaos_log;

static bool has(const char *line, size_t len, const char *what)
{
    return memmem(line, len, what, strlen(what)) != NULL;
}

static void log_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    chaos_log *l = ctx;
    (void)level;
    if (!l->verbose && (has(line, len, CHAOS_MARK) || has(line, len, "run returned 86") ||
                        has(line, len, "restarting as regeneration"))) {
        l->hidden++;
        return;
    }
    fprintf(stderr, "%.*s\n", (int)len, line);
}

/* ---- the graph ---- */

static steady_err add_channels(chaos_run *run)
{
    static const char *const names[CHAOS_ROLES] = {"source->stage-a", "stage-a->stage-b",
                                                   "stage-b->stage-c", "stage-c->checker"};
    uint64_t cap = run->args.capacity;
    steady_err e = STEADY_OK;
    for (int r = 0; r < CHAOS_ROLES && e == STEADY_OK; r++) {
        msgch_rx *rx = r + 1 < CHAOS_ROLES ? &run->io[r + 1].in : &run->sink.in;
        e = msgch_new(run->g, names[r], cap, &run->io[r].out, rx);
    }
    return e;
}

/* source solo; stage-a and stage-b members of troupe "ab"; stage-c solo; checker solo. */
static steady_err build(chaos_run *run)
{
    steady_troupe *ab;
    steady_err e;
    if ((e = add_channels(run)) ||
        (e = steady_troupe_new(run->g, &(steady_troupe_opts){.name = "ab"}, &ab)))
        return e;
    static const steady_actor_fn fns[CHAOS_ROLES] = {chaos_source_run, chaos_stage_run,
                                                     chaos_stage_run, chaos_stage_run};
    for (int r = 0; r < CHAOS_ROLES; r++) {
        chaos_stage_io *io = &run->io[r];
        io->role = (chaos_role)r;
        io->args = &run->args;
        io->plan = &run->plans[r];
        io->latency = run->latency[r];
        io->reentry = run->reentry[r];
        steady_actor_opts o = {
            .name = chaos_role_name((chaos_role)r),
            .run = fns[r],
            .arg = io,
            .troupe = r == CHAOS_STAGE_A || r == CHAOS_STAGE_B ? ab : NULL,
            .txs = STEADY_TXS(io->out),
            .rxs = r == CHAOS_SOURCE ? NULL : STEADY_RXS(io->in),
            .state_size = sizeof(chaos_state),
        };
        if ((e = steady_actor_spawn(run->g, &o, &run->actors[r])))
            return e;
    }
    run->sink.args = &run->args;
    run->sink.checker = &run->checker;
    return steady_actor_spawn(run->g,
                              &(steady_actor_opts){.name = "checker",
                                                   .run = chaos_sink_run,
                                                   .arg = &run->sink,
                                                   .rxs = STEADY_RXS(run->sink.in)},
                              &run->sink_actor);
}

static bool alloc_run(chaos_run *run)
{
    if (!chaos_plans_make(&run->args, run->plans) ||
        !chaos_checker_init(&run->checker, run->args.messages))
        return false;
    for (int r = 0; r < CHAOS_ROLES; r++) {
        size_t n = run->plans[r].n ? run->plans[r].n : 1;
        run->latency[r] = calloc(n, sizeof(uint64_t));
        run->reentry[r] = calloc(n, sizeof(uint64_t));
        if (!run->latency[r] || !run->reentry[r])
            return false;
    }
    return true;
}

static void free_run(chaos_run *run)
{
    chaos_plans_free(run->plans);
    chaos_checker_free(&run->checker);
    for (int r = 0; r < CHAOS_ROLES; r++) {
        free(run->latency[r]);
        free(run->reentry[r]);
    }
}

/* Builds, runs and stops the graph; fills run->stop and run->elapsed_ns. False when the graph
 * could not be built or started (the reason is printed). */
static bool run_graph(chaos_run *run, uint64_t stop_timeout_s)
{
    steady_policy policy = STEADY_POLICY_DEFAULT;
    policy.backoff_floor_ms = 0;
    policy.backoff_ceiling_ms = 0;
    policy.jitter_pct = 0;
    policy.max_restarts = STEADY_UNLIMITED;
    steady_err e =
        steady_graph_new(&run->g, &(steady_graph_opts){.name = "steady-chaos", .policy = &policy});
    if (e == STEADY_OK && (e = build(run)) == STEADY_OK) {
        uint64_t t0 = steady_clock_monotonic_ns(NULL);
        if ((e = steady_graph_start(run->g)) == STEADY_OK) {
            run->stop = steady_graph_block_until_stopped(run->g, (int64_t)stop_timeout_s * 1000);
            run->elapsed_ns = steady_clock_monotonic_ns(NULL) - t0;
            return true;
        }
    }
    fprintf(stderr, "steady-chaos: %s: %s\n", steady_strerror(e), steady_last_error());
    return false;
}

int main(int argc, char **argv)
{
    chaos_cli cli;
    int parsed = parse_cli(argc, argv, &cli);
    if (parsed != 0)
        return parsed == 1 ? 0 : 2;
    if (cli.self_test) {
        char text[512];
        bool ok = chaos_checker_self_test(text, sizeof text);
        fputs(text, stdout);
        return ok ? 0 : 1;
    }
    static chaos_run run; /* large; zeroed */
    run.args = cli.args;
    chaos_log log = {.verbose = cli.verbose};
    steady_log_set_sink(log_sink, &log);
    int status = 1;
    if (!alloc_run(&run))
        fprintf(stderr, "steady-chaos: out of memory (the checker needs messages/8 bytes)\n");
    else if (run_graph(&run, cli.stop_timeout_s)) {
        chaos_checker_finish(&run.checker);
        status = chaos_report(stdout, &run, cli.expect_duplicates, log.hidden);
    }
    if (run.g)
        steady_graph_free(run.g);
    steady_log_set_sink(NULL, NULL);
    free_run(&run);
    return status;
}
