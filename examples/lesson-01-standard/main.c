/* lesson-01-standard — a pipeline: heartbeat + generator (one troupe) -> worker -> logger.
 *
 * Every beat, the worker turns the next batch of generated values into FizzBuzz messages and
 * the logger counts them. After --beats beats the heartbeat asks the graph to stop; the
 * shutdown vote ripples down the pipeline, and nothing in flight is lost: the logger's
 * final line counts exactly the values the generator sent.
 */
#include <inttypes.h>
#include <stdio.h>

#include "lesson01.h"
#include "lesson_cli.h"
#include "lesson_telemetry.h"

typedef struct lesson01_graph {
    heartbeat_io hb;
    generator_io gen;
    worker_io worker;
    logger_io logger;
} lesson01_graph;

static steady_err build(steady_graph *g, lesson01_graph *io, const lesson01_args *args)
{
    steady_troupe *troupe;
    steady_err e;
    if ((e = u64ch_new(g, "heartbeat->worker", 8, &io->hb.beats, &io->worker.beats)) ||
        (e = u64ch_new(g, "generator->worker", args->capacity, &io->gen.values,
                       &io->worker.values)) ||
        (e = fbch_new(g, "worker->logger", args->capacity, &io->worker.out, &io->logger.in)) ||
        (e = steady_troupe_new(g, &(steady_troupe_opts){.name = "producers"}, &troupe)))
        return e;
    const steady_actor_opts actors[] = {
        {.name = "heartbeat",
         .run = heartbeat_run,
         .arg = &io->hb,
         .troupe = troupe,
         .txs = STEADY_TXS(io->hb.beats),
         .state_size = sizeof(heartbeat_state)},
        {.name = "generator",
         .run = generator_run,
         .arg = &io->gen,
         .troupe = troupe,
         .txs = STEADY_TXS(io->gen.values),
         .state_size = sizeof(generator_state)},
        {.name = "worker",
         .run = worker_run,
         .arg = &io->worker,
         .rxs = STEADY_RXS(io->worker.beats, io->worker.values),
         .txs = STEADY_TXS(io->worker.out),
         .state_size = sizeof(worker_state)},
        {.name = "logger",
         .run = logger_run,
         .arg = &io->logger,
         .rxs = STEADY_RXS(io->logger.in),
         .state_size = sizeof(logger_state)},
    };
    for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++)
        if ((e = steady_actor_spawn(g, &actors[i], NULL)) != STEADY_OK)
            return e;
    return STEADY_OK;
}

/* One line before the quiet part: what runs, for how long, and how to stop it. */
static void announce(const lesson01_args *args)
{
    uint64_t ms = args->rate_ms * args->beats;
    char took[48];
    if (ms < 1000)
        snprintf(took, sizeof took, "%" PRIu64 " ms", ms);
    else
        snprintf(took, sizeof took, "%" PRIu64 ".%" PRIu64 " s", ms / 1000, ms % 1000 / 100);
    STEADY_INFO("Running heartbeat + generator -> worker -> logger for about %s (%" PRIu64
                " beats, one every %" PRIu64
                " ms), quiet until the totals at the end; Ctrl-C stops it early.",
                took, args->beats, args->rate_ms);
}

int main(int argc, char **argv)
{
    lesson01_args args = {.rate_ms = 100, .beats = 100, .capacity = 64};
    lesson_telemetry_args tele = {0};
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args.rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats before shutdown", &args.beats, 1, 1000000000},
        {"capacity", 'c', "N", "capacity of the value and message channels", &args.capacity, 1,
         1u << 24},
        LESSON_TELEMETRY_OPTS(tele),
    };
    switch (lesson_cli_parse(argc, argv,
                             "lesson-01-standard: heartbeat + generator -> worker -> logger", opts,
                             (int)(sizeof opts / sizeof opts[0]))) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }

    steady_graph *g;
    lesson01_graph io;
    if (steady_graph_new(&g, &(steady_graph_opts){.args = &args, .name = "lesson-01"}) !=
        STEADY_OK) {
        fprintf(stderr, "lesson-01-standard: %s\n", steady_last_error());
        return 1;
    }
    announce(&args);
    if (build(g, &io, &args) != STEADY_OK) {
        fprintf(stderr, "lesson-01-standard: %s\n", steady_last_error());
        steady_graph_free(g);
        return 1;
    }
    lesson_telemetry *t = lesson_telemetry_start(g, &tele);
    if (steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "lesson-01-standard: %s\n", steady_last_error());
        lesson_telemetry_stop(t);
        steady_graph_free(g);
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    if (e != STEADY_OK)
        fprintf(stderr, "lesson-01-standard: %s\n", steady_last_error());
    lesson_telemetry_stop(t);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}
