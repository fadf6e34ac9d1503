/* testing/kit.h — what the parts of libsteady-testing share: the objects the kit made for each
 * graph (freed with it), and the failure message of the calling thread. Private. */
#ifndef STEADY_TESTING_KIT_H
#define STEADY_TESTING_KIT_H

#include <stdarg.h>

#include "steady/actor.h"
#include "steady/testing.h"

/* Registers p (malloc'd, freed by free_fn) to be freed with g by steady_test_graph_free. False:
 * out of memory (p is not registered). Test thread. */
bool kit_own(steady_graph *g, void *p, void (*free_fn)(void *));

/* A drain's element size and its channel's name (for messages). */
size_t kit_drain_size(const steady_test_drain *d);
/* Whether two elements are equal for the drain's expectations (its compare, or memcmp). */
bool kit_drain_same(const steady_test_drain *d, const void *a, const void *b);
const char *kit_drain_name(const steady_test_drain *d);

/* The first object registered for g with free_fn, or NULL. Test thread. */
void *kit_find(steady_graph *g, void (*free_fn)(void *));

/* An element as text: fmt, or an unsigned decimal (1, 2, 4, 8 bytes), or hex (expect.c). */
void kit_show(char *buf, size_t cap, const void *elem, size_t size, steady_test_fmt fmt);

/* The stage manager (stage.c): made before the graph (its hook goes into the graph's hooks),
 * owned by the graph once made. */
typedef struct kit_stage kit_stage;
kit_stage *kit_stage_new(const char *const *names);
bool kit_stage_own(steady_graph *g, kit_stage *st);
void kit_stage_free(kit_stage *st);
steady_err kit_stage_hook(void *ctx, steady_actor_opts *o);

/* Virtual time (vtime.c): made before the graph (its clock goes into the graph's options),
 * owned by the graph once made. */
typedef struct kit_clock kit_clock;
kit_clock *kit_clock_new(steady_clock *out);
bool kit_clock_own(steady_graph *g, kit_clock *c);
void kit_clock_free(kit_clock *c);

/* Deterministic runs (seed.c): the seed to use (STEADY_TEST_SEED wins), the seeded scheduler
 * made before the graph and owned by it once made, and this thread's current seed. */
typedef struct kit_seed kit_seed;
uint64_t kit_seed_wanted(uint64_t seed);
kit_seed *kit_seed_new(uint64_t seed, steady_sched *out);
bool kit_seed_own(steady_graph *g, kit_seed *s);
void kit_seed_free(kit_seed *s);
uint64_t kit_current_seed(void);

/* The seed parsed from text (a positive decimal); false when it is not one. */
bool kit_parse_seed(const char *text, uint64_t *out);
/* The trace's text of the seed's steps before the graph is freed (only once it stopped: the
 * troupe's thread wrote them; the join orders them). Test thread. */
void kit_seed_finish(steady_graph *g);
/* The schedule a seed draws, in words (as snprintf). */
int kit_seed_schedule(uint64_t seed, char *buf, size_t cap);

/* The trace of a deterministic run's last steps (trace.c): made with the seed, attached to the
 * graph once made, stepped by the scheduler on the graph's thread, finished and freed on the
 * test's thread; the text of the last one finished or freed stays for this thread's search. */
typedef struct kit_trace kit_trace;
kit_trace *kit_trace_new(unsigned keep);
void kit_trace_attach(kit_trace *t, steady_graph *g);
void kit_trace_step(kit_trace *t, size_t member);
void kit_trace_finish(kit_trace *t, uint64_t seed);
void kit_trace_free(kit_trace *t, uint64_t seed);
const char *kit_trace_last(void);
void kit_trace_forget(void);

/* The steps a trace keeps: what this thread's search asked for, else the default (search.c). */
unsigned kit_search_trace_steps(void);
/* Traces finished or freed on this thread so far (trace.c): a search knows by it whether its
 * body made a seeded graph. */
uint64_t kit_trace_count(void);

/* Clears this thread's failure message. */
void kit_clear_failure(void);
/* Sets this thread's failure message (printf format), prints it to stderr, returns false. */
bool kit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
