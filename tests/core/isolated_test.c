/* isolated_test.c — the ISOLATED placement: an actor in a child process over the graph's shared
 * memory survives native crashes (a real SIGSEGV, SIGKILL, abort) with nothing lost; its log
 * lines reach the parent's sink; a hung child is killed after the vote; nothing remains after
 * steady_graph_free (no child process, no mapping).
 *
 * Sanitizers: the children are forked, so they inherit the sanitizer's signal handling. A real
 * SIGSEGV in a child must kill it, not make the sanitizer print a report and exit 1: ctest runs
 * this program with handle_segv=0 / handle_abort=0 (tests/core/CMakeLists.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

#define N 2000

typedef enum crash_how { CRASH_SEGV, CRASH_KILL, CRASH_ABORT, CRASH_NONE } crash_how;

typedef struct line {
    u64ch_tx out;
    u64ch_rx in;
    crash_how how;
    uint64_t crash_at[3]; /* sent totals at which the producer dies (once each) */
    uint64_t sum;
    _Atomic uint64_t received;
    uint64_t dup_or_gap;
} line;

typedef struct producer_state {
    uint32_t crashes;
    uint32_t starts;
} producer_state;

/* UBSan would report the null write and exit instead: it must stay a real fault. */
__attribute__((no_sanitize("undefined"))) static void die(crash_how how)
{
    switch (how) {
    case CRASH_SEGV: {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1; /* a real null write */
        break;
    }
    case CRASH_KILL: kill(getpid(), SIGKILL); break;
    case CRASH_ABORT: abort();
    case CRASH_NONE: break;
    }
}

/* Derives its next value from the channel's sent total, so a crash anywhere loses and repeats
 * nothing. */
static int producer_run(steady_actor *a, void *arg)
{
    line *l = arg;
    producer_state *st = steady_actor_state(a);
    st->starts++;
    STEADY_INFO("producer starting in pid %d (start %u)", (int)getpid(), st->starts);
    steady_channel *ch = steady_tx_channel(l->out.raw);
    while (
        STEADY_RUNNING(a, STEADY_I(steady_channel_sent_total(ch) == N) && u64ch_tx_close(l->out))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next == N) {
            steady_wait_shutdown(a);
            continue;
        }
        if (st->crashes < 3 && next == l->crash_at[st->crashes]) {
            st->crashes++;
            die(l->how);
        }
        if (u64ch_tx_try_send(l->out, next) != STEADY_OK)
            steady_wait_vacant(a, l->out, 1);
    }
    return 0;
}

static int consumer_run(steady_actor *a, void *arg)
{
    line *l = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(l->in)))) {
        steady_wait_avail(a, l->in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(l->in, &v) == STEADY_OK) {
            l->dup_or_gap += v != atomic_load(&l->received);
            l->sum += v;
            if (atomic_fetch_add(&l->received, 1) + 1 == N)
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static steady_actor *build(steady_graph *g, line *l, const steady_policy *p)
{
    assert_int_equal(u64ch_new(g, "iso->main", 64, &l->out, &l->in), STEADY_OK);
    steady_actor *prod = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer_run,
                                                             .arg = l,
                                                             .txs = STEADY_TXS(l->out),
                                                             .isolated = true,
                                                             .policy = p,
                                                             .state_size = sizeof(producer_state)},
                                        &prod),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = consumer_run,
                                                             .arg = l,
                                                             .rxs = STEADY_RXS(l->in)},
                                        NULL),
                     STEADY_OK);
    return prod;
}

/* Shared anonymous mappings of this process (the graph's chunks show as /dev/zero). */
static int shared_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char row[512];
    int n = 0;
    while (f && fgets(row, sizeof row, f))
        n += strstr(row, "/dev/zero") != NULL;
    if (f)
        fclose(f);
    return n;
}

