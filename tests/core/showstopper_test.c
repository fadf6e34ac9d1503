/* showstopper_test.c — peek before commit across restarts, exactly once with the transactional
 * commit, showstopper counting (per failed generation, not per peek), and what the supervisor
 * does with a showstopper: move it to a dead letter, or drop it, with a log line and counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <steady/steady.h>

#include "steady_test_support.h"

#define N 100

STEADY_CHANNEL_TYPE(u8ch, uint8_t);
#define MAX_GENS 16

/* feeder (pre-filled input) -> worker -> sink, and optionally worker -> dead letter -> morgue. */
typedef struct line {
    u64ch_tx feed;
    u64ch_rx in;
    u64ch_tx out;
    u64ch_rx sink_in;
    u64ch_tx dead;
    u64ch_rx morgue_in;
    bool has_dead;
    bool morgue_holds; /* the morgue takes nothing before shutdown (its channel stays full) */
    uint64_t poison;   /* the worker fails whenever it peeks this value (UINT64_MAX: none) */
    int fail_once_at;  /* fails once when it peeks this value (-1: never) */
    bool poke_garbage; /* on that failure, first write garbage in place, unpublished */
    bool check_itself; /* the worker drops a showstopper (k 3) itself */
    int repeeks;       /* peeks the head this many extra times before failing */
    uint32_t seen_count[MAX_GENS]; /* showstopper_count at each generation's first peek */
    bool seen_is[MAX_GENS];        /* is_showstopper(in, 3) then */
    uint64_t got[N + 8];
    _Atomic uint64_t n_got;
    uint64_t morgue[8];
    _Atomic uint64_t n_morgue;
} line;

typedef struct worker_state {
    int gens;
    bool failed_once;
} worker_state;

static void record_first_peek(line *l, steady_actor *a, int gen, bool *recorded)
{
    if (*recorded || gen >= MAX_GENS)
        return;
    *recorded = true;
    l->seen_count[gen] = steady_rx_showstopper_count(l->in.raw);
    l->seen_is[gen] = steady_rx_is_showstopper(l->in.raw, 3);
    (void)a;
}

static void fail_here(line *l, worker_state *st)
{
    if (l->poke_garbage) {
        steady_span s = steady_tx_poke_slice(l->out.raw);
        for (size_t i = 0; i < s.a_len; i++)
            ((uint64_t *)s.a)[i] = 999999;
    }
    steady_panic("poisoned by generation %d", st->gens - 1);
}

/* Peek, send, take: the message leaves its input only after its output is out. */
static int worker_run(steady_actor *a, void *arg)
{
    line *l = arg;
    worker_state *st = steady_actor_state(a);
    int gen = st->gens++;
    bool recorded = false;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(l->in)) &&
                                 u64ch_tx_close(l->out))) {
        steady_wait_all(a, STEADY_AVAIL(l->in, 1), STEADY_VACANT(l->out, 1));
        uint64_t v;
        if (u64ch_rx_try_peek(l->in, &v) != STEADY_OK || u64ch_tx_vacant(l->out) == 0)
            continue;
        record_first_peek(l, a, gen, &recorded);
        if (l->check_itself && steady_rx_is_showstopper(l->in.raw, 3)) {
            EXPECT(u64ch_rx_try_take(l->in, &v) == STEADY_OK); /* set it aside ourselves */
            continue;
        }
        for (int i = 0; i < l->repeeks; i++)
            EXPECT(u64ch_rx_try_peek(l->in, &v) == STEADY_OK);
        if (v == l->poison)
            fail_here(l, st);
        if ((int)v == l->fail_once_at && !st->failed_once) {
            st->failed_once = true;
            fail_here(l, st);
        }
        EXPECT(u64ch_tx_try_send(l->out, v) == STEADY_OK);
        EXPECT(u64ch_rx_try_take(l->in, &v) == STEADY_OK);
    }
    return 0;
}

static int collect(steady_actor *a, u64ch_rx rx, uint64_t *into, _Atomic uint64_t *n, size_t cap)
{
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(rx)))) {
        steady_wait_avail(a, rx, 1);
        uint64_t v;
        while (u64ch_rx_try_take(rx, &v) == STEADY_OK) {
            uint64_t k = atomic_load(n);
            if (k < cap)
                into[k] = v;
            atomic_store(n, k + 1);
        }
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    line *l = arg;
    return collect(a, l->sink_in, l->got, &l->n_got, N + 8);
}

