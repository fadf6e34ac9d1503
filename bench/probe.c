/* probe.c — prints the placement probe once: one-way cache-line hand-off between cpu0 and
 * cpu1 in ns, and its class (near < 60 ns, far >= 120 ns, else mixed). For scripts that time
 * whole programs (bench/driver.py's lesson and peer rows, bench/lesson02b.py). */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s\n"
               "prints \"<ns> <class>\": the one-way cache-line hand-off between cpu0 and cpu1 "
               "(best of 40 blocks of 50 round trips) and its class: near < %.0f ns, far >= "
               "%.0f ns, else mixed (BENCH_NO_PROBE=1: -1 unprobed)\n",
               argv[0], BENCH_NEAR_NS, BENCH_FAR_NS);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "%s: unknown %s '%s'; it takes no arguments (--help)\n", argv[0],
                argv[1][0] == '-' ? "option" : "argument", argv[1]);
        return 2;
    }
    double ns = bench_probe_ns();
    printf("%.1f %s\n", ns, bench_place_of(ns));
    return 0;
}
