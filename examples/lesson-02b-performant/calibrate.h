/* calibrate.h — lesson 02B's start-up measurement of the placements (placement.h). */
#ifndef LESSON02B_CALIBRATE_H
#define LESSON02B_CALIBRATE_H

#include "lesson02b.h"
#include "placement.h"

/* A calibration run is warm once the logger has taken a channel's worth (so every page of both
 * rings has been touched: their first pass is page faults, ~10 ms for the default 1M slots) and
 * CALIBRATE_WARM_MS passed, or after CALIBRATE_WARM_MAX_MS whatever it reached; then main
 * counts what the logger takes in CALIBRATE_WINDOW_MS. With the graph's start and free, ~30 ms
 * per placement with the default 1M-slot channels, ~90 ms for all three. */
#define CALIBRATE_WARM_MS 2
#define CALIBRATE_WARM_MAX_MS 100
#define CALIBRATE_WINDOW_MS 15

/* Runs every placement this machine can run (split needs cpu0 and cpu1; with one usable CPU
 * none is run) with the user's capacity, batch and mode, quietly (log level WARN meanwhile),
 * and fills f->mps; then the probe into f->handoff_ns. Main thread only. */
void calibrate_placements(const lesson02b_args *user, placement_figures *f);

#endif
