/* calibrate.h — lesson 02B's start-up measurement of the placements (placement.h). */
#ifndef LESSON02B_CALIBRATE_H
#define LESSON02B_CALIBRATE_H

#include "lesson02b.h"
#include "placement.h"

/* A calibration run is warm once the logger has taken a channel's worth (so every page of both
 * rings has been touched: their first pass is page faults, ~10 ms for 1M slots, ~1 ms for the
 * default 128K) and CALIBRATE_WARM_MS passed, or after CALIBRATE_WARM_MAX_MS whatever it reached;
 * then main counts what the logger takes in CALIBRATE_WINDOW_MS. Each candidate runs CALIBRATE_RUNS
 * times, interleaved, and its median counts (calibrate.c says why not its best). With the
 * graphs' start and free, ~15-20 ms a run with the default 128K-slot channels: ~0.1 s in all
 * (far more with 1M-slot ones).
 *
 * The candidates are `troupe` and `original`. `split` is not calibrated: measured on the
 * project's machine its short runs overstated its long ones (chosen in 8 of 10 runs, it then
 * ran at 0.88x of `original`'s median), and it was never the fastest over a whole run there
 * (docs/PERFORMANCE.md); --placement split still runs it. */
#define CALIBRATE_WARM_MS 2
#define CALIBRATE_WARM_MAX_MS 100
#define CALIBRATE_WINDOW_MS 10
#define CALIBRATE_RUNS 3

/* Runs each candidate placement CALIBRATE_RUNS times (none with one usable CPU) with the
 * user's capacity, batch and mode, quietly (log level WARN meanwhile), and keeps each one's
 * median rate in f->mps; then the probe into f->handoff_ns. Main thread only. */
void calibrate_placements(const lesson02b_args *user, placement_figures *f);

#endif
