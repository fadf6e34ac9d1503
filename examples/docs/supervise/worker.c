#include <inttypes.h>
#include <stdio.h>
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

/* The work. 33 is a poison value: it fails the actor, as a bug would, each time the actor
 * meets it. */
static uint64_t process(uint64_t v)
{
    STEADY_ASSERT(v != 33); /* the failure leaves the value at the head of the input */
    return v * 2;
}

typedef struct worker_io {
    u64ch_rx in;
    u64ch_tx out;
    u64ch_tx dead;
} worker_io;

static int worker(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    uint64_t *done = steady_actor_state(a); /* survives restarts */
    if (steady_actor_regeneration(a) > 0)
        STEADY_INFO("restart #%u after %" PRIu64 " values", steady_actor_regeneration(a), *done);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(u64ch_tx_close(io->out)) &&
                                 STEADY_I(u64ch_tx_close(io->dead)))) {
        steady_wake w = steady_wait_all(a, STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        if (w.reason == STEADY_CLOSED)
            break; /* input closed and drained, or the consumer gone: CLOSED is final */
        if (w.reason != STEADY_READY)
            continue; /* SHUTDOWN: the loop condition evaluates the veto */
        uint64_t v;
        u64ch_rx_try_peek(io->in, &v);          /* READY: a value, and room for its result */
        u64ch_tx_try_send(io->out, process(v)); /* process runs first: a failure sends nothing */
        u64ch_rx_try_take(io->in, &v);          /* the commit: nothing between it and the
                                                   send can fail, so each value goes out once */
        (*done)++;
    }
    return 0; /* closes out and dead: their consumers drain them and see CLOSED */
}

/* While building (main); io->dead's receiving end goes to a "dead-letters" actor. */
static steady_err spawn_worker(steady_graph *g, worker_io *io, steady_actor **out)
{
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 5; /* 5, 10, 20, 40, 80, 100, 100 ... ms, +-20 % */
    p.backoff_ceiling_ms = 100;
    p.max_restarts = 10; /* within 1 s: reachable with these backoffs */
    p.period_ms = 1000;
    p.escalation = STEADY_ESCALATE_SHUTDOWN_GRAPH;
    steady_err e = u64ch_rx_set_showstopper(io->in, 3, io->dead);
    if (e != STEADY_OK)
        return e;
    return steady_actor_spawn(
        g,
        &(steady_actor_opts){.name = "worker",
                             .run = worker,
                             .arg = io,
                             .rxs = STEADY_RXS(io->in),
                             .txs = STEADY_TXS(io->out, io->dead), /* the dead letter too */
                             .policy = &p,
                             .state_size = sizeof(uint64_t)},
        out);
}

/* After steady_graph_block_until_stopped: */
static void print_worker(const steady_actor *w, const steady_channel *in)
{
    printf("worker: %u failures, %u restarts%s; showstoppers %" PRIu64 " (dropped %" PRIu64 ")\n",
           steady_actor_failures(w), steady_actor_restarts(w),
           steady_actor_stopped_for_good(w) ? ", stopped for good" : "",
           steady_channel_showstoppers(in), steady_channel_showstoppers_dropped(in));
}

/* The rest of this file (examples/docs/supervise/worker.c) feeds 0, 1, 2, ... into "in", reads
 * "out" and "dead", and checks every count. */
#include <string.h>

#define VALUES 100

typedef struct results {
    uint64_t sum, count;   /* of the values read on "out" */
    uint64_t dead, n_dead; /* the last dead letter, and how many */
} results;

static int source(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    for (uint64_t v = 0; v < VALUES && STEADY_RUNNING(a, true);)
        if (steady_wait_vacant(a, *out, 1) == STEADY_READY &&
            u64ch_tx_try_send(*out, v) == STEADY_OK)
            v++;
    return 0; /* closes "in": the worker drains it, then sees CLOSED */
}

/* Reads its input until it is closed and drained, adding each value to *sum. */
static int reader(steady_actor *a, u64ch_rx in, uint64_t *sum, uint64_t *count, uint64_t *last)
{
    uint64_t v;
    while (steady_wait_avail(a, in, 1) == STEADY_READY)
        while (u64ch_rx_try_take(in, &v) == STEADY_OK) {
            *sum += v;
            *last = v;
            (*count)++;
        }
    return 0;
}

typedef struct sink_io {
    u64ch_rx in;
    results *r;
} sink_io;

static int sink(steady_actor *a, void *arg)
{
    sink_io *io = arg;
    uint64_t last;
    return reader(a, io->in, &io->r->sum, &io->r->count, &last);
}

static int dead_letters(steady_actor *a, void *arg)
{
    sink_io *io = arg;
    uint64_t sum = 0;
    return reader(a, io->in, &sum, &io->r->n_dead, &io->r->dead);
}

/* The log lines the page quotes, counted as they pass on to stderr. */
static unsigned failed_lines, moved_lines;

static void log_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    char text[1024]; /* line is not NUL-terminated: len says where it ends */
    snprintf(text, sizeof text, "%.*s", (int)len, line);
    if (strstr(text, "actor 'worker' failed (regeneration ") &&
        strstr(text, "): assertion failed: worker.c:11: v != 33"))
        failed_lines++;
    if (strstr(text, "actor 'worker': message #33 of 'in' was the head when 3 generations "
                     "failed; moved to dead letter 'dead'"))
        moved_lines++;
    fprintf(stderr, "%s\n", text);
}

int main(void)
{
    steady_log_set_sink(log_sink, NULL);
    steady_graph *g;
    worker_io io;
    u64ch_tx in;
    results r = {0};
    sink_io out = {.r = &r}, dead = {.r = &r};
    steady_actor *w;
    if (steady_graph_new(&g, NULL) != STEADY_OK || u64ch_new(g, "in", 8, &in, &io.in) ||
        u64ch_new(g, "out", 8, &io.out, &out.in) || u64ch_new(g, "dead", 4, &io.dead, &dead.in) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "source", .run = source, .arg = &in, .txs = STEADY_TXS(in)},
                           NULL) ||
        spawn_worker(g, &io, &w) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "sink", .run = sink, .arg = &out, .rxs = STEADY_RXS(out.in)},
                           NULL) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "dead-letters",
                                                .run = dead_letters,
                                                .arg = &dead,
                                                .rxs = STEADY_RXS(dead.in)},
                           NULL) ||
        steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    print_worker(w, u64ch_rx_channel(io.in));
    /* 0..99 doubled, without the poison */
    uint64_t want = VALUES * (VALUES - 1) - 2 * 33;
    int ok = e == STEADY_OK && steady_actor_failures(w) == 3 && steady_actor_restarts(w) == 3 &&
             !steady_actor_stopped_for_good(w) &&
             steady_channel_showstoppers(u64ch_rx_channel(io.in)) == 1 &&
             steady_channel_showstoppers_dropped(u64ch_rx_channel(io.in)) == 0 &&
             r.count == VALUES - 1 && r.sum == want && r.n_dead == 1 && r.dead == 33 &&
             failed_lines == 3 && moved_lines == 1;
    printf("%s: %" PRIu64 " results (sum %" PRIu64 ", want %" PRIu64 "), dead letters %" PRIu64
           " (%" PRIu64 ")\n",
           ok ? "ok" : "WRONG", r.count, r.sum, want, r.n_dead, r.dead);
    steady_graph_free(g);
    return ok ? 0 : 1;
}