static void check_crash_loses_nothing(crash_how how, const char *signal_name)
{
    expect_reset();
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    int maps_before = shared_mappings();
    steady_graph *g = new_graph("isolated");
    static line l;
    memset(&l, 0, sizeof l);
    l.how = how;
    l.crash_at[0] = 300;
    l.crash_at[1] = 301; /* at once again, after the restart */
    l.crash_at[2] = 1500;
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 1;
    p.backoff_ceiling_ms = 4;
    steady_actor *prod = build(g, &l, &p);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    steady_log_set_level(STEADY_LOG_WARN);
    capture_stop();
    if (e != STEADY_OK)
        fail_msg("stop: %s\nlog:\n%s", steady_last_error(), captured);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&l.received), N);
    assert_int_equal(l.dup_or_gap, 0);
    assert_int_equal(l.sum, (uint64_t)N * (N - 1) / 2);
    assert_int_equal(steady_actor_failures(prod), 3);
    assert_int_equal(steady_actor_restarts(prod), 3);
    producer_state *st = steady_actor_state(prod);
    assert_int_equal(st->starts, 4); /* the state block survived three deaths */
    const char *want[] = {"actor 'producer' failed (regeneration 0): its process killed by ",
                          signal_name, "restarting as regeneration 3", "T[producer] INFO",
                          "producer starting in pid"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(captured, want[i]))
            fail_msg("the log lacks \"%s\":\n%s", want[i], captured);
    steady_graph_free(g);
    assert_int_equal(children_of(getpid()), 0); /* no zombie, no zygote */
    assert_int_equal(shared_mappings(), maps_before);
}

static void a_real_sigsegv_in_an_isolated_actor_costs_a_restart_and_nothing_else(void **state)
{
    (void)state;
    check_crash_loses_nothing(CRASH_SEGV, "SIGSEGV (Segmentation fault)");
}

static void a_sigkill_of_an_isolated_actor_costs_a_restart_and_nothing_else(void **state)
{
    (void)state;
    check_crash_loses_nothing(CRASH_KILL, "SIGKILL (Killed)");
}

static void an_abort_in_an_isolated_actor_costs_a_restart_and_nothing_else(void **state)
{
    (void)state;
    check_crash_loses_nothing(CRASH_ABORT, "SIGABRT (Aborted)");
}

/* ---- a whole troupe in one child; showstoppers across deaths ---- */

typedef struct pair_io {
    u64ch_tx gen_out;
    u64ch_rx dbl_in;
    u64ch_tx dbl_out;
    u64ch_rx sink_in;
    uint64_t poison;  /* the doubler dies by SIGSEGV on this value, every time */
    uint64_t kill_at; /* ... and by SIGKILL once at this one */
    uint64_t got[N];
    _Atomic uint64_t n_got;
} pair_io;

static int gen_run(steady_actor *a, void *arg)
{
    pair_io *io = arg;
    steady_channel *ch = steady_tx_channel(io->gen_out.raw);
    while (STEADY_RUNNING(a, STEADY_I(steady_channel_sent_total(ch) == N) &&
                                 u64ch_tx_close(io->gen_out))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next == N)
            steady_wait_shutdown(a);
        else if (u64ch_tx_try_send(io->gen_out, next) != STEADY_OK)
            steady_wait_vacant(a, io->gen_out, 1);
    }
    return 0;
}

/* Peek, write in place, commit: exactly once across deaths (the intent record). */
static int doubler_run(steady_actor *a, void *arg)
{
    pair_io *io = arg;
    bool *killed = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->dbl_in)) &&
                                 u64ch_tx_close(io->dbl_out))) {
        steady_wait_all(a, STEADY_AVAIL(io->dbl_in, 1), STEADY_VACANT(io->dbl_out, 1));
        steady_span in = steady_rx_peek_slice(io->dbl_in.raw);
        steady_span out = steady_tx_poke_slice(io->dbl_out.raw);
        if (!in.a_len || !out.a_len)
            continue;
        uint64_t v = *(const uint64_t *)in.a;
        if (v == io->poison)
            die(CRASH_SEGV);
        if (v == io->kill_at && !*killed) {
            *killed = true;
            die(CRASH_KILL);
        }
        *(uint64_t *)out.a = 2 * v;
        EXPECT(steady_commit1(io->dbl_in.raw, 1, io->dbl_out.raw, 1) == STEADY_OK);
    }
    return 0;
}

