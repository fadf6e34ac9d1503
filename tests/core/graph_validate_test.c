/*
 * graph_validate_test.c: specification of what a user can get wrong, while building a graph
 * (an error code and a steady_last_error() sentence naming the actor or channel and the fix)
 * and inside a running actor (the actor fails, the failure is logged, the graph shuts down
 * cleanly; nothing aborts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static _Atomic int runs;

static int returns_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    atomic_fetch_add(&runs, 1);
    return 0;
}

static int wait_for_shutdown_run(steady_actor *a, void *arg)
{
    (void)arg;
    atomic_fetch_add(&runs, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static steady_err spawn(steady_graph *g, const char *name, steady_actor_fn run,
                        steady_tx *const *txs, steady_rx *const *rxs)
{
    steady_actor_opts o = {.name = name, .run = run, .txs = txs, .rxs = rxs};
    return steady_actor_spawn(g, &o, NULL);
}

/* ---- channels ------------------------------------------------------------------------------- */

static void channel_of_capacity_zero_is_einval_naming_the_channel(void **state)
{
    (void)state;
    steady_graph *g = new_graph("cap0");
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts o = {.name = "empty-pipe", .capacity = 0, .elem_size = 8};
    assert_int_equal(steady_channel_new(g, &o, &tx, &rx), STEADY_EINVAL);
    assert_last_error_mentions("empty-pipe", "capacity", "at least 1", NULL);
    assert_null(tx);
    o = (steady_channel_opts){.name = "no-elem", .capacity = 4, .elem_size = 0};
    assert_int_equal(steady_channel_new(g, &o, &tx, &rx), STEADY_EINVAL);
    assert_last_error_mentions("no-elem", "element size", NULL);
    o = (steady_channel_opts){.name = "no-out", .capacity = 4, .elem_size = 8};
    assert_int_equal(steady_channel_new(g, &o, NULL, &rx), STEADY_EINVAL);
    assert_int_equal(steady_channel_new(g, NULL, &tx, &rx), STEADY_EINVAL);
    steady_graph_free(g);
}

static void channel_end_never_given_to_an_actor_fails_start_with_eunbound(void **state)
{
    (void)state;
    atomic_store(&runs, 0);
    steady_graph *g = new_graph("unbound");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "orphan", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn(g, "sender", returns_run, STEADY_TXS(tx), NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_EUNBOUND);
    assert_last_error_mentions("'orphan'", "receiving end", ".rxs", NULL);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_BUILDING);
    steady_graph_free(g);

    g = new_graph("unbound-tx");
    assert_int_equal(u64ch_new(g, "no-sender", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn(g, "receiver", returns_run, NULL, STEADY_RXS(rx)), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_EUNBOUND);
    assert_last_error_mentions("'no-sender'", "sending end", ".txs", NULL);
    steady_graph_free(g);
    assert_int_equal(atomic_load(&runs), 0); /* nothing started */
}

