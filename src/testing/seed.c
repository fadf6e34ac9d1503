/* testing/seed.c — deterministic runs: the schedule a seed draws (a random walk or a PCT-style
 * priority schedule, one step at a time through steady_sched.pick), the seed a test graph was
 * made with, and the replay hint of failures. The trace of the steps is trace.c's. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "testing/kit.h"

/* A PCT schedule's priority changes: 0 to MAX_CHANGES steps (drawn per seed) at which the
 * actor that runs drops below every other, each step drawn log-uniformly in [1, 2^20], so a
 * schedule needs no guess of how long a run is: short runs get their changes early as often
 * as long runs get them late. */
#define MAX_CHANGES 3
#define CHANGE_BITS 20
/* A member picked this many times in a row while another could run drops to the lowest, as at
 * a change step: strict priorities would otherwise livelock on an actor that keeps yielding
 * without parking (a loop whose wait always holds at once, e.g. on a closed channel), which
 * real threads and the random walk both get past. */
#define SAME_LIMIT 64

struct kit_seed {
    uint64_t seed;
    uint64_t rng; /* xorshift64*: only the troupe's thread draws, once the graph runs */
    bool pct;
    unsigned n_changes;
    uint64_t change[MAX_CHANGES]; /* PCT: the steps (1-based) whose actor drops to the lowest */
    /* PCT: each member's priority (the highest ready one runs); made at the first pick. */
    uint64_t *prio;
    uint64_t low;   /* the next dropped priority: below every drawn one, and falling */
    uint64_t steps; /* picks so far */
    unsigned same;  /* PCT: picks in a row of the last member */
    size_t last;    /* the member picked last (SIZE_MAX before the first pick) */
    kit_trace *trace;
};

/* The seed of the last deterministic graph this thread made and has not freed: failures on
 * this thread name it. */
static _Thread_local uint64_t current_seed;

static uint64_t splitmix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static uint64_t draw(kit_seed *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * UINT64_C(2685821657736338717);
}

static size_t uniform(kit_seed *s, size_t n)
{
    return (size_t)((draw(s) >> 33) % n);
}

static void seed_free(void *p)
{
    kit_seed *s = p;
    if (current_seed == s->seed)
        current_seed = 0;
    kit_trace_free(s->trace, s->seed);
    free(s->prio);
    free(s);
}

/* A random walk: any ready member, uniformly. */
static size_t walk(kit_seed *s, size_t n, const unsigned char *ready)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ready[i] != 0;
    size_t want = uniform(s, k);
    for (size_t i = 0; i < n; i++)
        if (ready[i] && want-- == 0)
            return i;
    return 0; /* unreachable: k ready members */
}

static size_t highest_ready(const kit_seed *s, size_t n, const unsigned char *ready)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (ready[i] && (best == SIZE_MAX || s->prio[i] > s->prio[best]))
            best = i;
    return best;
}

/* PCT-style: the ready member of highest priority; at a change step, the member that runs
 * drops below every other. No memory for the priorities: a random walk instead. */
static size_t by_priority(kit_seed *s, size_t n, const unsigned char *ready)
{
    if (!s->prio) {
        if (!(s->prio = malloc(n * sizeof *s->prio)))
            return walk(s, n, ready);
        for (size_t i = 0; i < n; i++)
            s->prio[i] = (draw(s) >> 2) | (UINT64_C(1) << 62); /* above every dropped one */
        s->low = UINT64_C(1) << 61;
    }
    size_t best = highest_ready(s, n, ready), others = 0;
    for (size_t i = 0; i < n && !others; i++)
        others = ready[i] && i != best;
    /* Only picks that passed over another member count: alone, it runs anyway. */
    if (best != s->last)
        s->same = 0;
    else if (others)
        s->same++;
    if (s->same >= SAME_LIMIT) {
        s->prio[best] = s->low--;
        s->same = 0;
        best = highest_ready(s, n, ready);
    }
    for (unsigned c = 0; c < s->n_changes; c++)
        if (s->change[c] == s->steps)
            s->prio[best] = s->low--; /* it runs this step, then yields to every other */
    return best;
}