static int morgue_run(steady_actor *a, void *arg)
{
    line *l = arg;
    if (l->morgue_holds)
        steady_wait_shutdown(a);
    return collect(a, l->morgue_in, l->morgue, &l->n_morgue, 8);
}

static int feeder_run(steady_actor *a, void *arg)
{
    line *l = arg;
    while (STEADY_RUNNING(a, u64ch_tx_close(l->feed)))
        steady_wait_shutdown(a);
    return 0;
}

/* Builds the line with values 0..N-1 already in the input; returns the worker. */
static steady_actor *build_line(steady_graph *g, line *l, uint64_t dead_capacity)
{
    assert_int_equal(u64ch_new(g, "input", N, &l->feed, &l->in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "output", N + 8, &l->out, &l->sink_in), STEADY_OK);
    for (uint64_t v = 0; v < N; v++)
        assert_int_equal(u64ch_tx_try_send(l->feed, v), STEADY_OK);
    if (l->has_dead)
        assert_int_equal(u64ch_new(g, "dead-letters", dead_capacity, &l->dead, &l->morgue_in),
                         STEADY_OK);
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    steady_actor *w = NULL;
    steady_actor_opts wo = {.name = "worker",
                            .run = worker_run,
                            .arg = l,
                            .rxs = STEADY_RXS(l->in),
                            .txs = l->has_dead ? STEADY_TXS(l->out, l->dead) : STEADY_TXS(l->out),
                            .policy = &p,
                            .state_size = sizeof(worker_state)};
    assert_int_equal(steady_actor_spawn(g, &wo, &w), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "feeder",
                                                             .run = feeder_run,
                                                             .arg = l,
                                                             .txs = STEADY_TXS(l->feed)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sink",
                                                             .run = sink_run,
                                                             .arg = l,
                                                             .rxs = STEADY_RXS(l->sink_in)},
                                        NULL),
                     STEADY_OK);
    if (l->has_dead)
        assert_int_equal(steady_actor_spawn(g,
                                            &(steady_actor_opts){.name = "morgue",
                                                                 .run = morgue_run,
                                                                 .arg = l,
                                                                 .rxs = STEADY_RXS(l->morgue_in)},
                                            NULL),
                         STEADY_OK);
    return w;
}

/* Runs until the sink has `want` values, then stops the graph cleanly. */
/* Runs until the sink has `want` messages, stops, and checks the stop said `stop`. */
static void run_line_to(steady_graph *g, line *l, uint64_t want, steady_err stop)
{
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (atomic_load(&l->n_got) < want && ms_since(t0) < 5000)
        sleep_ms(1);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), stop);
    assert_no_failed_expectation();
}

static void run_line(steady_graph *g, line *l, uint64_t want)
{
    run_line_to(g, l, want, STEADY_OK);
}

/* The sink got 0..N-1 in order, each once, except `skip` (UINT64_MAX: none). */
static void assert_all_but(const line *l, uint64_t skip)
{
    uint64_t want = 0, n = atomic_load(&l->n_got);
    assert_int_equal(n, skip == UINT64_MAX ? N : N - 1);
    for (uint64_t i = 0; i < n; i++, want++) {
        if (want == skip)
            want++;
        if (l->got[i] != want)
            fail_msg("sink got %llu at position %llu, expected %llu", (unsigned long long)l->got[i],
                     (unsigned long long)i, (unsigned long long)want);
    }
}

static line *new_line(void)
{
    static line l;
    memset(&l, 0, sizeof l);
    l.poison = UINT64_MAX;
    l.fail_once_at = -1;
    return &l;
}

/* ---- peek before commit ---- */

static void a_message_peeked_before_a_failure_is_at_the_head_again(void **state)
{
    (void)state;
    expect_reset();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("peek");
    line *l = new_line();
    l->fail_once_at = 37;
    steady_actor *w = build_line(g, l, 0);
    run_line(g, l, N);
    steady_log_set_level(STEADY_LOG_WARN);
    assert_all_but(l, UINT64_MAX); /* 37 was processed, once, by the next generation */
    assert_int_equal(steady_actor_failures(w), 1);
    steady_graph_free(g);
}

