/* testing/watch.c — log capture, and running until a condition holds with a report of what the
 * graph was doing when it did not. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steady/inspect.h"
#include "steady/log.h"
#include "testing/kit.h"

/* ---- log capture ---- */

/* Lines arrive from every thread of the graph: one lock around the text. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;
static size_t log_len, log_cap;
static _Thread_local char *plain; /* steady_test_log_messages' copy, the caller's thread */

static void sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    pthread_mutex_lock(&log_lock);
    if (log_len + len + 2 > log_cap) {
        size_t cap = (log_len + len + 2) * 2;
        char *p = realloc(log_text, cap);
        if (!p) { /* out of memory: the line is dropped, the capture goes on */
            pthread_mutex_unlock(&log_lock);
            return;
        }
        log_text = p;
        log_cap = cap;
    }
    memcpy(log_text + log_len, line, len);
    log_len += len;
    if (!len || line[len - 1] != '\n')
        log_text[log_len++] = '\n';
    log_text[log_len] = '\0';
    pthread_mutex_unlock(&log_lock);
}

void steady_test_log_begin(void)
{
    pthread_mutex_lock(&log_lock);
    log_len = 0;
    if (log_text)
        log_text[0] = '\0';
    pthread_mutex_unlock(&log_lock);
    steady_log_set_sink(sink, NULL);
}

void steady_test_log_end(void)
{
    free(plain);
    plain = NULL;
    steady_log_set_sink(NULL, NULL);
    pthread_mutex_lock(&log_lock);
    free(log_text);
    log_text = NULL;
    log_len = log_cap = 0;
    pthread_mutex_unlock(&log_lock);
}

const char *steady_test_log_text(void)
{
    return log_text ? log_text : "";
}

/* The lines without their leading "[date time] " stamp. */

const char *steady_test_log_messages(void)
{
    pthread_mutex_lock(&log_lock);
    free(plain);
    plain = malloc(log_len + 1);
    size_t out = 0;
    for (size_t at = 0; plain && at < log_len;) {
        const char *line = log_text + at, *eol = memchr(line, '\n', log_len - at);
        size_t len = eol ? (size_t)(eol - line) + 1 : log_len - at;
        const char *stamp_end = line[0] == '[' ? memchr(line, ']', len) : NULL;
        size_t skip =
            stamp_end && (size_t)(stamp_end - line) + 2 <= len ? (size_t)(stamp_end - line) + 2 : 0;
        memcpy(plain + out, line + skip, len - skip);
        out += len - skip;
        at += len;
    }
    if (plain)
        plain[out] = '\0';
    pthread_mutex_unlock(&log_lock);
    return plain ? plain : "";
}

bool steady_test_log_expect(const char *const *texts, size_t n)
{
    if (n && !texts)
        return kit_fail("steady_test_log_expect: texts is NULL with n %zu", n);
    pthread_mutex_lock(&log_lock);
    const char *at = log_text ? log_text : "";
    size_t k = 0;
    for (; k < n; k++) {
        const char *hit = texts[k] ? strstr(at, texts[k]) : NULL;
        if (!hit)
            break;
        const char *eol = strchr(hit, '\n');
        at = eol ? eol + 1 : hit + strlen(hit); /* the next text in a later line */
    }
    bool ok = k == n;
    if (!ok)
        kit_fail(
            "steady_test_log_expect: line %zu of %zu (\"%s\") does not appear%s; captured:\n%s",
            k + 1, n, texts[k] ? texts[k] : "(NULL)", k ? " after the ones before it" : "",
            log_text ? log_text : "(nothing)");
    pthread_mutex_unlock(&log_lock);
    return ok;
}

