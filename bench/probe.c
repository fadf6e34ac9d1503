/* probe.c — prints the placement probe once: one-way cache-line hand-off between cpu0 and
 * cpu1 in ns, and its class (near < 60 ns, far >= 120 ns, else mixed). For scripts that time
 * whole programs (bench/lesson02b.py). */
#include <stdio.h>

#include "bench_common.h"

int main(void)
{
    double ns = bench_probe_ns();
    printf("%.1f %s\n", ns, ns < 0 ? "unprobed" : ns < 60 ? "near" : ns >= 120 ? "far" : "mixed");
    return 0;
}
