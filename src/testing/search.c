/* testing/search.c — the interleaving search: a test body run under many schedules, each drawn
 * from a seed the body passes to its test graph, stopping at the first that fails with its seed,
 * a trace of its last steps and the line that replays it.
 *
 * Nothing here stays set while a body runs that a body leaving by longjmp (a test framework's
 * failed assertion) could leave behind: the seed travels as the body's argument, and the only
 * thread-local is the trace length, which only sizes later traces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testing/kit.h"

#define DEFAULT_SCHEDULES 200
#define DEFAULT_TIMEOUT_MS 30000
#define MESSAGE_MAX 16000 /* within steady_test_failure's buffer */

static _Thread_local unsigned trace_keep; /* this thread's last search's trace_steps */
static _Thread_local char *result_trace;  /* the last failing schedule's trace: the result's */

unsigned kit_search_trace_steps(void)
{
    return trace_keep;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* STEADY_TEST_SEED=N: the search runs that one schedule (a replay). A value that is not a seed
 * is said, and the search runs as if it were unset. */
static bool replay_seed(uint64_t *seed)
{
    const char *env = getenv("STEADY_TEST_SEED");
    if (!env || !*env)
        return false;
    if (kit_parse_seed(env, seed))
        return true;
    fprintf(stderr,
            "steady_test_search: STEADY_TEST_SEED='%s' is not a positive decimal number below "
            "2^64; searching as if it were unset\n",
            env);
    return false;
}

/* The trace, cut from its oldest end to `room` bytes (at a line's start). */
static const char *trace_tail(const char *trace, size_t room, bool *cut)
{
    size_t len = strlen(trace);
    *cut = len > room;
    if (!*cut)
        return trace;
    const char *from = trace + (len - room), *nl = strchr(from, '\n');
    return nl ? nl + 1 : from;
}

static bool report_failure(uint64_t seed, unsigned run, unsigned of, uint64_t ms, bool replay)
{
    char how[300], body[4096], head[4800];
    kit_seed_schedule(seed, how, sizeof how);
    snprintf(body, sizeof body, "%s", steady_test_failure());
    int n = snprintf(head, sizeof head,
                     "steady_test_search: %s %u of %u failed (seed %llu: %s), after %llu ms:\n"
                     "  the body said: %s\n  replay it with STEADY_TEST_SEED=%llu (the same "
                     "steps every time)",
                     replay ? "the replayed schedule" : "schedule", run, of,
                     (unsigned long long)seed, how, (unsigned long long)ms,
                     body[0] ? body : "(nothing: it returned false)", (unsigned long long)seed);
    size_t used = n > 0 ? (size_t)n : 0;
    bool cut;
    const char *trace = trace_tail(result_trace ? result_trace
                                                : "no trace: the body made no deterministic test "
                                                  "graph with its seed, or did not free it",
                                   used < MESSAGE_MAX - 64 ? MESSAGE_MAX - 64 - used : 0, &cut);
    return kit_fail("%s\n  %s%s", head, cut ? "(the trace's earlier lines are cut to fit)\n  " : "",
                    trace);
}

/* Runs one schedule; false when the body failed or made no seeded graph (said). */
static bool run_one(steady_test_body body, void *ctx, uint64_t seed, unsigned keep, bool *traced)
{
    uint64_t made = kit_trace_count();
    kit_trace_forget();
    trace_keep = keep;
    kit_clear_failure();
    bool ok = body(ctx, seed);
    *traced = kit_trace_count() != made;
    if (!*traced && ok)
        kit_fail("the body made no deterministic test graph: give steady_test_graph_new "
                 ".seed = the seed the body was given (%llu), and free the graph after its stop",
                 (unsigned long long)seed);
    return ok && *traced;
}

bool steady_test_search(steady_test_body body, void *ctx, const steady_test_search_opts *opts,
                        steady_test_search_result *out)
{
    steady_test_search_opts o = opts ? *opts : (steady_test_search_opts){0};
    steady_test_search_result r = {0};
    r.trace = "";
    if (out)
        *out = r;
    if (!body)
        return kit_fail("steady_test_search: body is NULL; give the function that runs one test");
    free(result_trace);
    result_trace = NULL;
    unsigned schedules = o.schedules ? o.schedules : DEFAULT_SCHEDULES;
    uint64_t first = o.first_seed ? o.first_seed : 1;
    uint64_t timeout = o.timeout_ms ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
    bool replay = replay_seed(&first);
    if (replay)
        schedules = 1;
    uint64_t t0 = now_ms();
    for (unsigned i = 0; i < schedules; i++) {
        if (i && (now_ms() - t0 >= timeout || first + i < first)) {
            r.stopped_early = true;
            fprintf(stderr,
                    "steady_test_search: stopped after %u of %u schedules (%s); none failed\n", i,
                    schedules,
                    first + i < first ? "the seeds ran out at 2^64 - 1" : "its time bound");
            break;
        }
        uint64_t seed = first + i;
        bool traced;
        bool ok = run_one(body, ctx, seed, o.trace_steps, &traced);
        r.schedules = i + 1;
        if (!ok) {
            r.found = true;
            r.seed = seed;
            if (traced)
                result_trace = strdup(kit_trace_last());
            break;
        }
    }
    r.elapsed_ms = now_ms() - t0;
    trace_keep = 0;
    r.trace = result_trace ? result_trace : "";
    if (out)
        *out = r;
    if (r.found)
        return report_failure(r.seed, r.schedules, schedules, r.elapsed_ms, replay);
    kit_clear_failure();
    return true;
}
