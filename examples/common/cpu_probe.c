/* cpu_probe.c — the cache-line hand-off between cpu0 and cpu1 (cpu_probe.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET, CPU_COUNT */
#endif
#include "cpu_probe.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define PROBE_BLOCKS 40
#define PROBE_TRIPS 50

/* The one line that bounces: the caller writes odd values, the helper answers with the next
 * even one. */
static struct {
    _Alignas(64) _Atomic uint64_t word;
    char pad[64 - sizeof(uint64_t)];
} probe_line;

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *probe_helper(void *arg)
{
    (void)arg;
    pin(1);
    for (uint64_t k = 1; k <= PROBE_BLOCKS * PROBE_TRIPS; k++) {
        /* acquire/release pairs with the caller's store/load: each value is a hand-off of the
         * line; no pause in the loop (it costs as much as a near hand-off). */
        while (atomic_load_explicit(&probe_line.word, memory_order_acquire) != 2 * k - 1)
            ;
        atomic_store_explicit(&probe_line.word, 2 * k, memory_order_release);
    }
    return NULL;
}

int cpu_probe_usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    return CPU_COUNT(&set);
}

int cpu_probe_has_cpu0_and_cpu1(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(0, &set) && CPU_ISSET(1, &set);
}

double cpu_probe_handoff_ns(void)
{
    cpu_set_t saved;
    pthread_t t;
    if (!cpu_probe_has_cpu0_and_cpu1() ||
        pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0)
        return -1;
    atomic_store_explicit(&probe_line.word, 0, memory_order_relaxed);
    if (pin(0) != 0 || pthread_create(&t, NULL, probe_helper, NULL) != 0) {
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
        return -1;
    }
    double best = INFINITY;
    uint64_t k = 0;
    for (int b = 0; b < PROBE_BLOCKS; b++) {
        uint64_t t0 = now_ns();
        for (int i = 0; i < PROBE_TRIPS; i++) {
            k++;
            atomic_store_explicit(&probe_line.word, 2 * k - 1, memory_order_release);
            while (atomic_load_explicit(&probe_line.word, memory_order_acquire) != 2 * k)
                ;
        }
        double one_way = (double)(now_ns() - t0) / (2.0 * PROBE_TRIPS);
        best = one_way < best ? one_way : best;
    }
    pthread_join(t, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    return best;
}
