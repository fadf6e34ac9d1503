/* testing/trace.c — the trace of a deterministic run's last steps: which actor ran, what it had
 * waited for, what it sent and took. Written on the graph's one thread as the scheduler picks
 * (each step's effects are the channel totals' change by the next pick), finished on the test's
 * thread after the stop (the join orders the two), and kept as text for this thread's search. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steady/inspect.h"
#include "testing/kit.h"

#define LINE 384        /* one step's line */
#define DEFAULT_KEEP 16 /* steps kept when the search does not say */
#define MAX_KEEP 4096

struct kit_trace {
    steady_graph *g;
    unsigned keep;
    char (*line)[LINE]; /* ring: step k (1-based) in line[(k - 1) % keep] */
    uint64_t steps;
    size_t last; /* the member of the last step */
    bool open;   /* the last line still waits for its effects */
    bool finished;
    /* Made at the first step, when the graph's lists are frozen. */
    size_t n_ch, n_actors;
    steady_channel_info *ch;
    uint64_t *sent, *taken; /* the totals at the last pick */
    const char **label;     /* member i is actor i on the one thread (steady/hooks.h) */
};

/* This thread's last finished trace, as text (the search's). */
static _Thread_local char *last_text;

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

/* The lists, at the first step. False: no memory (the trace then records nothing). */
static bool first_step(kit_trace *t)
{
    t->n_ch = steady_inspect_channels(t->g, NULL, 0);
    t->n_actors = steady_inspect_actors(t->g, NULL, 0);
    steady_actor_info *ai = calloc(t->n_actors ? t->n_actors : 1, sizeof *ai);
    t->ch = calloc(t->n_ch ? t->n_ch : 1, sizeof *t->ch);
    t->sent = calloc(t->n_ch ? t->n_ch : 1, sizeof *t->sent);
    t->taken = calloc(t->n_ch ? t->n_ch : 1, sizeof *t->taken);
    t->label = calloc(t->n_actors ? t->n_actors : 1, sizeof *t->label);
    bool ok = ai && t->ch && t->sent && t->taken && t->label;
    if (ok) {
        steady_inspect_actors(t->g, ai, t->n_actors);
        for (size_t i = 0; i < t->n_actors; i++)
            t->label[i] = ai[i].label; /* the graph's strings, valid until it is freed */
        steady_inspect_channels(t->g, t->ch, t->n_ch);
        for (size_t i = 0; i < t->n_ch; i++) {
            t->sent[i] = t->ch[i].sent_total;
            t->taken[i] = t->ch[i].taken_total;
        }
    }
    free(ai);
    return ok;
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

/* Appends the last step's effects to its line: the channels' totals against the last pick's. */
static void close_line(kit_trace *t, const char *end_note)
{
    char *buf = t->line[(t->steps - 1) % t->keep];
    size_t at = strlen(buf), said = 0;
    steady_inspect_channels(t->g, t->ch, t->n_ch);
    for (size_t i = 0; i < t->n_ch; i++) {
        uint64_t took = t->ch[i].taken_total - t->taken[i], sent = t->ch[i].sent_total - t->sent[i];
        if (took)
            at = put(buf, at, "%s took %llu from '%s'", said++ ? "," : ":",
                     (unsigned long long)took, t->ch[i].name);
        if (sent)
            at = put(buf, at, "%s sent %llu on '%s'", said++ ? "," : ":", (unsigned long long)sent,
                     t->ch[i].name);
        t->taken[i] = t->ch[i].taken_total;
        t->sent[i] = t->ch[i].sent_total;
    }
    if (!said)
        at = put(buf, at, ": sent and took nothing");
    if (end_note)
        put(buf, at, "; %s", end_note);
    t->open = false;
}

void kit_trace_step(kit_trace *t, size_t member)
{
    if (!t->g || (t->steps == 0 && !t->ch && !first_step(t)))
        return;
    if (t->open) {
        char was[64];
        steady_sched_describe(t->last, was, sizeof was);
        close_line(t, strcmp(was, "nothing (ended)") == 0 ? "it ended" : NULL);
    }
    t->steps++;
    t->last = member;
    char *buf = t->line[(t->steps - 1) % t->keep];
    char waited[256];
    steady_sched_describe(member, waited, sizeof waited);
    const char *who = member < t->n_actors ? t->label[member] : "?";
    snprintf(buf, LINE, "step %llu: '%s' ran, having waited for %s", (unsigned long long)t->steps,
             who, waited);
    t->open = true;
}

/* The text of the kept lines, oldest first, into last_text. */
static void keep_text(kit_trace *t, uint64_t seed, const char *note)
{
    free(last_text);
    unsigned shown = t->steps < t->keep ? (unsigned)t->steps : t->keep;
    size_t cap = (size_t)shown * (LINE + 4) + 512, at = 0;
    if (!(last_text = malloc(cap)))
        return;
    at += (size_t)snprintf(last_text, cap, "the last %u of %llu steps of seed %llu%s%s:", shown,
                           (unsigned long long)t->steps, (unsigned long long)seed, note ? " " : "",
                           note ? note : "");
    for (uint64_t k = t->steps - shown + 1; k <= t->steps && at < cap; k++)
        at += (size_t)snprintf(last_text + at, cap - at, "\n  %s", t->line[(k - 1) % t->keep]);
}

void kit_trace_finish(kit_trace *t, uint64_t seed)
{
    if (t->finished)
        return;
    t->finished = true;
    if (t->open) {
        steady_actor_info *ai = calloc(t->n_actors ? t->n_actors : 1, sizeof *ai);
        const char *note = NULL;
        char failed[300];
        if (ai && t->last < steady_inspect_actors(t->g, ai, t->n_actors)) {
            steady_actor_phase p = ai[t->last].phase;
            if (p == STEADY_ACTOR_STOPPED_FOR_GOOD) {
                snprintf(failed, sizeof failed, "it failed: %s", ai[t->last].last_failure);
                note = failed;
            } else if (p == STEADY_ACTOR_ENDED) {
                note = "it ended";
            }
        }
        free(ai);
        close_line(t, note);
    }
    keep_text(t, seed, NULL);
}

void kit_trace_free(kit_trace *t, uint64_t seed)
{
    if (!t)
        return;
    if (!t->finished && t->steps) {
        if (t->open) /* the graph is gone: the last step's effects cannot be read */
            snprintf(t->line[(t->steps - 1) % t->keep] + strlen(t->line[(t->steps - 1) % t->keep]),
                     LINE - strlen(t->line[(t->steps - 1) % t->keep]),
                     " (its effects unseen: the graph was freed while it ran)");
        keep_text(t, seed, NULL);
    }
    free(t->ch);
    free(t->sent);
    free(t->taken);
    free(t->label);
    free(t->line);
    free(t);
}

const char *kit_trace_last(void)
{
    return last_text ? last_text : "";
}

void kit_trace_forget(void)
{
    free(last_text);
    last_text = NULL;
}