static void outputs_written_in_place_but_not_published_are_discarded(void **state)
{
    (void)state;
    expect_reset();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("poke");
    line *l = new_line();
    l->fail_once_at = 10;
    l->poke_garbage = true;
    build_line(g, l, 0);
    run_line(g, l, N);
    steady_log_set_level(STEADY_LOG_WARN);
    assert_all_but(l, UINT64_MAX); /* no 999999 anywhere */
    steady_graph_free(g);
}

/* ---- exactly once with the transactional commit ---- */

typedef struct mapper_io {
    u64ch_rx in;
    u64ch_tx out;
    steady_actor *self;
    uint64_t *fail_at; /* values on which to fail once each; the state block holds the cursor */
    size_t n_fail;
} mapper_io;

/* Doubles each value; fails mid-batch (after writing part of the outputs) once per fail_at. */
static void double_or_fail(void *ctx, const void *src, void *dst, size_t n)
{
    mapper_io *io = ctx;
    size_t *cursor = steady_actor_state(io->self);
    const uint64_t *s = src;
    uint64_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        if (*cursor < io->n_fail && s[i] == io->fail_at[*cursor]) {
            (*cursor)++;
            steady_panic("injected at %llu", (unsigned long long)s[i]);
        }
        d[i] = s[i] * 2;
    }
}

static int mapper_run(steady_actor *a, void *arg)
{
    mapper_io *io = arg;
    io->self = a;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 u64ch_tx_close(io->out))) {
        steady_wait_all(a, STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        steady_map(io->in.raw, io->out.raw, 7, double_or_fail, io);
    }
    return 0;
}

typedef struct counter_io {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t total, next_expected, bad;
    _Atomic uint64_t received;
} counter_io;

static int source_run(steady_actor *a, void *arg)
{
    counter_io *c = arg;
    uint64_t *next = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(*next == c->total) && u64ch_tx_close(c->out))) {
        steady_wait_any(a, STEADY_VACANT(c->out, 1), STEADY_TIMEOUT(1000000));
        while (*next < c->total && u64ch_tx_try_send(c->out, *next) == STEADY_OK)
            (*next)++;
    }
    return 0;
}

static int checker_run(steady_actor *a, void *arg)
{
    counter_io *c = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(c->in)))) {
        steady_wait_avail(a, c->in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(c->in, &v) == STEADY_OK) {
            c->bad += v != c->next_expected * 2;
            c->next_expected++;
            atomic_fetch_add(&c->received, 1);
        }
    }
    return 0;
}

static void failures_inside_a_batch_before_the_commit_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    expect_reset();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("exactly-once");
    uint64_t fail_at[] = {0, 5, 6, 300, 301, 4095, 9999, 10000, 20000, 29999};
    mapper_io m = {.fail_at = fail_at, .n_fail = sizeof fail_at / sizeof fail_at[0]};
    counter_io c = {.total = 30000};
    assert_int_equal(u64ch_new(g, "src->map", 64, &c.out, &m.in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "map->chk", 50, &m.out, &c.in), STEADY_OK);
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_OK);
    steady_actor *mapper = NULL;
    const steady_actor_opts actors[] = {
        {.name = "source",
         .run = source_run,
         .arg = &c,
         .txs = STEADY_TXS(c.out),
         .troupe = t,
         .state_size = sizeof(uint64_t)},
        {.name = "mapper",
         .run = mapper_run,
         .arg = &m,
         .rxs = STEADY_RXS(m.in),
         .txs = STEADY_TXS(m.out),
         .troupe = t,
         .policy = &p,
         .state_size = sizeof(size_t)},
        {.name = "checker", .run = checker_run, .arg = &c, .rxs = STEADY_RXS(c.in)},
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &actors[i], i == 1 ? &mapper : NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (atomic_load(&c.received) < c.total && ms_since(t0) < 10000)
        sleep_ms(1);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_log_set_level(STEADY_LOG_WARN);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&c.received), c.total);
    assert_int_equal(c.bad, 0);
    assert_int_equal(steady_actor_failures(mapper), m.n_fail);
    steady_graph_free(g);
}

