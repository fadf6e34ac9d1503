/* intent_test.c — the crash-consistent commit of ISOLATED actors: a child killed (SIGKILL) at
 * every step of a steady_commit — before its intent record is armed, once armed, after the
 * outputs were published, after the inputs were taken, after it was disarmed — loses nothing
 * and duplicates nothing: the warden completes an armed commit before the restart.
 *
 * White box: the actor record's kill_at_step knob (core/internal.h) makes the child kill
 * itself at a given step of its next commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/internal.h"
#include "steady_test_support.h"

#define N 400
#define KILLS 12

typedef struct kill_point {
    uint64_t at; /* the input index whose commit is killed */
    uint32_t step;
} kill_point;

/* Every step, on consecutive messages too, and twice on one message (a kill before the record
 * is armed leaves the message to be committed again). 8 of them die with the intent armed. */
static const kill_point plan[KILLS] = {{10, 1}, {20, 2}, {30, 3},  {40, 4},  {50, 5},  {51, 3},
                                       {52, 2}, {53, 4}, {100, 1}, {100, 2}, {200, 1}, {399, 3}};

typedef struct relay_io {
    u64ch_tx feed;
    u64ch_rx in;
    u64ch_tx out;
    u64ch_rx sink_in;
    uint64_t got[N + 16];
    _Atomic uint64_t n_got;
} relay_io;

/* One message per commit: peek it, write its successor in place, commit both ends. */
static int relay_run(steady_actor *a, void *arg)
{
    relay_io *io = arg;
    uint32_t *cursor = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 u64ch_tx_close(io->out))) {
        steady_wait_all(a, STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        steady_span in = steady_rx_peek_slice(io->in.raw), out = steady_tx_poke_slice(io->out.raw);
        if (!in.a_len || !out.a_len)
            continue;
        uint64_t index = steady_channel_taken_total(steady_rx_channel(io->in.raw));
        if (*cursor < KILLS && plan[*cursor].at == index)
            atomic_store(&a->kill_at_step, plan[(*cursor)++].step);
        *(uint64_t *)out.a = *(const uint64_t *)in.a * 2;
        EXPECT(steady_commit1(io->in.raw, 1, io->out.raw, 1) == STEADY_OK);
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    relay_io *io = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->sink_in)))) {
        steady_wait_avail(a, io->sink_in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(io->sink_in, &v) == STEADY_OK) {
            uint64_t k = atomic_load(&io->n_got);
            if (k < N + 16)
                io->got[k] = v;
            atomic_store(&io->n_got, k + 1);
            if (k + 1 == N)
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static int feeder_run(steady_actor *a, void *arg)
{
    relay_io *io = arg;
    while (STEADY_RUNNING(a, u64ch_tx_close(io->feed)))
        steady_wait_shutdown(a);
    return 0;
}

static void a_kill_at_every_step_of_a_commit_loses_and_duplicates_nothing(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    steady_graph *g = new_graph("intent");
    static relay_io io;
    memset(&io, 0, sizeof io);
    assert_int_equal(u64ch_new(g, "feed", N, &io.feed, &io.in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "relayed", N + 16, &io.out, &io.sink_in), STEADY_OK);
    for (uint64_t v = 0; v < N; v++)
        assert_int_equal(u64ch_tx_try_send(io.feed, v), STEADY_OK); /* before start */
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    p.max_restarts = STEADY_UNLIMITED;
    steady_actor *relay = NULL;
    const steady_actor_opts actors[] = {
        {.name = "feeder", .run = feeder_run, .arg = &io, .txs = STEADY_TXS(io.feed)},
        {.name = "relay",
         .run = relay_run,
         .arg = &io,
         .rxs = STEADY_RXS(io.in),
         .txs = STEADY_TXS(io.out),
         .isolated = true,
         .policy = &p,
         .state_size = sizeof(uint32_t)},
        {.name = "sink", .run = sink_run, .arg = &io, .rxs = STEADY_RXS(io.sink_in)},
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &actors[i], i == 1 ? &relay : NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 20000);
    steady_log_set_level(STEADY_LOG_WARN);
    capture_stop();
    if (e != STEADY_OK)
        fail_msg("stop: %s\n%s", steady_last_error(), captured);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&io.n_got), N);
    for (uint64_t i = 0; i < N; i++)
        if (io.got[i] != 2 * i)
            fail_msg("position %llu holds %llu, not %llu", (unsigned long long)i,
                     (unsigned long long)io.got[i], (unsigned long long)(2 * i));
    assert_int_equal(steady_actor_failures(relay), KILLS);
    assert_int_equal(*(uint32_t *)steady_actor_state(relay), KILLS);
    /* Steps 2, 3 and 4 die with the intent armed. */
    int replays = 0;
    for (const char *s = captured; (s = strstr(s, "completed from its intent record")); s++)
        replays++;
    assert_int_equal(replays, 8);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_kill_at_every_step_of_a_commit_loses_and_duplicates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
