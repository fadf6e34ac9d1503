/* main.c — steady-chaos: the command line, the graph, the run and the verdict.
 *
 *   steady-chaos [--seed N] [--messages N] [--failures N] [--commit transactional|separate]
 *                [--isolated] [--hows LIST] [--capacity N] [--batch N] [--expect-duplicates]
 *                [--stop-timeout S] [--verbose] [--self-test]
 *
 * The last three lines of the output are always `lost: N`, `duplicated: N`, `reordered: N`.
 * Exit status 0 when the run kept what its commit mode promises (README.md):
 *   transactional  lost 0, duplicated 0, reordered 0 (exactly once, in order);
 *   separate       lost 0, duplicated <= failures injected, reordered 0 (at least once, first
 *                  arrivals in order); with --expect-duplicates also duplicated > 0;
 * and the harness did what it planned (every point injected, each seen by the supervisor as
 * exactly one failure — a native death as one failure of each unfinished member of the dead
 * child — nothing corrupt, a clean stop). 1 otherwise; 2 for a bad command line.
 */
#define _GNU_SOURCE /* getopt_long, memmem */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "baseline.h"
#include "chaos.h"
#include "report.h"

typedef struct chaos_cli {
    chaos_args args;
    uint64_t stop_timeout_s;
    bool expect_duplicates;
    bool verbose;
    bool self_test;
    bool fork_baseline;
    bool native_named; /* --hows named sigkill or sigsegv (not through "all") */
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
            "  --isolated           run troupe \"ab\" and stage-c in child processes; their\n"
            "                       failures may also be native deaths (SIGKILL, SIGSEGV)\n"
            "  --hows LIST          ways to fail, comma-separated: panic,assert,return,\n"
            "                       sigkill,sigsegv (the last two need --isolated), or all\n"
            "                       (default: all that the placement allows)\n"
            "  --capacity N         slots per channel (default 16384)\n"
            "  --batch N            most messages per step (default 2048)\n"
            "  --expect-duplicates  separate mode: also fail unless duplicated > 0\n"
            "  --stop-timeout S     seconds the shutdown vote may take (default 300)\n"
            "  --verbose            show the library's log line for every injected failure\n"
            "  --self-test          feed the checker a gap, a duplicate and a late number\n"
            "  --fork-baseline      time a bare fork and a SIGKILL of a child (the floor under\n"
            "                       the isolated restart latency) and exit\n"
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
    OPT_SELF_TEST,
    OPT_ISOLATED,
    OPT_HOWS,
    OPT_FORK_BASELINE
};

