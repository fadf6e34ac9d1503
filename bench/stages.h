/* stages.h — the four pipeline stages' inner loops, shared by pipe_steady.c and pipe_hand.c so
 * that both pipelines run identical code per message and differ only in how spans are handed
 * over (with trivial stages, loop code generation would otherwise decide the comparison: gcc
 * left the x2 loop scalar in one file and vectorised it in the other). */
#ifndef STEADY_BENCH_STAGES_H
#define STEADY_BENCH_STAGES_H

#include <stdint.h>

static inline void stage_generate(uint64_t *restrict out, uint64_t k, uint64_t first)
{
    for (uint64_t j = 0; j < k; j++)
        out[j] = first + j;
}

static inline void stage_plus1(const uint64_t *restrict in, uint64_t *restrict out, uint64_t k)
{
    for (uint64_t j = 0; j < k; j++)
        out[j] = in[j] + 1;
}

static inline void stage_times2(const uint64_t *restrict in, uint64_t *restrict out, uint64_t k)
{
    for (uint64_t j = 0; j < k; j++)
        out[j] = in[j] * 2;
}

static inline uint64_t stage_sum(const uint64_t *restrict in, uint64_t k)
{
    uint64_t sum = 0;
    for (uint64_t j = 0; j < k; j++)
        sum += in[j];
    return sum;
}

#endif
