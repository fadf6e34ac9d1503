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

void calibrate_placements(const lesson02b_args *user, placement_figures *f)
{
    /* Interleaved, so that a burst of other work on the machine lowers one run of each at
     * most; the best run of each placement counts (interference only ever slows a run). */
    static const placement order[] = {PLACE_TROUPE, PLACE_ORIGINAL, PLACE_TROUPE, PLACE_ORIGINAL};
    *f = (placement_figures){
        .handoff_ns = -1, .window_ms = CALIBRATE_WINDOW_MS, .windows = CALIBRATE_RUNS};
    if (cpu_probe_usable_cpus() < 2)
        return; /* nothing to choose: every placement would share one CPU */
    steady_log_level saved = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_WARN);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        double mps = calibrate_one(user, order[i]);
        if (mps > f->mps[order[i]])
            f->mps[order[i]] = mps;
    }
    steady_log_set_level(saved);
    f->handoff_ns = cpu_probe_handoff_ns();
}
