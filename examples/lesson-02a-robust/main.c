/* lesson-02a-robust — lesson 01's pipeline, failing on purpose and staying exact.
 *
 * The worker fails on the poison value (--poison) every time it meets it; after
 * SHOWSTOPPER_TRIES failed generations the supervisor moves that value to the dead-letter
 * channel, and the pipeline carries on. With --chaos, heartbeat, generator and logger also fail
 * now and then, on a schedule seeded by --seed. Every failure is logged, every actor is
 * restarted after a short backoff and says so with its restart count, and the logger's last
 * line counts every generated value but the poison, exactly. main ends with a summary of the
 * restarts and its own check of the totals.
 *
 * With --isolated the worker runs in a child process of its own and dies on the poison by a
 * real SIGSEGV (a null write); the parent logs the signal and restarts it, and the rest is as
 * above. The other actors stay in this process (and with --chaos fail as before).
 */
#define _POSIX_C_SOURCE 200809L /* getpid */

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "lesson02a.h"
#include "lesson_cli.h"
#include "lesson_telemetry.h"

enum { HEARTBEAT, GENERATOR, WORKER, LOGGER, DEAD_LETTERS, N_ACTORS };

typedef struct lesson02a_graph {
    heartbeat_io hb;
    generator_io gen;
    worker_io worker;
    logger_io logger;
    dead_letters_io dead;
    steady_actor *actors[N_ACTORS];
} lesson02a_graph;

/* The graph's restart policy: short backoffs, so a 1-second run shows every restart. */
static steady_policy restart_policy(void)
{
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 5; /* 5, 10, 20, 40 ms (+-20 %) for the restarts of one streak */
    p.backoff_ceiling_ms = 40;
    /* Chaos fails an actor at most 3 times, the poison the worker 3 times: 10 within a second
     * means something else is wrong. Every actor is needed for an exact total, so then the
     * whole graph stops (and main exits 1) rather than running on without it. */
    p.max_restarts = 10;
    p.period_ms = 1000;
    p.escalation = STEADY_ESCALATE_SHUTDOWN_GRAPH;
    return p;
}

static steady_err make_channels(steady_graph *g, lesson02a_graph *io, const lesson02a_args *args)
{
    steady_err e;
    if ((e = u64ch_new(g, "heartbeat->worker", 8, &io->hb.beats, &io->worker.beats)) ||
        (e = u64ch_new(g, "generator->worker", args->capacity, &io->gen.values,
                       &io->worker.values)) ||
        (e = fbch_new(g, "worker->logger", args->capacity, &io->worker.out, &io->logger.in)) ||
        (e = u64ch_new(g, "worker->dead-letters", 4, &io->worker.dead, &io->dead.in)))
        return e;
    /* The poison's way out: after SHOWSTOPPER_TRIES failed generations of the worker died
     * holding the same head value, the supervisor sends it to the dead letters. */
    return u64ch_rx_set_showstopper(io->worker.values, SHOWSTOPPER_TRIES, io->worker.dead);
}

static steady_err build(steady_graph *g, lesson02a_graph *io, lesson02a_args *args)
{
    steady_troupe *troupe;
    steady_err e;
    if ((e = make_channels(g, io, args)) ||
        (e = steady_troupe_new(g, &(steady_troupe_opts){.name = "producers"}, &troupe)))
        return e;
    const steady_actor_opts actors[N_ACTORS] = {
        [HEARTBEAT] = {.name = "heartbeat",
                       .run = heartbeat_run,
                       .arg = &io->hb,
                       .troupe = troupe,
                       .txs = STEADY_TXS(io->hb.beats),
                       .state_size = sizeof(heartbeat_state),
                       .state_init = heartbeat_init,
                       .state_init_arg = args},
        [GENERATOR] = {.name = "generator",
                       .run = generator_run,
                       .arg = &io->gen,
                       .troupe = troupe,
                       .txs = STEADY_TXS(io->gen.values),
                       .state_size = sizeof(generator_state),
                       .state_init = generator_init,
                       .state_init_arg = args},
        [WORKER] = {.name = "worker",
                    .run = worker_run,
                    .arg = &io->worker,
                    .rxs = STEADY_RXS(io->worker.beats, io->worker.values),
                    .txs = STEADY_TXS(io->worker.out, io->worker.dead),
                    .state_size = sizeof(worker_state),
                    .isolated = args->isolated != 0},
        [LOGGER] = {.name = "logger",
                    .run = logger_run,
                    .arg = &io->logger,
                    .rxs = STEADY_RXS(io->logger.in),
                    .state_size = sizeof(logger_state),
                    .state_init = logger_init,
                    .state_init_arg = args},
        [DEAD_LETTERS] = {.name = "dead-letters",
                          .run = dead_letters_run,
                          .arg = &io->dead,
                          .rxs = STEADY_RXS(io->dead.in),
                          .state_size = sizeof(dead_letters_state)},
    };
    for (size_t i = 0; i < N_ACTORS; i++)
        if ((e = steady_actor_spawn(g, &actors[i], &io->actors[i])) != STEADY_OK)
            return e;
    return STEADY_OK;
}