static void channel_end_given_to_two_actors_fails_spawn_with_ebound_naming_both(void **state)
{
    (void)state;
    atomic_store(&runs, 0);
    steady_graph *g = new_graph("bound-twice");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "contested", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn(g, "first", returns_run, STEADY_TXS(tx), NULL), STEADY_OK);
    assert_int_equal(spawn(g, "second", returns_run, STEADY_TXS(tx), NULL), STEADY_EBOUND);
    assert_last_error_mentions("'contested'", "'first'", "'second'", "sending end", NULL);
    assert_int_equal(spawn(g, "third", returns_run, NULL, STEADY_RXS(rx)), STEADY_OK);
    assert_int_equal(spawn(g, "fourth", returns_run, NULL, STEADY_RXS(rx)), STEADY_EBOUND);
    assert_last_error_mentions("'contested'", "'third'", "'fourth'", "receiving end", NULL);
    /* A failed spawn leaves no trace: the name is free and the graph still runs. */
    assert_int_equal(spawn(g, "second", returns_run, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
    assert_int_equal(atomic_load(&runs), 3);
}

static void channel_or_troupe_of_another_graph_is_einval(void **state)
{
    (void)state;
    steady_graph *g = new_graph("here"), *other = new_graph("there");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(other, "elsewhere", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(spawn(g, "borrower", returns_run, STEADY_TXS(tx), NULL), STEADY_EINVAL);
    assert_last_error_mentions("'borrower'", "'elsewhere'", "another graph", NULL);
    steady_troupe *t = NULL;
    assert_int_equal(steady_troupe_new(other, NULL, &t), STEADY_OK);
    steady_actor_opts o = {.name = "visitor", .run = returns_run, .troupe = t};
    assert_int_equal(steady_actor_spawn(g, &o, NULL), STEADY_EINVAL);
    assert_last_error_mentions("'visitor'", "troupe", "another graph", NULL);
    steady_graph_free(other);
    steady_graph_free(g);
}

/* ---- actors --------------------------------------------------------------------------------- */

static void duplicate_actor_label_is_eexist(void **state)
{
    (void)state;
    steady_graph *g = new_graph("dupes");
    assert_int_equal(spawn(g, "twin", returns_run, NULL, NULL), STEADY_OK);
    assert_int_equal(spawn(g, "twin", returns_run, NULL, NULL), STEADY_EEXIST);
    assert_last_error_mentions("'twin'", "unique", NULL);
    steady_actor_opts w1 = {.name = "worker", .has_suffix = true, .suffix = 1, .run = returns_run};
    steady_actor_opts w2 = {.name = "worker", .has_suffix = true, .suffix = 2, .run = returns_run};
    assert_int_equal(steady_actor_spawn(g, &w1, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &w2, NULL), STEADY_OK); /* suffixes tell them apart */
    assert_int_equal(steady_actor_spawn(g, &w1, NULL), STEADY_EEXIST);
    assert_last_error_mentions("'worker-1'", NULL);
    steady_graph_free(g);
}

static void missing_name_or_run_function_is_einval(void **state)
{
    (void)state;
    steady_graph *g = new_graph("nulls");
    steady_actor_opts no_name = {.run = returns_run};
    assert_int_equal(steady_actor_spawn(g, &no_name, NULL), STEADY_EINVAL);
    assert_last_error_mentions("name", NULL);
    steady_actor_opts empty_name = {.name = "", .run = returns_run};
    assert_int_equal(steady_actor_spawn(g, &empty_name, NULL), STEADY_EINVAL);
    steady_actor_opts no_run = {.name = "lazy"};
    assert_int_equal(steady_actor_spawn(g, &no_run, NULL), STEADY_EINVAL);
    assert_last_error_mentions("'lazy'", "run function", NULL);
    assert_int_equal(steady_actor_spawn(g, NULL, NULL), STEADY_EINVAL);
    assert_int_equal(steady_actor_spawn(NULL, &no_run, NULL), STEADY_EINVAL);
    assert_int_equal(steady_graph_new(NULL, NULL), STEADY_EINVAL);
    assert_int_equal(steady_graph_start(NULL), STEADY_EINVAL);
    /* A graph with no actors has nothing to run. */
    assert_int_equal(steady_graph_start(g), STEADY_EINVAL);
    assert_last_error_mentions("no actors", NULL);
    steady_graph_free(g);
}

/* ---- lifecycle misuse ----------------------------------------------------------------------- */

static void never_called_init(void *block, void *arg)
{
    (void)block;
    (void)arg;
    fail_msg("a state_init without a state block must be refused at spawn");
}

static void pin_on_a_troupe_member_and_init_without_state_are_einval(void **state)
{
    (void)state;
    steady_graph *g = new_graph("pins");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_OK);

    steady_err pinned = steady_actor_spawn(
        g, &(steady_actor_opts){.name = "member", .run = returns_run, .troupe = t, .pin = true},
        NULL);
    assert_int_equal(pinned, STEADY_EINVAL);
    assert_last_error_mentions("'member'", "pin its troupe instead", NULL);

    steady_err no_state = steady_actor_spawn(g,
                                             &(steady_actor_opts){.name = "stateless",
                                                                  .run = returns_run,
                                                                  .state_init = never_called_init},
                                             NULL);
    assert_int_equal(no_state, STEADY_EINVAL);
    assert_last_error_mentions("'stateless'", "state_size", NULL);
    steady_graph_free(g);
}

static void unreachable_shutdown_barrier_fails_start_with_einval(void **state)
{
    (void)state;
    steady_graph *g = NULL;
    steady_graph_opts o = {.name = "barrier", .no_signal_handlers = true, .shutdown_barrier = 3};
    assert_int_equal(steady_graph_new(&g, &o), STEADY_OK);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(steady_actor_spawn(
                             g,
                             &(steady_actor_opts){
                                 .name = "a", .has_suffix = true, .suffix = i, .run = returns_run},
                             NULL),
                         STEADY_OK);

    assert_int_equal(steady_graph_start(g), STEADY_EINVAL);

    assert_last_error_mentions("shutdown_barrier 3", "2 actors", NULL);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_BUILDING);
    steady_graph_free(g);
}

