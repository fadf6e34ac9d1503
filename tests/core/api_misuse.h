/*
 * api_misuse.h: the table of api_misuse_test.c (one row per public function) and the fixtures
 * its rows share. The rows are in api_misuse_graph.c (the process and the graph as a whole:
 * errors, the allocator, the clock, graphs, logs), api_misuse_build.c (building: troupes,
 * actors, bundles, channels' creation and queries), api_misuse_run.c (running: channel
 * operations and waits) api_misuse_actor.c (an actor's own work: batches and commits,
 * supervision, arenas) api_misuse_sendwait.c (waiting send and take, the typed layer) and
 * api_misuse_stream.c (stream channels), api_misuse_tee.c (tees) and api_misuse_ipc.c (channels
 * between processes).
 */
#ifndef STEADY_API_MISUSE_H
#define STEADY_API_MISUSE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* A row: the name of an exported symbol (nm -D of libsteady.so), public inline function or
 * macro, and the test of its misuses. api_symbols_test.sh checks the names against the library
 * and the headers. */
typedef struct api_row {
    const char *name;
    void (*test)(void **state);
} api_row;

#define ROW(fn)                                                                                    \
    {                                                                                              \
#fn, row_##fn                                                                              \
    }

extern const api_row api_graph_rows[];
extern const size_t api_n_graph_rows;
extern const api_row api_build_rows[];
extern const size_t api_n_build_rows;
extern const api_row api_run_rows[];
extern const size_t api_n_run_rows;
extern const api_row api_actor_rows[];
extern const size_t api_n_actor_rows;
extern const api_row api_wait_rows[];
extern const size_t api_n_wait_rows;
extern const api_row api_stream_rows[];
extern const size_t api_n_stream_rows;
extern const api_row api_tee_rows[];
extern const size_t api_n_tee_rows;
extern const api_row api_ipc_rows[];
extern const size_t api_n_ipc_rows;

/* White box: forget the calling thread's detail, so a check reads the one its own call wrote. */
void steady__clear_error(void);

/* Asserts that `call` returns `code` and leaves a detail mentioning `frag` (NULL: no check). */
#define EXPECT_ERR(call, code, frag)                                                               \
    do {                                                                                           \
        steady__clear_error();                                                                     \
        expect_err_at(__FILE__, __LINE__, #call, (int)(call), (int)(code), (frag));                \
    } while (0)
/* Runs `call` (its value is checked by the caller) and asserts the detail mentions `frag`. */
#define EXPECT_DETAIL(call, frag)                                                                  \
    do {                                                                                           \
        steady__clear_error();                                                                     \
        (void)(call);                                                                              \
        expect_text_at(__FILE__, __LINE__, #call, steady_last_error(), (frag));                    \
    } while (0)
/* Asserts that `text` (a failure reason, a note) mentions `frag`. */
#define EXPECT_TEXT(text, frag) expect_text_at(__FILE__, __LINE__, #text, (text), (frag))

void expect_err_at(const char *file, int line, const char *call, int got, int want,
                   const char *frag);
void expect_text_at(const char *file, int line, const char *what, const char *text,
                    const char *frag);

/* ---- the fixture graph ----------------------------------------------------------------------
 * Actor "probe" owns channel "mine" (both ends) and bundle "lanes" (both bundle ends, 2 lanes);
 * actor "other" owns channel "theirs" (both ends) and waits for the shutdown. The graph never
 * restarts an actor: the first failure stops it for good and shuts the graph down. */

typedef struct fx fx;
/* A misuse run inside the probe. Returns a note when it returns (the misuse did not fail it). */
typedef const char *(*body_fn)(steady_actor *a, fx *f);

struct fx {
    steady_graph *g;
    u64ch_tx tx; /* "mine", the probe's */
    u64ch_rx rx;
    u64ch_tx otx; /* "theirs", the other actor's */
    u64ch_rx orx;
    steady_tx_bundle *txb; /* "lanes", the probe's */
    steady_rx_bundle *rxb;
    steady_actor *probe, *other;
    body_fn body; /* NULL: the probe only waits for the shutdown */
    char note[256];
};

/* Builds the fixture (BUILDING); starts it; asks for the stop and returns its result. */
void fx_make(fx *f, body_fn body);
void fx_start(fx *f);
steady_err fx_stop(fx *f);

/* Runs body in the probe of a fresh fixture and returns the probe's failure reason, or the
 * body's note when it did not fail. The text stays valid until the next call. */
const char *in_actor(body_fn body);

/* ---- one operation on an end, checked the same way ------------------------------------------
 * `call` makes the operation on `end` (a steady_tx * or steady_rx *, as the operation takes) and
 * returns what it gave that a refused call must not give (a count, a span's length, a false
 * close...): 0. check_end_call(op, rx, call, flags) checks, with `op` the operation's name in
 * the detail: a NULL end and an end of the other kind from a plain thread of a graph never
 * started (STEADY_EINVAL's detail); the probe's end from main while the graph runs
 * (STEADY_ENOTOWNER's) and, with AFTER_STOP, after the stop (its owner closed it:
 * STEADY_ECLOSED's); inside the probe a NULL end, the other kind, the other actor's end and,
 * with AFTER_CLOSE, its own end after closing it (each fails the probe). */
typedef uint64_t (*end_call)(void *end);
enum { AFTER_CLOSE = 1, AFTER_STOP = 2 };
void check_end_call(const char *op, bool rx, end_call call, unsigned flags);

/* Runs fn in a forked child and returns its wait status; the child's stderr goes to `err`
 * (cap bytes, NUL-terminated). For the calls that end the process by design. */
int in_child(void (*fn)(void), char *err, size_t cap);

#endif