/* ---- counting showstoppers ---- */

static void the_count_grows_once_per_failed_generation_not_per_peek(void **state)
{
    (void)state;
    expect_reset();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("count");
    line *l = new_line();
    l->poison = 7;
    l->repeeks = 10; /* re-peeking within one generation is not a failure */
    l->check_itself = true;
    steady_actor *w = build_line(g, l, 0);
    run_line(g, l, N - 1);
    steady_log_set_level(STEADY_LOG_WARN);
    assert_all_but(l, 7);
    /* Generation 0 peeked 0 first (count 0); generations 1..3 each started on 7. */
    const uint32_t want[] = {0, 1, 2, 3};
    for (int gen = 0; gen < 4; gen++) {
        assert_int_equal(l->seen_count[gen], want[gen]);
        assert_int_equal(l->seen_is[gen], gen == 3);
    }
    assert_int_equal(steady_actor_failures(w), 3);
    steady_graph_free(g);
}

/* ---- the supervisor sets showstoppers aside ---- */

static void a_showstopper_is_moved_to_the_dead_letter_before_the_restart(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_graph *g = new_graph("dead-letter");
    line *l = new_line();
    l->poison = 42;
    l->has_dead = true;
    steady_actor *w = build_line(g, l, 4);
    assert_int_equal(steady_rx_set_showstopper(l->in.raw, 3, l->dead.raw), STEADY_OK);
    run_line(g, l, N - 1);
    capture_stop();
    assert_all_but(l, 42);
    assert_int_equal(atomic_load(&l->n_morgue), 1);
    assert_int_equal(l->morgue[0], 42);
    assert_int_equal(steady_actor_failures(w), 3);
    steady_channel *in = steady_rx_channel(l->in.raw);
    assert_int_equal(steady_channel_showstoppers(in), 1);
    assert_int_equal(steady_channel_showstoppers_dropped(in), 0);
    if (!strstr(captured, "message #42 of 'input' was the head when 3 generations failed; moved "
                          "to dead letter 'dead-letters'"))
        fail_msg("no dead-letter line: %s", captured);
    steady_graph_free(g);
}

static void without_a_dead_letter_a_showstopper_is_dropped_and_counted(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_graph *g = new_graph("drop");
    line *l = new_line();
    l->poison = 0; /* the very first message */
    steady_actor *w = build_line(g, l, 0);
    assert_int_equal(steady_rx_set_showstopper(l->in.raw, 2, NULL), STEADY_OK);
    run_line(g, l, N - 1);
    capture_stop();
    assert_all_but(l, 0);
    assert_int_equal(steady_actor_failures(w), 2);
    assert_int_equal(steady_channel_showstoppers_dropped(steady_rx_channel(l->in.raw)), 1);
    /* Dropped by design: the stop is clean, and its report says what went. */
    char report[2048];
    steady_graph_report(g, report, sizeof report);
    if (!strstr(report, "stopped cleanly") ||
        !strstr(report, "channel 'input': 1 showstopper dropped (no dead letter configured)"))
        fail_msg("report: %s", report);
    if (!strstr(captured, "dropped (no dead letter configured)"))
        fail_msg("no drop line: %s", captured);
    steady_graph_free(g);
}