static void calls_in_the_wrong_lifecycle_state_are_estate(void **state)
{
    (void)state;
    steady_graph *g = new_graph("states");
    assert_int_equal(steady_graph_block_until_stopped(g, 10), STEADY_ESTATE);
    assert_last_error_mentions("never started", NULL);
    assert_int_equal(spawn(g, "sleeper", wait_for_shutdown_run, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);

    assert_int_equal(steady_graph_start(g), STEADY_ESTATE);
    assert_last_error_mentions("already started", NULL);
    assert_int_equal(spawn(g, "late", returns_run, NULL, NULL), STEADY_ESTATE);
    assert_last_error_mentions("'late'", "before steady_graph_start()", NULL);
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts co = {.name = "late-pipe", .capacity = 4, .elem_size = 8};
    assert_int_equal(steady_channel_new(g, &co, &tx, &rx), STEADY_ESTATE);
    assert_last_error_mentions("'late-pipe'", "before steady_graph_start()", NULL);
    steady_troupe *t = NULL;
    assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_ESTATE);

    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_ESTATE); /* a stopped graph stays stopped */
    steady_graph_free(g);
}

/* ---- misuse inside a running actor ----------------------------------------------------------- */

struct trespass {
    u64ch_tx owned_tx;
    u64ch_rx owned_rx;
    _Atomic int intruder_went_on;
};

static int owner_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int waits_on_foreign_end_run(steady_actor *a, void *arg)
{
    struct trespass *t = arg;
    steady_wait_avail(a, t->owned_rx, 1); /* not ours: fails this actor */
    atomic_store(&t->intruder_went_on, 1);
    return 0;
}

static int sends_on_foreign_end_run(steady_actor *a, void *arg)
{
    (void)a;
    struct trespass *t = arg;
    u64ch_tx_try_send(t->owned_tx, 1); /* not ours: fails this actor */
    atomic_store(&t->intruder_went_on, 1);
    return 0;
}

static void run_trespass(steady_actor_fn intruder, const char *end_name)
{
    struct trespass t = {0};
    steady_graph *g = new_graph_no_restart("trespass");
    assert_int_equal(u64ch_new(g, "private", 4, &t.owned_tx, &t.owned_rx), STEADY_OK);
    steady_actor_opts owner = {.name = "owner",
                               .run = owner_run,
                               .arg = &t,
                               .txs = STEADY_TXS(t.owned_tx),
                               .rxs = STEADY_RXS(t.owned_rx)};
    steady_actor_opts intr = {.name = "intruder", .run = intruder, .arg = &t};
    assert_int_equal(steady_actor_spawn(g, &owner, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &intr, NULL), STEADY_OK);
    capture_start();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 2000); /* nobody but the failure asks */
    capture_stop();
    char report[1024];
    steady_graph_report(g, report, sizeof report);
    steady_graph_free(g);

    assert_int_equal(e, STEADY_EDEGRADED); /* the graph lost the intruder */
    assert_int_equal(atomic_load(&t.intruder_went_on), 0);
    const char *want[] = {"ERROR", "'intruder' failed", "'private'", "'owner'", end_name};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(captured, want[i]))
            fail_msg("the failure log lacks \"%s\": %s", want[i], captured);
    assert_non_null(strstr(report, "actor 'intruder': stopped for good after 1 failure (0 "
                                   "restarts); last failure: "));
    assert_non_null(strstr(report, "actor 'owner': voted yes"));
}

static void waiting_on_a_foreign_end_fails_the_actor_and_the_graph_stops_cleanly(void **state)
{
    (void)state;
    run_trespass(waits_on_foreign_end_run, "receiving end");
}

static void sending_on_a_foreign_end_fails_the_actor_and_the_graph_stops_cleanly(void **state)
{
    (void)state;
    run_trespass(sends_on_foreign_end_run, "sending end");
}

/* Other misuse inside a running actor: each fails that actor alone, with a logged reason, and
 * the graph (asked to shut down by the failure) stops cleanly. */
struct misuse_case {
    const char *name;
    int (*run)(steady_actor *a, void *arg);
    const char *logged; /* a fragment the failure line must hold */
};

