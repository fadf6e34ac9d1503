/* lesson-02b-performant — the lesson 01 pipeline at full speed.
 *
 * The generator runs flat out; after --beats beats of --rate ms the heartbeat asks the graph
 * to stop, the channels drain, and the logger's last line counts every value sent, exactly.
 * The program ends by printing the whole run's rate (start-up and drain included).
 *
 * Placements (--placement), all of the same actor functions:
 *   troupe    all four actors in one troupe: every hand-off stays in one core's caches
 *   split     heartbeat + generator + worker in one troupe, the logger in another: two cores
 *   original  heartbeat + generator in a troupe, worker and logger solo (the Rust lesson's)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson02b.h"
#include "lesson_cli.h"

typedef enum placement { PLACE_TROUPE = 0, PLACE_SPLIT = 1, PLACE_ORIGINAL = 2 } placement;
static const char *const placement_names[] = {"troupe", "split", "original"};
static const char *const mode_names[] = {"zero-copy", "double-buffer"};

typedef struct lesson02b_graph {
    heartbeat_io hb;
    generator_io gen;
    worker_io worker;
    logger_io logger;
    steady_actor *logger_actor;
} lesson02b_graph;

static steady_err make_troupes(steady_graph *g, placement p, steady_troupe *t[2])
{
    steady_err e = STEADY_OK;
    t[0] = t[1] = NULL;
    if (p == PLACE_TROUPE)
        e = steady_troupe_new(g, &(steady_troupe_opts){.name = "pipeline"}, &t[0]);
    else if (p == PLACE_SPLIT)
        (void)((e = steady_troupe_new(
                    g, &(steady_troupe_opts){.name = "produce", .pin = true, .core = 0}, &t[0])) ||
               (e = steady_troupe_new(
                    g, &(steady_troupe_opts){.name = "consume", .pin = true, .core = 1}, &t[1])));
    else
        e = steady_troupe_new(g, &(steady_troupe_opts){.name = "producers"}, &t[0]);
    return e;
}

static steady_err build(steady_graph *g, lesson02b_graph *io, const lesson02b_args *args,
                        placement p)
{
    steady_troupe *t[2];
    steady_err e;
    if ((e = u64ch_new(g, "heartbeat->worker", 8, &io->hb.beats, &io->worker.beats)) ||
        (e = u64ch_new(g, "generator->worker", args->capacity, &io->gen.values,
                       &io->worker.values)) ||
        (e = u64ch_new(g, "worker->logger", args->capacity, &io->worker.out, &io->logger.in)) ||
        (e = make_troupes(g, p, t)))
        return e;
    steady_troupe *worker_troupe = p == PLACE_ORIGINAL ? NULL : t[0];
    steady_troupe *logger_troupe = p == PLACE_TROUPE ? t[0] : p == PLACE_SPLIT ? t[1] : NULL;
    const steady_actor_opts actors[] = {
        {.name = "heartbeat",
         .run = heartbeat_run,
         .arg = &io->hb,
         .troupe = t[0],
         .txs = STEADY_TXS(io->hb.beats),
         .state_size = sizeof(heartbeat_state)},
        {.name = "generator",
         .run = generator_run,
         .arg = &io->gen,
         .troupe = t[0],
         .txs = STEADY_TXS(io->gen.values),
         .state_size = sizeof(generator_state)},
        {.name = "worker",
         .run = worker_run,
         .arg = &io->worker,
         .troupe = worker_troupe,
         .rxs = STEADY_RXS(io->worker.beats, io->worker.values),
         .txs = STEADY_TXS(io->worker.out),
         .state_size = sizeof(worker_state)},
        {.name = "logger",
         .run = logger_run,
         .arg = &io->logger,
         .troupe = logger_troupe,
         .rxs = STEADY_RXS(io->logger.in),
         .state_size = sizeof(logger_state)},
    };
    for (size_t i = 0; i < 4; i++)
        if ((e = steady_actor_spawn(g, &actors[i], i == 3 ? &io->logger_actor : NULL)))
            return e;
    return STEADY_OK;
}

static int parse_choice(const char *text, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

/* Pulls --placement and --mode (words, not numbers) out of argv before the numeric options. */
static int take_word_options(int *argc, char **argv, placement *p, worker_mode *m)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        int is_p = strcmp(argv[i], "--placement") == 0, is_m = strcmp(argv[i], "--mode") == 0;
        if (!is_p && !is_m) {
            argv[out++] = argv[i];
            continue;
        }
        int v = i + 1 < *argc
                    ? parse_choice(argv[i + 1], is_p ? placement_names : mode_names, is_p ? 3 : 2)
                    : -1;
        if (v < 0) {
            fprintf(stderr, "%s: %s needs one of: %s\n", argv[0], argv[i],
                    is_p ? "troupe, split, original" : "zero-copy, double-buffer");
            return -1;
        }
        if (is_p)
            *p = (placement)v;
        else
            *m = (worker_mode)v;
        i++;
    }
    *argc = out;
    return 0;
}

static double now_s(void)
{
    return (double)steady_clock_monotonic_ns(NULL) / 1e9;
}

int main(int argc, char **argv)
{
    double t0 = now_s();
    lesson02b_args args = {.rate_ms = 1000, .beats = 10, .capacity = 1u << 20, .batch = 0};
    placement place = PLACE_TROUPE;
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args.rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats before shutdown", &args.beats, 1, 1000000000},
        {"capacity", 'c', "N", "slots in each data channel", &args.capacity, 2, 1u << 28},
        {"batch", 0, "N", "values per step (0: by placement)", &args.batch, 0, 1u << 28},
    };
    if (take_word_options(&argc, argv, &place, &args.mode) != 0)
        return 2;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            printf("Also: --placement troupe|split|original (default troupe), "
                   "--mode zero-copy|double-buffer (default zero-copy)\n\n");
    switch (lesson_cli_parse(argc, argv,
                             "lesson-02b-performant: the lesson 01 pipeline at full "
                             "speed",
                             opts, 4)) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    /* In one core's caches a small batch keeps the hand-off in L2; across cores, half the
     * channel (the double buffer) amortises each hand-off. */
    if (args.batch == 0)
        args.batch = place == PLACE_TROUPE ? 16384 : args.capacity / 2;
    if (args.batch > args.capacity)
        args.batch = args.capacity;

    steady_graph *g;
    lesson02b_graph io = {0};
    io.worker.buffer = malloc(args.batch * sizeof(uint64_t));
    if (!io.worker.buffer ||
        steady_graph_new(&g, &(steady_graph_opts){.args = &args, .name = "lesson-02b"})) {
        fprintf(stderr, "lesson-02b-performant: out of memory\n");
        return 1;
    }
    if (build(g, &io, &args, place) != STEADY_OK || steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "lesson-02b-performant: %s\n", steady_last_error());
        steady_graph_free(g);
        free(io.worker.buffer);
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    const logger_state *ls = steady_actor_state(io.logger_actor);
    uint64_t total = ls->counts[0] + ls->counts[1] + ls->counts[2] + ls->counts[3];
    double secs = now_s() - t0;
    printf("lesson-02b-performant: %" PRIu64 " messages in %.3f s: %.1f M msg/s (placement %s, "
           "mode %s, capacity %" PRIu64 ", batch %" PRIu64 ")\n",
           total, secs, (double)total / secs / 1e6, placement_names[place], mode_names[args.mode],
           args.capacity, args.batch);
    steady_graph_free(g);
    free(io.worker.buffer);
    return e == STEADY_OK ? 0 : 1;
}
