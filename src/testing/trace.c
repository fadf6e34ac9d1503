/* testing/trace.c — the trace of a deterministic run's last steps: which actor ran, what it sent
 * and took, whether it ended or failed, and what it had waited for. Written on the graph's one
 * thread as the scheduler picks (a step's effects are the change of the channels' totals and
 * of the actor's failures by the next pick), finished on the test's thread after the stop (the
 * join orders the two), and kept as text for this thread's search. Steps that moved nothing
 * (a yield, a park) are counted but not kept, so the lines kept are the ones that tell. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steady/inspect.h"
#include "testing/kit.h"

#define LINE 640        /* one step's line */
#define WAITED 256      /* what it had waited for, cut to fit */
#define DEFAULT_KEEP 16 /* steps kept when the search does not say */
#define MAX_KEEP 4096

struct kit_trace {
    steady_graph *g;
    unsigned keep;
    char (*line)[LINE]; /* ring: kept line k (1-based) in line[(k - 1) % keep] */
    uint64_t kept;      /* lines kept so far */
    uint64_t steps;     /* steps so far, kept or not */
    bool open;          /* a step is under way: its effects are read at the next pick */
    bool dead;          /* no memory for the lists: nothing more is recorded */
    bool finished;
    size_t member;       /* the step under way's member */
    char waited[WAITED]; /* ... what it had waited for */
    /* Made at the first step, when the graph's lists are frozen. */
    size_t n_ch, n_actors;
    steady_channel_info *ch;
    steady_actor_info *ai;
    uint64_t *sent, *taken; /* the totals at the last pick */
    uint32_t *failures;     /* each actor's failures at the last pick */
};

/* This thread's last finished trace, as text, and how many traces it finished (the search's). */
static _Thread_local char *last_text;
static _Thread_local uint64_t finished_count;

kit_trace *kit_trace_new(unsigned keep)
{
    kit_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->keep = keep ? (keep < MAX_KEEP ? keep : MAX_KEEP) : DEFAULT_KEEP;
    if (!(t->line = calloc(t->keep, sizeof *t->line))) {
        free(t);
        return NULL;
    }
    return t;
}

void kit_trace_attach(kit_trace *t, steady_graph *g)
{
    t->g = g;
}

static void free_lists(kit_trace *t)
{
    free(t->ch);
    free(t->ai);
    free(t->sent);
    free(t->taken);
    free(t->failures);
    t->ch = NULL;
    t->ai = NULL;
    t->sent = t->taken = NULL;
    t->failures = NULL;
}

/* Reads every channel's totals and every actor's record into the lists. */
static void read_lists(kit_trace *t)
{
    steady_inspect_channels(t->g, t->ch, t->n_ch);
    steady_inspect_actors(t->g, t->ai, t->n_actors);
}

/* The lists, at the first step. False: no memory (the trace then records nothing). */
static bool first_step(kit_trace *t)
{
    t->n_ch = steady_inspect_channels(t->g, NULL, 0);
    t->n_actors = steady_inspect_actors(t->g, NULL, 0);
    size_t c = t->n_ch ? t->n_ch : 1, a = t->n_actors ? t->n_actors : 1;
    t->ch = calloc(c, sizeof *t->ch);
    t->ai = calloc(a, sizeof *t->ai);
    t->sent = calloc(c, sizeof *t->sent);
    t->taken = calloc(c, sizeof *t->taken);
    t->failures = calloc(a, sizeof *t->failures);
    if (!t->ch || !t->ai || !t->sent || !t->taken || !t->failures) {
        free_lists(t);
        return false;
    }
    read_lists(t);
    for (size_t i = 0; i < t->n_ch; i++) {
        t->sent[i] = t->ch[i].sent_total;
        t->taken[i] = t->ch[i].taken_total;
    }
    for (size_t i = 0; i < t->n_actors; i++)
        t->failures[i] = t->ai[i].failures;
    return true;
}

static size_t put(char *buf, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t put(char *buf, size_t at, const char *fmt, ...)
{
    if (at >= LINE)
        return at;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + at, LINE - at, fmt, ap);
    va_end(ap);
    return k > 0 ? at + (size_t)k : at;
}