/* ---- run until ---- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Appends what the graph is doing to buf: state, actors, channels. */
static void describe(steady_graph *g, char *buf, size_t cap)
{
    size_t at = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (at < cap)                                                                              \
            at += (size_t)snprintf(buf + at, cap - at, __VA_ARGS__);                               \
    } while (0)
    steady_graph_info gi;
    if (steady_inspect_graph(g, &gi) != STEADY_OK) {
        PUT("(the graph cannot be inspected)");
        return;
    }
    PUT("graph '%s' is %s", gi.name, steady_graph_state_name(gi.state));
    steady_actor_info ai[64];
    size_t na = steady_inspect_actors(g, ai, 64);
    for (size_t i = 0; i < na && i < 64; i++) {
        PUT("\n  actor '%s': %s%s, %u restarts", ai[i].label, steady_actor_phase_name(ai[i].phase),
            ai[i].waiting ? ", parked in a wait" : "", ai[i].regeneration);
        if (ai[i].waiting && ai[i].deadline_ns)
            PUT(", its timer due at %.3f s on the graph's clock", (double)ai[i].deadline_ns / 1e9);
        if (ai[i].waiting_fds)
            PUT(", waiting on %u descriptor%s", ai[i].waiting_fds,
                ai[i].waiting_fds == 1 ? "" : "s");
        if (ai[i].last_failure[0])
            PUT(", last failure: %s", ai[i].last_failure);
    }
    steady_channel_info ci[64];
    size_t nc = steady_inspect_channels(g, ci, 64);
    for (size_t i = 0; i < nc && i < 64; i++)
        PUT("\n  channel '%s': %llu of %llu held, %llu sent, %llu taken%s%s", ci[i].name,
            (unsigned long long)(ci[i].sent_total - ci[i].taken_total),
            (unsigned long long)ci[i].capacity, (unsigned long long)ci[i].sent_total,
            (unsigned long long)ci[i].taken_total,
            ci[i].tx_closed ? ", closed by its producer" : "",
            ci[i].rx_closed ? ", its consumer gone" : "");
#undef PUT
}

static bool all_ended(steady_graph *g)
{
    steady_actor_info ai[256];
    size_t n = steady_inspect_actors(g, ai, 256);
    if (n > 256)
        return false; /* too many to read at once: only the state tells */
    for (size_t i = 0; i < n; i++)
        if (ai[i].phase != STEADY_ACTOR_ENDED && ai[i].phase != STEADY_ACTOR_STOPPED_FOR_GOOD)
            return false;
    return true;
}

bool steady_test_run_until(steady_graph *g, steady_test_cond cond, void *ctx, uint64_t timeout_ms,
                           const char *what)
{
    if (!g || !cond)
        return kit_fail("steady_test_run_until: %s is NULL", !g ? "the graph" : "cond");
    uint64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        if (cond(ctx))
            return true;
        steady_graph_state s = steady_graph_get_state(g);
        if (s == STEADY_GRAPH_STOPPED || s == STEADY_GRAPH_STOPPED_UNCLEANLY || all_ended(g))
            return cond(ctx) ||
                   kit_fail("steady_test_run_until: %s: the graph ended first", what ? what : "?");
        if (now_ms() >= deadline)
            break;
        nanosleep(&(struct timespec){0, 100000}, NULL); /* a poll, not a fixed wait */
    }
    char state[1536];
    describe(g, state, sizeof state);
    return kit_fail("steady_test_run_until: %s: not true after %llu ms; %s", what ? what : "?",
                    (unsigned long long)timeout_ms, state);
}

typedef struct drained {
    const steady_test_drain *d;
    size_t n;
} drained;

static bool holds(void *ctx)
{
    const drained *w = ctx;
    return steady_test_drain_count(w->d) >= w->n;
}

bool steady_test_until_drained(steady_graph *g, const steady_test_drain *d, size_t n,
                               uint64_t timeout_ms)
{
    if (!d)
        return kit_fail("steady_test_until_drained: the drain is NULL");
    char what[160];
    snprintf(what, sizeof what, "drain of '%s' holds %zu (it holds %zu)", kit_drain_name(d), n,
             steady_test_drain_count(d));
    drained w = {d, n};
    return steady_test_run_until(g, holds, &w, timeout_ms, what);
}

static bool ended(void *ctx)
{
    return all_ended(ctx);
}

bool steady_test_until_stopped(steady_graph *g, uint64_t timeout_ms)
{
    return steady_test_run_until(g, ended, g, timeout_ms, "every actor ended");
}