static _Atomic int misuser_went_on;
static steady_actor *_Atomic bystander_handle;

static int no_conditions_run(steady_actor *a, void *arg)
{
    (void)arg;
    steady_wait(a, STEADY_WAIT_ALL, NULL, 0);
    atomic_store(&misuser_went_on, 1);
    return 0;
}

static int too_many_periods_run(steady_actor *a, void *arg)
{
    (void)arg;
    for (uint64_t p = 1; p <= 5; p++) /* one schedule per distinct period, at most 4 */
        steady_wait_any(a, STEADY_PERIODIC(STEADY_MS(p)), STEADY_TIMEOUT(0));
    atomic_store(&misuser_went_on, 1);
    return 0;
}

static int foreign_handle_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    steady_actor *other;
    while (!(other = atomic_load(&bystander_handle)))
        steady_wait_timeout(a, STEADY_MS(1));
    steady_wait_timeout(other, 0); /* waits belong to the calling actor */
    atomic_store(&misuser_went_on, 1);
    return 0;
}

struct closed_end {
    u64ch_tx tx;
    u64ch_rx rx;
};

static int send_after_close_run(steady_actor *a, void *arg)
{
    (void)a;
    struct closed_end *c = arg;
    u64ch_tx_close(c->tx);
    u64ch_tx_close(c->tx); /* closing twice is fine */
    u64ch_tx_try_send(c->tx, 1);
    atomic_store(&misuser_went_on, 1);
    return 0;
}

static int bystander_run(steady_actor *a, void *arg)
{
    (void)arg;
    atomic_store(&bystander_handle, a);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void run_misuse(const struct misuse_case *mc)
{
    atomic_store(&misuser_went_on, 0);
    atomic_store(&bystander_handle, NULL);
    struct closed_end c;
    steady_graph *g = new_graph_no_restart("misuse");
    assert_int_equal(u64ch_new(g, "closed-pipe", 4, &c.tx, &c.rx), STEADY_OK);
    steady_actor_opts m = {.name = mc->name, .run = mc->run, .arg = &c, .txs = STEADY_TXS(c.tx)};
    steady_actor_opts b = {.name = "bystander", .run = bystander_run, .rxs = STEADY_RXS(c.rx)};
    assert_int_equal(steady_actor_spawn(g, &m, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &b, NULL), STEADY_OK);
    capture_start();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    capture_stop();
    steady_graph_free(g);

    assert_int_equal(e, STEADY_EDEGRADED);
    assert_int_equal(atomic_load(&misuser_went_on), 0);
    char failed[128];
    snprintf(failed, sizeof failed, "'%s' failed", mc->name);
    if (!strstr(captured, failed) || !strstr(captured, mc->logged))
        fail_msg("%s: the failure log lacks \"%s\" or \"%s\": %s", mc->name, failed, mc->logged,
                 captured);
}

static void other_misuse_inside_an_actor_fails_that_actor_only(void **state)
{
    (void)state;
    const struct misuse_case cases[] = {
        {"no-conditions", no_conditions_run, "0 conditions"},
        {"many-periods", too_many_periods_run, "distinct periods"},
        {"foreign-handle", foreign_handle_run, "another actor's handle"},
        {"closer", send_after_close_run, "after closing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_misuse(&cases[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(channel_of_capacity_zero_is_einval_naming_the_channel),
        cmocka_unit_test(channel_end_never_given_to_an_actor_fails_start_with_eunbound),
        cmocka_unit_test(channel_end_given_to_two_actors_fails_spawn_with_ebound_naming_both),
        cmocka_unit_test(channel_or_troupe_of_another_graph_is_einval),
        cmocka_unit_test(duplicate_actor_label_is_eexist),
        cmocka_unit_test(missing_name_or_run_function_is_einval),
        cmocka_unit_test(pin_on_a_troupe_member_and_init_without_state_are_einval),
        cmocka_unit_test(unreachable_shutdown_barrier_fails_start_with_einval),
        cmocka_unit_test(calls_in_the_wrong_lifecycle_state_are_estate),
        cmocka_unit_test(waiting_on_a_foreign_end_fails_the_actor_and_the_graph_stops_cleanly),
        cmocka_unit_test(sending_on_a_foreign_end_fails_the_actor_and_the_graph_stops_cleanly),
        cmocka_unit_test(other_misuse_inside_an_actor_fails_that_actor_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
