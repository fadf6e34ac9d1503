/* bench_common.h — what every benchmark program shares: pinning, clocks, the placement probe,
 * the two-thread harness and the one result line the driver parses.
 *
 * Placement. The two vCPUs of this machine kind are sometimes SMT siblings of one core ("near",
 * a cache-line hand-off ~30 ns) and usually two distinct cores ("far", ~170 ns); batched
 * throughput differs 5-12x between the two. Every program probes before and after its timed
 * region and prints both, so a figure is only ever compared with figures of the same class.
 *
 * Result line (one per run, on stdout; everything else goes to stderr):
 *   result config=<name> n=<messages> mps=<M msg/s> secs=<wall> cpu=<CPU-s per wall-s>
 *          probe_before=<ns> probe_after=<ns> place=<near|far|mixed> [key=value ...]
 * A failed check (wrong sum) prints "error ..." to stderr and exits 1: no result line.
 *
 * Thread-safety: the functions here are called from main unless noted.
 */
#ifndef STEADY_BENCH_COMMON_H
#define STEADY_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Probe classes (one-way ns): below NEAR_NS is near, at or above FAR_NS is far. */
#define BENCH_NEAR_NS 60.0
#define BENCH_FAR_NS 120.0

/* Spin-wait hint (x86 pause); any thread. */
static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

uint64_t bench_now_ns(void); /* CLOCK_MONOTONIC; any thread */
uint64_t bench_cpu_ns(void); /* this process's CPU time; any thread */
int bench_pin(int cpu);      /* pins the calling thread; 0 or an errno; any thread */
void bench_unpin(void);      /* lets the calling thread run on every CPU; any thread */

/* One-way cache-line hand-off time between cpu0 and cpu1: examples/common/cpu_probe.h's probe
 * (the best of 40 blocks of 50 round trips; the caller's affinity is restored afterwards), the
 * one lesson 02B prints. -1 ("unprobed") with the environment variable BENCH_NO_PROBE=1 (for
 * valgrind) or when cpu0 and cpu1 are not both usable. */
double bench_probe_ns(void);
const char *bench_place_of(double ns);                      /* "near", "far" or "mixed" */
const char *bench_place(double before_ns, double after_ns); /* both must agree, else "mixed" */

/* Command line of every program: `prog MODE [--n N]`, MODE one of `modes` (terminated by a
 * NULL name). Returns the index of MODE and writes N to *n. N defaults to the mode's def_n
 * scaled by the environment variable BENCH_SCALE (a positive float; the driver uses it for short
 * runs). `prog --help` (or -h) prints the usage on stdout and `prog --list` the modes, and
 * both exit 0; an unknown option or mode, a missing MODE or a bad --n prints what is wrong and
 * the usage on stderr and exits 2. */
typedef struct bench_mode {
    const char *name;
    uint64_t def_n;
} bench_mode;
int bench_args(int argc, char **argv, const bench_mode *modes, uint64_t *n);

/* Runs produce(ctx) on a thread pinned to cpu0 and consume(ctx) on one pinned to cpu1, released
 * together; returns once both finished. *wall_ns and *cpu_ns cover the region between the
 * release and the last join. */
typedef void (*bench_fn)(void *ctx);
void bench_run_pair(bench_fn produce, bench_fn consume, void *ctx, uint64_t *wall_ns,
                    uint64_t *cpu_ns);

/* A measurement, to be printed as the result line. */
typedef struct bench_result {
    const char *config;
    uint64_t n;
    uint64_t wall_ns;
    uint64_t cpu_ns;
    double probe_before;
    double probe_after;
    const char *extra; /* " key=value ..." appended verbatim, or NULL */
} bench_result;

void bench_print(const bench_result *r);

/* The steady_tx_produce / steady_rx_consume callbacks of the u64 sequence benches: fill writes
 * ++*(uint64_t *)ctx into each of the k slots; add sums them into *(uint64_t *)ctx. Both keep
 * the running value in a local for the loop (the compiler vectorizes it): written through ctx,
 * which may alias dst, each value waited on the last one's store (~5 cycles), and the benches
 * measured that dependency, not the channel (ipc/shm ~370 M msg/s, ~920 with the local). */
void bench_fill_next(void *ctx, void *dst, size_t k);
void bench_add_sum(void *ctx, const void *src, size_t k);

/* Checks got == want; on a mismatch prints the config and both values and exits 1. */
void bench_check_sum(const char *config, uint64_t got, uint64_t want);

/* 1 + 2 + ... + n, modulo 2^64 (the value every SPSC consumer must sum to). */
static inline uint64_t bench_sum_1_to_n(uint64_t n)
{
    return (n % 2 == 0) ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
}

#ifdef __cplusplus
}
#endif
#endif
