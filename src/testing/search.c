/* testing/search.c — the interleaving search: a test body run under many schedules, each drawn
 * from a seed, stopping at the first that fails with its seed, a trace of its last steps and
 * the line that replays it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testing/kit.h"

#define DEFAULT_SCHEDULES 200
#define DEFAULT_TIMEOUT_MS 30000

/* The schedule this thread's search runs now: steady_test_graph_new reads it (seed.c). */
static _Thread_local uint64_t searching;
static _Thread_local unsigned searching_keep;

uint64_t kit_search_seed(void)
{
    return searching;
}

unsigned kit_search_trace_steps(void)
{
    return searching_keep;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* STEADY_TEST_SEED=N: the search runs that one schedule (a replay). */
static bool replay_seed(uint64_t *seed)
{
    const char *env = getenv("STEADY_TEST_SEED");
    return env && *env && kit_parse_seed(env, seed);
}

static bool report_failure(uint64_t seed, unsigned run, unsigned of, uint64_t ms, bool replay)
{
    char how[200], body[8192];
    kit_seed_schedule(seed, how, sizeof how);
    snprintf(body, sizeof body, "%s", steady_test_failure());
    const char *trace = kit_trace_last();
    return kit_fail("steady_test_search: %s %u of %u failed (seed %llu: %s), after %llu ms:\n"
                    "  the body said: %s\n  %s\n  replay it with STEADY_TEST_SEED=%llu (the same "
                    "steps every time)",
                    replay ? "the replayed schedule" : "schedule", run, of,
                    (unsigned long long)seed, how, (unsigned long long)ms,
                    body[0] ? body : "(nothing: it returned false)",
                    trace[0] ? trace
                             : "no trace: the body made no seeded test graph, or returned "
                               "before its graph stopped",
                    (unsigned long long)seed);
}

bool steady_test_search(steady_test_body body, void *ctx, const steady_test_search_opts *opts,
                        steady_test_search_result *out)
{
    steady_test_search_opts o = opts ? *opts : (steady_test_search_opts){0};
    steady_test_search_result r = {0};
    if (out)
        *out = r;
    if (!body)
        return kit_fail("steady_test_search: body is NULL; give the function that runs one test");
    if (searching)
        return kit_fail("steady_test_search: called from a search's body; searches do not nest");
    unsigned schedules = o.schedules ? o.schedules : DEFAULT_SCHEDULES;
    uint64_t first = o.first_seed ? o.first_seed : 1;
    uint64_t timeout = o.timeout_ms ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
    bool replay = replay_seed(&first);
    if (replay)
        schedules = 1;
    searching_keep = o.trace_steps;
    uint64_t t0 = now_ms();
    bool passed = true;
    for (unsigned i = 0; i < schedules; i++) {
        if (i && now_ms() - t0 >= timeout) {
            fprintf(stderr,
                    "steady_test_search: stopped by its time bound after %u of %u schedules "
                    "(%llu ms); none failed\n",
                    i, schedules, (unsigned long long)timeout);
            break;
        }
        uint64_t seed = first + i ? first + i : 1; /* seed 0 means "not seeded" */
        kit_trace_forget();
        kit_clear_failure();
        searching = seed;
        bool ok = body(ctx);
        searching = 0;
        r.schedules = i + 1;
        if (!ok) {
            r.found = true;
            r.seed = seed;
            passed = false;
            break;
        }
    }
    r.elapsed_ms = now_ms() - t0;
    r.trace = r.found ? kit_trace_last() : "";
    searching_keep = 0;
    if (out)
        *out = r;
    if (!passed)
        return report_failure(r.seed, r.schedules, schedules, r.elapsed_ms, replay);
    kit_clear_failure();
    return true;
}