static bool parse_hows(const char *text, chaos_cli *cli)
{
    if (!chaos_parse_hows(text, &cli->args.how_mask)) {
        fprintf(stderr,
                "steady-chaos: --hows needs a comma-separated list of panic, assert, return, "
                "sigkill, sigsegv (or all), not '%s'\n",
                text);
        return false;
    }
    cli->native_named = strcmp(text, "all") != 0 && (cli->args.how_mask & CHAOS_HOWS_NATIVE);
    return true;
}

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
    case OPT_ISOLATED: a->isolated = true; return true;
    case OPT_HOWS: return parse_hows(v, cli);
    case OPT_FORK_BASELINE: cli->fork_baseline = true; return true;
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
        {"isolated", no_argument, NULL, OPT_ISOLATED},
        {"hows", required_argument, NULL, OPT_HOWS},
        {"fork-baseline", no_argument, NULL, OPT_FORK_BASELINE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *cli = (chaos_cli){.args = {.seed = 1,
                                .messages = 10000000,
                                .failures = 1000,
                                .capacity = 16384,
                                .batch = 2048,
                                .how_mask = CHAOS_HOWS_IN_PROCESS | CHAOS_HOWS_NATIVE},
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
    if (cli->native_named && !a->isolated) {
        fprintf(stderr, "steady-chaos: sigkill and sigsegv kill a child process: add --isolated\n");
        return 2;
    }
    bool can_fail = false;
    for (int r = 0; r < CHAOS_ROLES; r++)
        can_fail |= chaos_role_hows(a, (chaos_role)r) != 0;
    if (!can_fail && a->failures) {
        fprintf(stderr, "steady-chaos: --hows leaves no way to fail; give at least one\n");
        return 2;
    }
    if (a->batch > a->capacity)
        a->batch = a->capacity;
    /* The last tenth (at least one message) is sent after shutdown was requested. */
    a->shutdown_at = a->messages - (a->messages / 10 ? a->messages / 10 : 1);
    return 0;
}

/* ---- the library's log: injected failures are expected, so their lines are counted ---- */

static bool has(const char *line, size_t len, const char *what)
{
    return memmem(line, len, what, strlen(what)) != NULL;
}

/* The warden's line for each member of a child that died: "actor 'stage-c' failed
 * (regeneration 3): its process killed by SIGKILL (Killed)". Counted by signal, shown or not;
 * the report checks the counts against the deaths injected. Children's own lines arrive here
 * too (forwarded by the warden), so their injected failures are hidden like the others. */
static void log_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    chaos_log *l = ctx;
    (void)level;
    bool death = false;
    if (has(line, len, "): its process killed by SIGKILL"))
        l->deaths_kill++, death = true;
    else if (has(line, len, "): its process killed by SIGSEGV"))
        l->deaths_segv++, death = true;
    else if (has(line, len, "): its process "))
        l->deaths_other++; /* shown: nothing else is meant to end a child */
    else if (has(line, len, "completed from its intent record"))
        l->replayed++; /* shown: no point lies inside a commit */
    if (!l->verbose && (death || has(line, len, CHAOS_MARK) || has(line, len, "run returned 86") ||
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

/* source solo; stage-a and stage-b members of troupe "ab"; stage-c solo; checker solo. With
 * --isolated, troupe "ab" and stage-c each run in a child process. */
static steady_err build(chaos_run *run)
{
    steady_troupe *ab;
    steady_err e;
    bool iso = run->args.isolated;
    if ((e = add_channels(run)) ||
        (e = steady_troupe_new(run->g, &(steady_troupe_opts){.name = "ab", .isolated = iso}, &ab)))
        return e;
    static const steady_actor_fn fns[CHAOS_ROLES] = {chaos_source_run, chaos_stage_run,
                                                     chaos_stage_run, chaos_stage_run};
    for (int r = 0; r < CHAOS_ROLES; r++) {
        chaos_stage_io *io = &run->io[r];
        io->role = (chaos_role)r;
        io->args = &run->args;
        io->plan = &run->plans[r];
        bool member = r == CHAOS_STAGE_A || r == CHAOS_STAGE_B;
        steady_actor_opts o = {
            .name = chaos_role_name((chaos_role)r),
            .run = fns[r],
            .arg = io,
            .troupe = member ? ab : NULL,
            .txs = STEADY_TXS(io->out),
            .rxs = r == CHAOS_SOURCE ? NULL : STEADY_RXS(io->in),
            .state_size = chaos_state_size(run->plans[r].n),
            .isolated = r == CHAOS_STAGE_C && iso,
        };
        if ((e = steady_actor_spawn(run->g, &o, &run->actors[r])))
            return e;
    }
    if (iso) { /* one death of the troupe's child fails both members */
        run->io[CHAOS_STAGE_A].mate = run->actors[CHAOS_STAGE_B];
        run->io[CHAOS_STAGE_B].mate = run->actors[CHAOS_STAGE_A];
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
    return chaos_plans_make(&run->args, run->plans) &&
           chaos_checker_init(&run->checker, run->args.messages);
}

static void free_run(chaos_run *run)
{
    chaos_plans_free(run->plans);
    chaos_checker_free(&run->checker);
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
    if (cli.fork_baseline)
        return chaos_fork_baseline(stdout, 200);
    static chaos_run run; /* large; zeroed */
    run.args = cli.args;
    run.log.verbose = cli.verbose;
    steady_log_set_sink(log_sink, &run.log);
    if (run.args.isolated) /* no core file per SIGSEGV (the children inherit the limit) */
        setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
    static chaos_outcome outcome;
    bool ran = false, taken = false;
    if (!alloc_run(&run))
        fprintf(stderr, "steady-chaos: out of memory (the checker needs messages/8 bytes)\n");
    else if ((ran = run_graph(&run, cli.stop_timeout_s)) &&
             !(taken = chaos_outcome_take(&run, &outcome)))
        fprintf(stderr, "steady-chaos: out of memory (latency samples)\n");
    /* Freeing the graph joins the warden, which forwards the children's last log lines: the
     * log's counts are final only after it. */
    if (run.g)
        steady_graph_free(run.g);
    run.g = NULL;
    int status = 1;
    if (ran && taken) {
        chaos_checker_finish(&run.checker);
        status = chaos_report(stdout, &run, &outcome, cli.expect_duplicates);
    }
    steady_log_set_sink(NULL, NULL);
    free_run(&run);
    return status;
}
