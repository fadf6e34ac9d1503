/* placement.h — where lesson 02B's four actors run, chosen by measuring the machine.
 *
 * Which placement is fastest depends on the machine, not on the code. On the 2-vCPU AMD EPYC
 * VMs this lesson was first tuned on, a cache line takes ~200 ns between the two vCPUs, and
 * keeping all four actors in one troupe (one core's caches) wins; on a 2-vCPU Intel Xeon VM the
 * same binary moved ~700 M msg/s spread over both cores (`original`) against 250-300 M in one
 * troupe. So, unless --placement forces one, the lesson measures at start:
 *
 *   - the probe (../common/cpu_probe.h, also bench/'s): one cache line bounced between a thread
 *     on cpu0 and one on cpu1, as one-way ns (< 1 ms);
 *   - a calibration (calibrate.h): each candidate placement runs the real pipeline, with the
 *     user's capacity, batch and mode, briefly, timed from main;
 *
 * and placement_choose() picks from those figures. The choice is a pure function of the figures
 * so that it can be tested for machines of every class (tests/lessons/placement_choose_test.c).
 */
#ifndef LESSON02B_PLACEMENT_H
#define LESSON02B_PLACEMENT_H

#include <stddef.h>

typedef enum placement {
    PLACE_TROUPE = 0,   /* all four actors in one troupe: 1 thread */
    PLACE_SPLIT = 1,    /* heartbeat + generator + worker | logger, 2 pinned troupes: 2 threads */
    PLACE_ORIGINAL = 2, /* heartbeat + generator in a troupe, worker and logger solo: 3 threads */
    PLACE_COUNT = 3,
} placement;

extern const char *const placement_names[PLACE_COUNT];
extern const unsigned placement_threads[PLACE_COUNT];

/* A placement with more threads is chosen only if it beats every one with fewer by more than
 * this fraction: within it the figures are calibration noise, and fewer threads leave the
 * machine's other cores to other work. */
#define PLACE_TIE_MARGIN 0.05

/* Handoff classes, as bench/ reads the probe: below NEAR_NS the two vCPUs behave as SMT
 * siblings of one core, at or above FAR_NS as two distinct cores. */
#define PLACE_NEAR_NS 60.0
#define PLACE_FAR_NS 120.0

typedef struct placement_figures {
    double handoff_ns;       /* the probe's one-way cpu0 <-> cpu1 time; < 0: not probed */
    double mps[PLACE_COUNT]; /* calibrated M msg/s; 0 (or anything not > 0): not measured */
    unsigned window_ms;      /* the calibration window each run covers (for the reason) */
    unsigned windows;        /* runs of each placement the figure is the best of */
} placement_figures;

/* Picks the placement: the fastest measured one, unless one with fewer threads is within
 * PLACE_TIE_MARGIN of it; with nothing measured, `troupe` (it needs one core). Writes a one-line
 * reason with every figure into why[why_len] (truncated to fit). Pure: no I/O, any thread. */
placement placement_choose(const placement_figures *f, char *why, size_t why_len);

/* "near", "far", "mixed" (between the two) or "not probed" for a probe figure. */
const char *placement_handoff_class(double handoff_ns);

#endif