/* What the logger must have counted: the kinds of 0..n-1, without the poison if among them. */
static logger_state expected_counts(uint64_t n, uint64_t poison)
{
    logger_state e = {.fizzbuzz = (n + 14) / 15};
    e.fizz = (n + 2) / 3 - e.fizzbuzz;
    e.buzz = (n + 4) / 5 - e.fizzbuzz;
    e.value = n - e.fizzbuzz - e.fizz - e.buzz;
    if (poison < n) {
        switch ((fizzbuzz_kind)fizzbuzz_of(poison).kind) {
        case FB_FIZZ: e.fizz--; break;
        case FB_BUZZ: e.buzz--; break;
        case FB_FIZZBUZZ: e.fizzbuzz--; break;
        case FB_VALUE: e.value--; break;
        }
    }
    return e;
}

static void print_restarts(const lesson02a_graph *io)
{
    printf("lesson-02a-robust: restarts:");
    for (size_t i = 0; i < N_ACTORS; i++)
        printf("%s %s %" PRIu32, i ? "," : "", steady_actor_name(io->actors[i]),
               steady_actor_restarts(io->actors[i]));
    const steady_channel *values = u64ch_rx_channel(io->worker.values);
    printf("; showstoppers moved aside: %" PRIu64 " (dropped: %" PRIu64 ")\n",
           steady_channel_showstoppers(values), steady_channel_showstoppers_dropped(values));
}

/* Prints the restarts and checks the stopped graph's states against the channel's truth: true
 * when every generated value but the poison was counted exactly once, kind by kind, the
 * poison (if generated) reached the dead letters, and no actor was given up on. */
static bool report(const lesson02a_graph *io, const lesson02a_args *args)
{
    print_restarts(io);
    bool all_alive = true;
    for (size_t i = 0; i < N_ACTORS; i++)
        all_alive = all_alive && !steady_actor_stopped_for_good(io->actors[i]);
    const logger_state *log = steady_actor_state(io->actors[LOGGER]);
    const dead_letters_state *dead = steady_actor_state(io->actors[DEAD_LETTERS]);
    uint64_t generated = steady_channel_sent_total(u64ch_rx_channel(io->worker.values));
    logger_state e = expected_counts(generated, args->poison);
    uint64_t logged = log->fizz + log->buzz + log->fizzbuzz + log->value;
    bool exact = log->fizz == e.fizz && log->buzz == e.buzz && log->fizzbuzz == e.fizzbuzz &&
                 log->value == e.value && dead->count == (args->poison < generated) && all_alive;
    printf("lesson-02a-robust: generated %" PRIu64 ", logged %" PRIu64 ", dead letters %" PRIu64
           ": %s\n",
           generated, logged, dead->count, exact ? "exact" : "NOT EXACT");
    return exact;
}

static lesson_cli_result parse(int argc, char **argv, lesson02a_args *args,
                               lesson_telemetry_args *tele)
{
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args->rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats before shutdown", &args->beats, 1, 1000000000},
        {"capacity", 'c', "N", "capacity of the value and message channels", &args->capacity, 1,
         1u << 24},
        {"poison", 'p', "V", "the value the worker fails on", &args->poison, 0, UINT64_MAX},
        {"chaos", 'x', NULL, "heartbeat, generator and logger fail now and then, too", &args->chaos,
         0, 1},
        {"seed", 's', "N", "seed of the --chaos schedule", &args->seed, 0, UINT64_MAX},
        {"isolated", 'i', NULL,
         "the worker runs in a child process; the poison crashes it (SIGSEGV)", &args->isolated, 0,
         1},
        LESSON_TELEMETRY_OPTS(*tele),
    };
    return lesson_cli_parse(argc, argv,
                            "lesson-02a-robust: lesson 01's pipeline with failures, restarts "
                            "and a showstopper, and still an exact total",
                            opts, (int)(sizeof opts / sizeof opts[0]));
}

int main(int argc, char **argv)
{
    lesson02a_args args = {.rate_ms = 20, .beats = 50, .capacity = 64, .poison = 33, .seed = 1};
    lesson_telemetry_args tele = {0};
    switch (parse(argc, argv, &args, &tele)) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    args.main_pid = (uint64_t)getpid();
    if (args.isolated)
        printf("lesson-02a-robust: main runs in process %" PRIu64
               "; the worker will run in a child process\n",
               args.main_pid);
    steady_policy policy = restart_policy();
    steady_graph *g;
    lesson02a_graph io;
    if (steady_graph_new(
            &g, &(steady_graph_opts){.args = &args, .name = "lesson-02a", .policy = &policy}) !=
        STEADY_OK) {
        fprintf(stderr, "lesson-02a-robust: %s\n", steady_last_error());
        return 1;
    }
    if (build(g, &io, &args) != STEADY_OK) {
        fprintf(stderr, "lesson-02a-robust: %s\n", steady_last_error());
        steady_graph_free(g);
        return 1;
    }
    lesson_telemetry *t = lesson_telemetry_start(g, &tele);
    if (steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "lesson-02a-robust: %s\n", steady_last_error());
        lesson_telemetry_stop(t);
        steady_graph_free(g);
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    if (e != STEADY_OK)
        fprintf(stderr, "lesson-02a-robust: %s\n", steady_last_error());
    lesson_telemetry_stop(t);
    bool exact = report(&io, &args);
    steady_graph_free(g);
    return e == STEADY_OK && exact ? 0 : 1;
}