static size_t seeded_pick(void *ctx, size_t n, const unsigned char *ready)
{
    kit_seed *s = ctx;
    s->steps++;
    size_t i = s->pct ? by_priority(s, n, ready) : walk(s, n, ready);
    s->last = i;
    if (s->trace)
        kit_trace_step(s->trace, i);
    return i;
}

uint64_t kit_seed_wanted(uint64_t seed)
{
    const char *env = getenv("STEADY_TEST_SEED");
    if (env && *env) {
        uint64_t v;
        if (kit_parse_seed(env, &v))
            return v;
        fprintf(stderr,
                "steady_test: STEADY_TEST_SEED='%s' is not a positive decimal number below "
                "2^64; ignored\n",
                env);
    }
    return seed;
}

bool kit_parse_seed(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || v == 0 || errno == ERANGE)
        return false;
    *out = (uint64_t)v;
    return true;
}

/* The schedule a seed draws: its kind and, for PCT, the change steps (and the rng after). */
static void draw_schedule(kit_seed *s, uint64_t seed)
{
    uint64_t m = splitmix(seed);
    s->seed = seed;
    s->pct = m & 1;
    s->rng = splitmix(m) | 1;
    s->n_changes = s->pct ? (unsigned)(draw(s) % (MAX_CHANGES + 1)) : 0;
    for (unsigned c = 0; c < s->n_changes; c++) {
        uint64_t octave = UINT64_C(1) << (draw(s) % CHANGE_BITS); /* then uniform in it */
        s->change[c] = octave + draw(s) % octave;
    }
    for (unsigned c = 1; c < s->n_changes; c++) /* in step order, for the message */
        for (unsigned k = c; k > 0 && s->change[k] < s->change[k - 1]; k--) {
            uint64_t x = s->change[k];
            s->change[k] = s->change[k - 1];
            s->change[k - 1] = x;
        }
}

kit_seed *kit_seed_new(uint64_t seed, steady_sched *out)
{
    kit_seed *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    draw_schedule(s, seed);
    s->last = SIZE_MAX;
    /* Every seeded run keeps a trace of its last steps (a search shows it); no memory: none. */
    s->trace = kit_trace_new(kit_search_trace_steps());
    *out = (steady_sched){.pick = seeded_pick, .ctx = s};
    return s;
}

bool kit_seed_own(steady_graph *g, kit_seed *s)
{
    if (!kit_own(g, s, seed_free))
        return false;
    if (s->trace)
        kit_trace_attach(s->trace, g);
    current_seed = s->seed;
    return true;
}

void kit_seed_free(kit_seed *s)
{
    seed_free(s);
}

void kit_seed_finish(steady_graph *g)
{
    kit_seed *s = kit_find(g, seed_free);
    if (s && s->trace)
        kit_trace_finish(s->trace, s->seed);
}

int kit_seed_schedule(uint64_t seed, char *buf, size_t cap)
{
    kit_seed s;
    draw_schedule(&s, seed);
    if (!s.pct)
        return snprintf(buf, cap, "a random walk (each step, any actor that can run)");
    if (!s.n_changes)
        return snprintf(buf, cap,
                        "a PCT-style schedule (priorities drawn at random, no change "
                        "step)");
    int at = snprintf(buf, cap,
                      "a PCT-style schedule (priorities drawn at random; the actor that runs "
                      "drops to the lowest at step");
    for (unsigned c = 0; c < s.n_changes && at >= 0 && (size_t)at < cap; c++)
        at += snprintf(buf + at, cap - (size_t)at, "%s %llu",
                       c ? (c + 1 == s.n_changes ? " and" : ",") : (s.n_changes > 1 ? "s" : ""),
                       (unsigned long long)s.change[c]);
    if (at >= 0 && (size_t)at < cap)
        at += snprintf(buf + at, cap - (size_t)at, ")");
    return at;
}

uint64_t steady_test_seed(const steady_graph *g)
{
    kit_seed *s = g ? kit_find((steady_graph *)g, seed_free) : NULL;
    return s ? s->seed : 0;
}

uint64_t kit_current_seed(void)
{
    return current_seed;
}