static int pair_sink_run(steady_actor *a, void *arg)
{
    pair_io *io = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->sink_in)))) {
        steady_wait_avail(a, io->sink_in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(io->sink_in, &v) == STEADY_OK) {
            uint64_t k = atomic_fetch_add(&io->n_got, 1);
            if (k < N)
                io->got[k] = v;
            if (k + 2 == N) /* all but the poison */
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static void a_troupe_in_one_child_restarts_whole_and_sets_its_showstopper_aside(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_graph *g = new_graph("iso-troupe");
    static pair_io io;
    memset(&io, 0, sizeof io);
    io.poison = 777;
    io.kill_at = 300;
    assert_int_equal(u64ch_new(g, "gen->dbl", 32, &io.gen_out, &io.dbl_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "dbl->sink", 32, &io.dbl_out, &io.sink_in), STEADY_OK);
    assert_int_equal(steady_rx_set_showstopper(io.dbl_in.raw, 3, NULL), STEADY_OK);
    steady_troupe *t;
    assert_int_equal(
        steady_troupe_new(g, &(steady_troupe_opts){.name = "pair", .isolated = true}, &t),
        STEADY_OK);
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    steady_actor *gen = NULL, *dbl = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "gen",
                                                             .run = gen_run,
                                                             .arg = &io,
                                                             .troupe = t,
                                                             .policy = &p,
                                                             .txs = STEADY_TXS(io.gen_out)},
                                        &gen),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "doubler",
                                                             .run = doubler_run,
                                                             .arg = &io,
                                                             .troupe = t,
                                                             .policy = &p,
                                                             .rxs = STEADY_RXS(io.dbl_in),
                                                             .txs = STEADY_TXS(io.dbl_out),
                                                             .state_size = sizeof(bool)},
                                        &dbl),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sink",
                                                             .run = pair_sink_run,
                                                             .arg = &io,
                                                             .rxs = STEADY_RXS(io.sink_in)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    capture_stop();
    if (e != STEADY_OK)
        fail_msg("stop: %s\n%s", steady_last_error(), captured);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&io.n_got), N - 1);
    for (uint64_t i = 0, want = 0; i < N - 1; i++, want++) {
        if (want == io.poison)
            want++;
        if (io.got[i] != 2 * want)
            fail_msg("position %llu holds %llu, not %llu", (unsigned long long)i,
                     (unsigned long long)io.got[i], (unsigned long long)(2 * want));
    }
    /* Four deaths (one SIGKILL, three SIGSEGV on the poison): each restarts both members,
     * unless the generator had already finished. */
    assert_int_equal(steady_actor_failures(dbl), 4);
    assert_true(steady_actor_failures(gen) >= 1);
    assert_int_equal(steady_channel_showstoppers_dropped(steady_rx_channel(io.dbl_in.raw)), 1);
    if (!strstr(captured, "message #777 of 'gen->dbl' was the head when 3 generations failed"))
        fail_msg("the showstopper was not set aside:\n%s", captured);
    steady_graph_free(g);
    assert_int_equal(children_of(getpid()), 0);
}

/* ---- a child that never leaves ---- */

static int stubborn_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    for (;;)
        pause(); /* outside steady's waits: only a kill ends it */
    return 0;
}

static void a_hung_isolated_actor_is_killed_after_the_vote_and_reaped(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("hung");
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "stubborn", .run = stubborn_run, .isolated = true},
            NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(50);
    steady_graph_request_shutdown(g);
    uint64_t t0 = now_ns();
    assert_int_equal(steady_graph_block_until_stopped(g, 200), STEADY_EUNCLEAN);
    capture_stop();
    if (ms_since(t0) > 8000)
        fail_msg("the stop took %llu ms", (unsigned long long)ms_since(t0));
    if (!strstr(captured, "troupe 'stubborn'") || !strstr(captured, "killing it"))
        fail_msg("the kill was not reported:\n%s", captured);
    steady_graph_free(g);
    assert_int_equal(children_of(getpid()), 0);
}

static void isolated_applies_to_solo_actors_and_whole_troupes(void **state)
{
    (void)state;
    steady_graph *g = new_graph("iso-rules");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_OK);
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){
                             .name = "member", .run = stubborn_run, .troupe = t, .isolated = true},
                         NULL),
                     STEADY_EINVAL);
    assert_last_error_mentions("'member'", "steady_troupe_opts", NULL);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_real_sigsegv_in_an_isolated_actor_costs_a_restart_and_nothing_else),
        cmocka_unit_test(a_sigkill_of_an_isolated_actor_costs_a_restart_and_nothing_else),
        cmocka_unit_test(an_abort_in_an_isolated_actor_costs_a_restart_and_nothing_else),
        cmocka_unit_test(a_troupe_in_one_child_restarts_whole_and_sets_its_showstopper_aside),
        cmocka_unit_test(a_hung_isolated_actor_is_killed_after_the_vote_and_reaped),
        cmocka_unit_test(isolated_applies_to_solo_actors_and_whole_troupes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
