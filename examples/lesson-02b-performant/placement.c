/* placement.c — the choice among calibrated placements (placement.h). */
#include "placement.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

const char *const placement_names[PLACE_COUNT] = {"troupe", "split", "original"};
const unsigned placement_threads[PLACE_COUNT] = {1, 2, 3};

/* ---- the choice ---------------------------------------------------------------------------- */

static int measured(const placement_figures *f, int p)
{
    return isfinite(f->mps[p]) && f->mps[p] > 0;
}

const char *placement_handoff_class(double ns)
{
    if (!(ns >= 0))
        return "not probed";
    return ns < PLACE_NEAR_NS ? "near" : ns >= PLACE_FAR_NS ? "far" : "mixed";
}

/* Appends to why[*used..len), keeping it terminated; stops quietly when full. */
__attribute__((format(printf, 4, 5))) static void append(char *why, size_t len, size_t *used,
                                                         const char *fmt, ...)
{
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(why + *used, len - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? len : *used + (size_t)n;
}

/* "; calibration troupe 812, original 776 M msg/s (median of 3 runs of 10 ms); cpu0<->cpu1
 * hand-off 210 ns (far)": the placements not measured are left out. */
static void append_figures(const placement_figures *f, char *why, size_t len, size_t *used)
{
    const char *sep = "; calibration ";
    for (int p = 0; p < PLACE_COUNT; p++)
        if (measured(f, p)) {
            append(why, len, used, "%s%s %.0f", sep, placement_names[p], f->mps[p]);
            sep = ", ";
        }
    if (*sep == ';')
        append(why, len, used, "; ");
    else
        append(why, len, used, " M msg/s (median of %u run%s of %u ms); ", f->windows,
               f->windows == 1 ? "" : "s", f->window_ms);
    if (f->handoff_ns >= 0)
        append(why, len, used, "cpu0<->cpu1 hand-off %.0f ns (%s)", f->handoff_ns,
               placement_handoff_class(f->handoff_ns));
    else
        append(why, len, used, "cpu0<->cpu1 hand-off not probed");
}

placement placement_choose(const placement_figures *f, char *why, size_t why_len)
{
    size_t used = 0;
    int best = -1;
    for (int p = 0; p < PLACE_COUNT; p++)
        if (measured(f, p) && (best < 0 || f->mps[p] > f->mps[best]))
            best = p;
    if (best < 0) {
        append(why, why_len, &used,
               "troupe: nothing was calibrated (one CPU, or every "
               "calibration run failed), and troupe needs one core");
        append_figures(f, why, why_len, &used);
        return PLACE_TROUPE;
    }
    /* The fewest threads within the margin of the best (placements are listed by threads). */
    int pick = best;
    for (int p = 0; p < PLACE_COUNT; p++)
        if (measured(f, p) && placement_threads[p] < placement_threads[pick] &&
            f->mps[p] >= (1.0 - PLACE_TIE_MARGIN) * f->mps[best])
            pick = p;
    if (pick == best)
        append(why, why_len, &used, "%s: the fastest", placement_names[pick]);
    else
        append(why, why_len, &used,
               "%s: within %.0f%% of %s (%.0f vs %.0f M msg/s) with %u thread%s instead of %u",
               placement_names[pick], PLACE_TIE_MARGIN * 100, placement_names[best], f->mps[pick],
               f->mps[best], placement_threads[pick], placement_threads[pick] == 1 ? "" : "s",
               placement_threads[best]);
    append_figures(f, why, why_len, &used);
    return (placement)pick;
}
