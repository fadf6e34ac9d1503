/* bench_common.c — pinning, clocks, the placement probe, the two-thread harness, result lines.
 * See bench_common.h for the contract and the result-line format. */
#define _GNU_SOURCE
#include "bench_common.h"

#include "cpu_probe.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void bench_unpin(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (size_t i = 0; i < CPU_SETSIZE; i++)
        CPU_SET(i, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* ---- placement probe ------------------------------------------------------------------------ */

double bench_probe_ns(void)
{
    const char *skip = getenv("BENCH_NO_PROBE");
    if (skip && *skip && strcmp(skip, "0") != 0)
        return -1.0;               /* e.g. under valgrind, where two spinning threads crawl */
    return cpu_probe_handoff_ns(); /* lesson 02B's probe: one implementation, one class */
}

const char *bench_place_of(double ns)
{
    if (ns < 0)
        return "unprobed";
    return ns < BENCH_NEAR_NS ? "near" : ns >= BENCH_FAR_NS ? "far" : "mixed";
}

const char *bench_place(double before_ns, double after_ns)
{
    const char *a = bench_place_of(before_ns), *b = bench_place_of(after_ns);
    return strcmp(a, b) == 0 ? a : "mixed";
}

/* ---- command line ------------------------------------------------------------------------- */

static void usage(const char *prog, const bench_mode *modes, FILE *to)
{
    fprintf(to, "usage: %s MODE [--n MESSAGES]\n       %s --list | --help\nmodes:", prog, prog);
    for (const bench_mode *m = modes; m->name; m++)
        fprintf(to, " %s", m->name);
    fprintf(to, "\n(BENCH_SCALE=<float> scales the default message counts; BENCH_NO_PROBE=1 "
                "skips the placement probes)\n");
}

/* Prints what is wrong with the command line and the usage, and exits 2. */
__attribute__((format(printf, 3, 4))) static void
bad_args(const char *prog, const bench_mode *modes, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(prog, modes, stderr);
    exit(2);
}

static uint64_t parse_n(const char *prog, const bench_mode *modes, const char *text)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v == 0 || text[0] == '-')
        bad_args(prog, modes, "--n needs a positive whole number, got '%s'", text);
    return v;
}

static uint64_t default_n(const bench_mode *mode)
{
    double scale = 1.0;
    const char *s = getenv("BENCH_SCALE");
    if (s && *s) {
        scale = strtod(s, NULL);
        if (!(scale > 0)) {
            fprintf(stderr, "BENCH_SCALE=%s: want a positive number\n", s);
            exit(2);
        }
    }
    double v = (double)mode->def_n * scale;
    return v < 1 ? 1 : (uint64_t)v;
}

int bench_args(int argc, char **argv, const bench_mode *modes, uint64_t *n)
{
    const char *prog = argv[0];
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(prog, modes, stdout);
            exit(0);
        }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const bench_mode *m = modes; m->name; m++)
            printf("%s %" PRIu64 "\n", m->name, m->def_n);
        exit(0);
    }
    int idx = -1;
    const char *n_text = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0) {
            if (i + 1 >= argc)
                bad_args(prog, modes, "%s needs a number after it", "--n");
            n_text = argv[++i];
        } else if (argv[i][0] == '-') {
            bad_args(prog, modes, "unknown option '%s'", argv[i]);
        } else if (idx >= 0) {
            bad_args(prog, modes, "unexpected argument '%s' (one MODE only)", argv[i]);
        } else {
            for (int k = 0; modes[k].name && idx < 0; k++)
                if (strcmp(argv[i], modes[k].name) == 0)
                    idx = k;
            if (idx < 0)
                bad_args(prog, modes, "unknown mode '%s' (--list shows them)", argv[i]);
        }
    }
    if (idx < 0) {
        fprintf(stderr, "%s: a MODE is needed\n", prog);
        usage(prog, modes, stderr);
        exit(2);
    }
    *n = n_text ? parse_n(prog, modes, n_text) : default_n(&modes[idx]);
    return idx;
}

/* ---- two-thread harness ------------------------------------------------------------------- */

typedef struct pair_side {
    bench_fn fn;
    void *ctx;
    int cpu;
    _Atomic int *ready;
    _Atomic int *go;
} pair_side;

static void *pair_thread(void *arg)
{
    pair_side *s = arg;
    if (bench_pin(s->cpu) != 0)
        fprintf(stderr, "warning: could not pin to cpu%d\n", s->cpu);
    atomic_fetch_add_explicit(s->ready, 1, memory_order_release);
    while (!atomic_load_explicit(s->go, memory_order_acquire))
        bench_relax();
    s->fn(s->ctx);
    return NULL;
}

void bench_run_pair(bench_fn produce, bench_fn consume, void *ctx, uint64_t *wall_ns,
                    uint64_t *cpu_ns)
{
    _Atomic int ready = 0, go = 0;
    pair_side sides[2] = {{produce, ctx, 0, &ready, &go}, {consume, ctx, 1, &ready, &go}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, pair_thread, &sides[i]) != 0) {
            fprintf(stderr, "error: pthread_create failed\n");
            exit(1);
        }
    /* main is not pinned; it sleeps while the pair runs, so the pair has both CPUs. */
    while (atomic_load_explicit(&ready, memory_order_acquire) < 2)
        sched_yield();
    uint64_t c0 = bench_cpu_ns(), t0 = bench_now_ns();
    atomic_store_explicit(&go, 1, memory_order_release);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    *wall_ns = bench_now_ns() - t0;
    *cpu_ns = bench_cpu_ns() - c0;
}

/* ---- output ------------------------------------------------------------------------------- */

void bench_print(const bench_result *r)
{
    double secs = (double)r->wall_ns / 1e9;
    printf("result config=%s n=%" PRIu64 " mps=%.4g secs=%.4f cpu=%.3f probe_before=%.1f "
           "probe_after=%.1f place=%s%s\n",
           r->config, r->n, secs > 0 ? (double)r->n / secs / 1e6 : 0.0, secs,
           r->wall_ns ? (double)r->cpu_ns / (double)r->wall_ns : 0.0, r->probe_before,
           r->probe_after, bench_place(r->probe_before, r->probe_after), r->extra ? r->extra : "");
    fflush(stdout);
}

void bench_fill_next(void *ctx, void *dst, size_t k)
{
    uint64_t *d = dst, n = *(uint64_t *)ctx;
    for (size_t i = 0; i < k; i++)
        d[i] = ++n;
    *(uint64_t *)ctx = n;
}

void bench_add_sum(void *ctx, const void *src, size_t k)
{
    const uint64_t *s = src;
    uint64_t sum = *(uint64_t *)ctx;
    for (size_t i = 0; i < k; i++)
        sum += s[i];
    *(uint64_t *)ctx = sum;
}

void bench_check_sum(const char *config, uint64_t got, uint64_t want)
{
    if (got == want)
        return;
    fprintf(stderr,
            "error config=%s: sum %" PRIu64 ", expected %" PRIu64 " (lost, duplicated or "
            "corrupted messages)\n",
            config, got, want);
    exit(1);
}
