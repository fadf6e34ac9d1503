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
 * Without --placement the program first measures which is fastest on this machine
 * (placement.h, calibrate.h: each placement runs briefly, ~0.1 s in all, then the probe) and
 * prints the placement it chose and why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "calibrate.h"
#include "lesson_cli.h"
#include "lesson_telemetry.h"
#include "pipeline.h"

#define PLACE_CHOOSE (-1) /* no --placement: measure, then choose */

static const char *const mode_names[] = {"zero-copy", "double-buffer"};

static double now_s(void)
{
    return (double)steady_clock_monotonic_ns(NULL) / 1e9;
}

static int parse_choice(const char *text, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

/* Pulls --placement and --mode (words, not numbers) out of argv before the numeric options. */
static int take_word_options(int *argc, char **argv, int *p, worker_mode *m)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        int is_p = strcmp(argv[i], "--placement") == 0, is_m = strcmp(argv[i], "--mode") == 0;
        if (!is_p && !is_m) {
            argv[out++] = argv[i];
            continue;
        }
        int v = i + 1 < *argc ? parse_choice(argv[i + 1], is_p ? placement_names : mode_names,
                                             is_p ? PLACE_COUNT : 2)
                              : -1;
        if (v < 0) {
            fprintf(stderr, "%s: %s needs one of: %s\n", argv[0], argv[i],
                    is_p ? "troupe, split, original" : "zero-copy, double-buffer");
            return -1;
        }
        if (is_p)
            *p = v;
        else
            *m = (worker_mode)v;
        i++;
    }
    *argc = out;
    return 0;
}

/* Measures and chooses (printing the choice and why), or returns the forced placement. */
static placement choose(const lesson02b_args *args, int forced)
{
    if (forced != PLACE_CHOOSE)
        return (placement)forced;
    double t0 = now_s();
    placement_figures f;
    char why[320];
    calibrate_placements(args, &f);
    placement p = placement_choose(&f, why, sizeof why);
    printf("lesson-02b-performant: placement %s; measured in %.0f ms (--placement skips this)\n",
           why, (now_s() - t0) * 1e3);
    fflush(stdout);
    return p;
}

int main(int argc, char **argv)
{
    double t0 = now_s();
    /* 128K slots (1 MiB) per data channel: a ring that stays in a core's share of the caches
     * instead of streaming through the last level (8 MiB rings did: 0.83x on the AMD EPYC
     * machine, docs/PERFORMANCE.md), and a calibration 4x shorter (its first pass touches every
     * page). The placement is still measured at start; --capacity / --batch override. */
    lesson02b_args args = {.rate_ms = 1000, .beats = 10, .capacity = 1u << 17, .batch = 0};
    int forced = PLACE_CHOOSE;
    lesson_telemetry_args tele = {0};
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args.rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats before shutdown", &args.beats, 1, 1000000000},
        {"capacity", 'c', "N", "slots in each data channel", &args.capacity, 2, 1u << 28},
        {"batch", 0, "N", "values per step (0: by placement)", &args.batch, 0, 1u << 28},
        LESSON_TELEMETRY_OPTS(tele),
    };
    if (take_word_options(&argc, argv, &forced, &args.mode) != 0)
        return 2;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            printf("Also: --placement troupe|split|original (default: the fastest of the three, "
                   "measured at start in ~0.1 s), --mode zero-copy|double-buffer (default "
                   "zero-copy)\n\n");
    switch (lesson_cli_parse(argc, argv,
                             "lesson-02b-performant: the lesson 01 pipeline at full "
                             "speed",
                             opts, (int)(sizeof opts / sizeof opts[0]))) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    placement place = choose(&args, forced);
    lesson02b_args run_args = pipeline_args_for(&args, place);
    /* With a dashboard the rate is live there: the worker's line at most once a second. */
    run_args.report_every_ms = lesson_telemetry_wanted(&tele) ? 1000 : 0;
    steady_graph *g;
    lesson02b_graph io = {0};
    if (pipeline_start(&run_args, place, true, &g, &io) != 0)
        return 1;
    lesson_telemetry *t = lesson_telemetry_start(g, &tele);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    lesson_telemetry_stop(t);
    const logger_state *ls = steady_actor_state(io.logger_actor);
    uint64_t total = ls->counts[0] + ls->counts[1] + ls->counts[2] + ls->counts[3];
    double secs = now_s() - t0;
    printf("lesson-02b-performant: %" PRIu64 " messages in %.3f s: %.1f M msg/s (placement %s, "
           "mode %s, capacity %" PRIu64 ", batch %" PRIu64 ")\n",
           total, secs, (double)total / secs / 1e6, placement_names[place],
           mode_names[run_args.mode], run_args.capacity, run_args.batch);
    pipeline_free(g, &io);
    return e == STEADY_OK ? 0 : 1;
}
