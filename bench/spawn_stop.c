/* spawn_stop.c — how long a graph of N troupe members takes to build, start, stop and free.
 *
 *   spawn_stop [--members N[,N...]] [--troupes T] [--runs R] [--stack BYTES]
 *
 * Each member counts itself in once it runs, then waits for shutdown. Phases, in wall time:
 *   spawn  N steady_actor_spawn calls (labels "m-<i>", members of T troupes, round-robin);
 *   start  steady_graph_start until every member has run once;
 *   stop   steady_graph_request_shutdown until block_until_stopped returned (every member votes);
 *   free   steady_graph_free.
 * One line per run and size:
 *   result config=spawn_stop/members=N troupes=T spawn_s=... start_s=... stop_s=... free_s=...
 * and, when several sizes are given, the ratio of medians of each phase against the first size
 * (linear work gives the ratio of the sizes). The machine's CPU model is printed first.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>

#include "bench_common.h"

#define MAX_SIZES 8
#define MAX_RUNS 31

enum { SPAWN, START, STOP, FREE, PHASES };
static const char *const phase_names[PHASES] = {"spawn", "start", "stop", "free"};

static _Atomic uint64_t running;

static int member_run(steady_actor *a, void *arg)
{
    (void)arg;
    atomic_fetch_add_explicit(&running, 1, memory_order_relaxed);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void sleep_us(unsigned us)
{
    struct timespec ts = {0, (long)us * 1000L};
    nanosleep(&ts, NULL);
}

/* The CPU model, as lscpu prints it (every figure is quoted with it). */
static void print_cpu(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char row[256];
    while (f && fgets(row, sizeof row, f))
        if (!strncmp(row, "model name", 10)) {
            const char *colon = strchr(row, ':');
            printf("cpu %s", colon ? colon + 2 : row);
            break;
        }
    if (f)
        fclose(f);
}

static double secs_since(uint64_t t0)
{
    return (double)(bench_now_ns() - t0) / 1e9;
}

/* One graph of n members in `troupes` troupes; fills t[PHASES]. False on an error (printed). */
static bool run_once(uint64_t n, unsigned troupes, size_t stack, double t[PHASES])
{
    steady_graph *g;
    steady_log_set_level(STEADY_LOG_WARN);
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "spawn-stop",
                                                  .no_signal_handlers = true,
                                                  .default_stack_size = stack}) != STEADY_OK)
        return false;
    steady_troupe *tr[64];
    for (unsigned i = 0; i < troupes; i++)
        steady_troupe_new(g, NULL, &tr[i]);
    atomic_store(&running, 0);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < n; i++) {
        steady_actor_opts o = {.name = "m",
                               .has_suffix = true,
                               .suffix = (unsigned)i,
                               .run = member_run,
                               .troupe = tr[i % troupes]};
        if (steady_actor_spawn(g, &o, NULL) != STEADY_OK) {
            fprintf(stderr, "spawn_stop: spawn %llu: %s\n", (unsigned long long)i,
                    steady_last_error());
            steady_graph_free(g);
            return false;
        }
    }
    t[SPAWN] = secs_since(t0);
    t0 = bench_now_ns();
    if (steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "spawn_stop: start: %s\n", steady_last_error());
        steady_graph_free(g);
        return false;
    }
    while (atomic_load(&running) < n)
        sleep_us(50);
    t[START] = secs_since(t0);
    t0 = bench_now_ns();
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 600000);
    t[STOP] = secs_since(t0);
    t0 = bench_now_ns();
    steady_graph_free(g);
    t[FREE] = secs_since(t0);
    if (e != STEADY_OK)
        fprintf(stderr, "spawn_stop: stop: %s\n", steady_strerror(e));
    return e == STEADY_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: spawn_stop [--members N[,N...]] [--troupes T] [--runs R] [--stack BYTES]\n"
               "  spawn, start, stop and free a graph of N troupe members (default "
               "1000,10000,30000;\n"
               "  T troupes, default 1; R runs per size, default 3; stacks of BYTES, default "
               "the graph's)\n");
}

static int parse_sizes(const char *s, uint64_t *sizes)
{
    int n = 0;
    for (char *end; *s && n < MAX_SIZES; s = *end ? end + 1 : end) {
        sizes[n] = strtoull(s, &end, 10);
        if (end == s || sizes[n] == 0 || (*end && *end != ','))
            return -1;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    uint64_t sizes[MAX_SIZES] = {1000, 10000, 30000};
    int n_sizes = 3, runs = 3;
    unsigned troupes = 1;
    size_t stack = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--members") && v && (n_sizes = parse_sizes(v, sizes)) > 0) {
            i++;
        } else if (!strcmp(argv[i], "--troupes") && v && atoi(v) > 0 && atoi(v) <= 64) {
            troupes = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--runs") && v && atoi(v) > 0 && atoi(v) <= MAX_RUNS) {
            runs = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--stack") && v && atoll(v) > 0) {
            stack = (size_t)atoll(argv[++i]);
        } else {
            fprintf(stderr, "spawn_stop: bad argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    print_cpu();
    double med[MAX_SIZES][PHASES];
    for (int s = 0; s < n_sizes; s++) {
        double t[PHASES][MAX_RUNS];
        for (int r = 0; r < runs; r++) {
            double one[PHASES];
            if (!run_once(sizes[s], troupes, stack, one))
                return 1;
            for (int p = 0; p < PHASES; p++)
                t[p][r] = one[p];
            printf("result config=spawn_stop/members=%llu troupes=%u spawn_s=%.4f start_s=%.4f "
                   "stop_s=%.4f free_s=%.4f\n",
                   (unsigned long long)sizes[s], troupes, one[SPAWN], one[START], one[STOP],
                   one[FREE]);
            fflush(stdout);
        }
        for (int p = 0; p < PHASES; p++)
            med[s][p] = median(t[p], runs);
    }
    for (int s = 1; s < n_sizes; s++)
        for (int p = 0; p < PHASES; p++)
            printf("ratio %s members=%llu/%llu: %.2f (linear: %.2f)\n", phase_names[p],
                   (unsigned long long)sizes[s], (unsigned long long)sizes[0],
                   med[0][p] > 0 ? med[s][p] / med[0][p] : 0.0,
                   (double)sizes[s] / (double)sizes[0]);
    return 0;
}