static void a_full_dead_letter_drops_the_showstopper_with_a_log_line(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_graph *g = new_graph("full");
    line *l = new_line();
    l->poison = 3;
    l->has_dead = true;
    l->morgue_holds = true;
    build_line(g, l, 1);
    assert_int_equal(u64ch_tx_try_send(l->dead, 12345), STEADY_OK); /* fills it before start */
    assert_int_equal(steady_rx_set_showstopper(l->in.raw, 2, l->dead.raw), STEADY_OK);
    /* Regression: this stop said "cleanly" although a message meant for the dead letter was
     * lost: it is degraded, and the report names the channel and the fix. */
    run_line_to(g, l, N - 1, STEADY_EDEGRADED);
    capture_stop();
    assert_last_error_mentions("stopped degraded: showstoppers lost on 1 channel",
                               "channel 'input': 1 showstopper lost: its dead letter "
                               "'dead-letters' was full or closed",
                               NULL);
    if (!strstr(captured, "ERROR") || !strstr(captured, "1 showstopper lost"))
        fail_msg("the loss was not logged at ERROR: %s", captured);
    assert_all_but(l, 3);
    steady_channel *in = steady_rx_channel(l->in.raw);
    assert_int_equal(steady_channel_showstoppers(in), 1);
    assert_int_equal(steady_channel_showstoppers_dropped(in), 1);
    assert_int_equal(atomic_load(&l->n_morgue), 1); /* only the filler */
    assert_int_equal(l->morgue[0], 12345);
    if (!strstr(captured, "dropped (its dead letter is full or closed)"))
        fail_msg("dropped without saying why: %s", captured);
    steady_graph_free(g);
}

/* ---- configuration errors ---- */

static void showstopper_settings_are_checked(void **state)
{
    (void)state;
    steady_graph *g = new_graph("settings");
    u64ch_tx tx, other_tx;
    u64ch_rx rx, other_rx;
    u8ch_tx small_tx;
    u8ch_rx small_rx;
    assert_int_equal(u64ch_new(g, "in", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(u64ch_new(g, "dl", 4, &other_tx, &other_rx), STEADY_OK);
    assert_int_equal(u8ch_new(g, "bytes", 4, &small_tx, &small_rx), STEADY_OK);
    assert_int_equal(steady_rx_set_showstopper(rx.raw, 1, NULL), STEADY_EINVAL);
    assert_last_error_mentions("'in'", "k >= 2", NULL);
    assert_int_equal(steady_rx_set_showstopper(rx.raw, 3, small_tx.raw), STEADY_EINVAL);
    assert_last_error_mentions("'bytes'", "same element type", NULL);
    assert_int_equal(steady_rx_set_showstopper(rx.raw, 3, tx.raw), STEADY_EINVAL);
    assert_last_error_mentions("its own dead letter", NULL);
    /* The dead letter must be sent on by the input's own consumer. */
    assert_int_equal(steady_rx_set_showstopper(rx.raw, 3, other_tx.raw), STEADY_OK);
    assert_int_equal(spawn_with(g, "consumer", NULL, STEADY_RXS(rx), NULL, NULL), STEADY_OK);
    assert_int_equal(spawn_with(g, "stranger", STEADY_TXS(tx, other_tx, small_tx),
                                STEADY_RXS(other_rx, small_rx), NULL, NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_EINVAL);
    assert_last_error_mentions("'in'", "'dl'", "'consumer'", "txs", NULL);
    steady_graph_free(g);
}

static int asks_with_k1(steady_actor *a, void *arg)
{
    u64ch_rx *rx = arg;
    steady_rx_is_showstopper(rx->raw, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void asking_is_showstopper_with_k_below_2_fails_the_actor(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph_no_restart("k1");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "in", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn_with(g, "producer", STEADY_TXS(tx), NULL, NULL, NULL), STEADY_OK);
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "asker",
                                                             .run = asks_with_k1,
                                                             .arg = &rx,
                                                             .rxs = STEADY_RXS(rx)},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED);
    capture_stop();
    assert_int_equal(steady_actor_failures(a), 1);
    if (!strstr(captured, "k >= 2"))
        fail_msg("no reason logged: %s", captured);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_message_peeked_before_a_failure_is_at_the_head_again),
        cmocka_unit_test(outputs_written_in_place_but_not_published_are_discarded),
        cmocka_unit_test(failures_inside_a_batch_before_the_commit_lose_and_duplicate_nothing),
        cmocka_unit_test(the_count_grows_once_per_failed_generation_not_per_peek),
        cmocka_unit_test(a_showstopper_is_moved_to_the_dead_letter_before_the_restart),
        cmocka_unit_test(without_a_dead_letter_a_showstopper_is_dropped_and_counted),
        cmocka_unit_test(a_full_dead_letter_drops_the_showstopper_with_a_log_line),
        cmocka_unit_test(showstopper_settings_are_checked),
        cmocka_unit_test(asking_is_showstopper_with_k_below_2_fails_the_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
