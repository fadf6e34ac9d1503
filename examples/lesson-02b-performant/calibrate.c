/* calibrate.c — each placement's rate, measured briefly at start (calibrate.h). */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "calibrate.h"

#include <time.h>

#include "cpu_probe.h"
#include "pipeline.h"

static double now_s(void)
{
    return (double)steady_clock_monotonic_ns(NULL) / 1e9;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One calibration run of `p`: M msg/s the logger took over the window, or 0 if it failed. */
static double calibrate_one(const lesson02b_args *user, placement p)
{
    lesson02b_args a = pipeline_args_for(user, p);
    a.rate_ms = 3600000; /* no beat: main times the run and asks for the stop */
    a.beats = 1;
    steady_graph *g;
    lesson02b_graph io = {0};
    if (pipeline_start(&a, p, false, &g, &io) != 0)
        return 0;
    /* steady_channel_taken_total is a relaxed snapshot, safe from main while the graph runs */
    const steady_channel *out = u64ch_rx_channel(io.logger.in);
    double t0 = now_s(), t1 = t0;
    while ((t1 - t0 < CALIBRATE_WARM_MS / 1e3 || steady_channel_taken_total(out) < a.capacity) &&
           t1 - t0 < CALIBRATE_WARM_MAX_MS / 1e3) {
        sleep_ms(1);
        t1 = now_s();
    }
    uint64_t n1 = steady_channel_taken_total(out);
    t1 = now_s();
    sleep_ms(CALIBRATE_WINDOW_MS);
    uint64_t n2 = steady_channel_taken_total(out);
    double t2 = now_s();
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    pipeline_free(g, &io);
    return e == STEADY_OK && t2 > t1 ? (double)(n2 - n1) / (t2 - t1) / 1e6 : 0;
}

/* The median of n figures (n <= CALIBRATE_RUNS), sorting them in place. */
static double median(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && x[k] < x[k - 1]; k--) {
            double t = x[k];
            x[k] = x[k - 1];
            x[k - 1] = t;
        }
    return n ? x[n / 2] : 0;
}

void calibrate_placements(const lesson02b_args *user, placement_figures *f)
{
    /* Interleaved, so that a burst of other work on the machine lowers one run of each at
     * most. The median of each placement's runs counts, not its best: a short window overstates
     * a placement whose threads share the CPUs with other work as often as it understates it
     * (original's 10 ms figure read 528-1,300 M msg/s far while its whole runs moved 700-870,
     * docs/PERFORMANCE.md), and the best of two picked it on those highs. */
    static const placement candidates[] = {PLACE_TROUPE, PLACE_ORIGINAL};
    double runs[PLACE_COUNT][CALIBRATE_RUNS] = {{0}};
    *f = (placement_figures){
        .handoff_ns = -1, .window_ms = CALIBRATE_WINDOW_MS, .windows = CALIBRATE_RUNS};
    if (cpu_probe_usable_cpus() < 2)
        return; /* nothing to choose: every placement would share one CPU */
    steady_log_level saved = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_WARN);
    for (size_t r = 0; r < CALIBRATE_RUNS; r++)
        for (size_t c = 0; c < sizeof candidates / sizeof candidates[0]; c++)
            runs[candidates[c]][r] = calibrate_one(user, candidates[c]);
    for (size_t c = 0; c < sizeof candidates / sizeof candidates[0]; c++)
        f->mps[candidates[c]] = median(runs[candidates[c]], CALIBRATE_RUNS);
    steady_log_set_level(saved);
    f->handoff_ns = cpu_probe_handoff_ns();
}