/* Ends the step under way: its effects against the last pick's lists, kept as a line when it
 * sent, took, ended or failed. `ended`: it will not run again (an unknown: read the phase). */
static void close_step(kit_trace *t)
{
    t->open = false;
    read_lists(t);
    char line[LINE];
    size_t at = put(line, 0, "step %llu: '%s' ", (unsigned long long)t->steps,
                    t->member < t->n_actors ? t->ai[t->member].label : "?");
    unsigned said = 0;
    for (size_t i = 0; i < t->n_ch; i++) {
        uint64_t took = t->ch[i].taken_total - t->taken[i], sent = t->ch[i].sent_total - t->sent[i];
        if (took)
            at = put(line, at, "%stook %llu from '%s'", said++ ? ", " : "",
                     (unsigned long long)took, t->ch[i].name);
        if (sent)
            at = put(line, at, "%ssent %llu on '%s'", said++ ? ", " : "", (unsigned long long)sent,
                     t->ch[i].name);
        t->taken[i] = t->ch[i].taken_total;
        t->sent[i] = t->ch[i].sent_total;
    }
    bool failed = false, ended = false;
    if (t->member < t->n_actors) {
        const steady_actor_info *a = &t->ai[t->member];
        failed = a->failures > t->failures[t->member];
        ended = a->phase == STEADY_ACTOR_ENDED || a->phase == STEADY_ACTOR_STOPPED_FOR_GOOD;
        t->failures[t->member] = a->failures;
        if (failed)
            at = put(line, at, "%sfailed: %s", said ? "; it " : "", a->last_failure);
        else if (ended)
            at = put(line, at, "%sended", said ? "; it " : "");
    }
    if (!said && !failed && !ended)
        return; /* it moved nothing: counted, not kept */
    put(line, at, " (it had waited for %s)", t->waited);
    t->kept++;
    memcpy(t->line[(t->kept - 1) % t->keep], line, LINE);
}

void kit_trace_step(kit_trace *t, size_t member)
{
    if (!t->g || t->dead)
        return;
    if (t->steps == 0 && !first_step(t)) {
        t->dead = true;
        return;
    }
    if (t->open)
        close_step(t);
    t->steps++;
    t->member = member;
    steady_sched_describe(member, t->waited, sizeof t->waited);
    t->open = true;
}

/* The text of the kept lines, oldest first, into last_text. */
static void keep_text(kit_trace *t, uint64_t seed, const char *note)
{
    free(last_text);
    finished_count++;
    unsigned shown = t->kept < t->keep ? (unsigned)t->kept : t->keep;
    size_t cap = (size_t)shown * (LINE + 4) + 512, at = 0;
    if (!(last_text = malloc(cap)))
        return;
    at += (size_t)snprintf(last_text, cap,
                           "the last %u of its %llu steps that sent, took, ended or failed "
                           "(%llu steps in all; seed %llu)%s:",
                           shown, (unsigned long long)t->kept, (unsigned long long)t->steps,
                           (unsigned long long)seed, note ? note : "");
    for (uint64_t k = t->kept - shown + 1; k <= t->kept && at < cap; k++)
        at += (size_t)snprintf(last_text + at, cap - at, "\n  %s", t->line[(k - 1) % t->keep]);
}

void kit_trace_finish(kit_trace *t, uint64_t seed)
{
    if (t->finished)
        return;
    t->finished = true;
    if (t->open && !t->dead)
        close_step(t);
    keep_text(t, seed, t->dead ? " (no memory to trace it)" : NULL);
}

void kit_trace_free(kit_trace *t, uint64_t seed)
{
    if (!t)
        return;
    if (!t->finished) /* the graph is gone: a last step's effects are unknown */
        keep_text(t, seed,
                  t->steps ? " (the graph was freed before it stopped: its last step is not shown)"
                           : NULL);
    free_lists(t);
    free(t->line);
    free(t);
}

const char *kit_trace_last(void)
{
    return last_text ? last_text : "";
}

uint64_t kit_trace_count(void)
{
    return finished_count;
}

void kit_trace_forget(void)
{
    free(last_text);
    last_text = NULL;
}
