/* telemetry/window.c — see window.h. */
#include "telemetry/window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double tm_pct_points[TM_N_PCT] = {0.25, 0.50, 0.75, 0.90, 0.95, 0.99};

bool tm_window_init(tm_window *w, uint32_t cap)
{
    *w = (tm_window){0};
    if (cap == 0)
        cap = 1;
    w->v = calloc(cap, sizeof *w->v);
    if (!w->v)
        return false;
    w->cap = cap;
    return true;
}

void tm_window_free(tm_window *w)
{
    free(w->v);
    *w = (tm_window){0};
}

void tm_window_push(tm_window *w, double v)
{
    if (!isfinite(v) || w->cap == 0)
        return;
    w->v[w->next] = v;
    w->next = (w->next + 1) % w->cap;
    if (w->n < w->cap)
        w->n++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted samples. */
static double rank(const double *sorted, uint32_t n, double p)
{
    double r = ceil(p * (double)n);
    uint32_t i = r < 1 ? 0 : (uint32_t)r - 1;
    return sorted[i < n ? i : n - 1];
}

void tm_window_stats(const tm_window *w, double *scratch, tm_stats *out)
{
    *out = (tm_stats){0};
    if (w->n == 0)
        return;
    double sum = 0, sq = 0;
    for (uint32_t i = 0; i < w->n; i++)
        sum += w->v[i];
    double avg = sum / w->n;
    for (uint32_t i = 0; i < w->n; i++)
        sq += (w->v[i] - avg) * (w->v[i] - avg);
    memcpy(scratch, w->v, w->n * sizeof *scratch);
    qsort(scratch, w->n, sizeof *scratch, cmp_double);
    out->n = w->n;
    out->avg = avg;
    out->min = scratch[0];
    out->max = scratch[w->n - 1];
    out->std = sqrt(sq / w->n);
    for (int i = 0; i < TM_N_PCT; i++)
        out->pct[i] = rank(scratch, w->n, tm_pct_points[i]);
}

uint32_t tm_window_samples(uint32_t window_ms, uint32_t frame_ms)
{
    if (frame_ms == 0)
        return 1;
    uint32_t n = (window_ms + frame_ms - 1) / frame_ms;
    return n ? n : 1;
}
