/*
 * bundle_test.c: specification of steady/bundle.h, part one: building. Names, shapes,
 * validation errors (a code and a sentence naming the bundle, lane and actors), split and join.
 * The lane waits of steady/wait.h on bundles are in bundle_wait_test.c.
 *
 * Graphs here are built and, at most, started and stopped; no test needs an actor to do more
 * than own ends and wait for shutdown (spawn_with, in steady_test_support.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "steady/steady.h"

#include "steady_test_support.h"

STEADY_BUNDLE_TYPE(u64b, uint64_t);

/* ---- creation and naming ------------------------------------------------------------------- */

static void bundle_new_makes_g_lanes_named_base_index_of_one_shape(void **state)
{
    (void)state;
    steady_graph *g = new_graph("naming");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "work", 4, 100, &txb, &rxb), STEADY_OK);
    assert_int_equal(u64b_tx_bundle_lanes(txb), 4);
    assert_int_equal(u64b_rx_bundle_lanes(rxb), 4);
    assert_string_equal(steady_tx_bundle_name(txb.raw), "work");
    assert_string_equal(steady_rx_bundle_name(rxb.raw), "work");
    for (uint32_t i = 0; i < 4; i++) {
        u64b_tx tx = u64b_tx_bundle_lane(txb, i);
        u64b_rx rx = u64b_rx_bundle_lane(rxb, i);
        assert_non_null(tx.raw);
        assert_ptr_equal(steady_tx_channel(tx.raw), steady_rx_channel(rx.raw));
        char want[16];
        snprintf(want, sizeof want, "work[%u]", i);
        assert_string_equal(steady_channel_name(steady_tx_channel(tx.raw)), want);
        assert_int_equal(u64b_tx_capacity(tx), 100);
        assert_int_equal(steady_tx_bundle_lane(txb.raw, i)->elem_size, sizeof(uint64_t));
        for (uint32_t j = 0; j < i; j++) /* every lane is a channel of its own */
            assert_ptr_not_equal(steady_tx_bundle_lane(txb.raw, j), tx.raw);
    }
    assert_null(u64b_tx_bundle_lane(txb, 4).raw); /* past the last lane */
    assert_null(steady_rx_bundle_lane(rxb.raw, 4));
    steady_graph_free(g);
}

static void unnamed_bundles_are_numbered_in_creation_order(void **state)
{
    (void)state;
    steady_graph *g = new_graph("numbering");
    steady_channel_opts o = {.name = NULL, .capacity = 8, .elem_size = 4};
    steady_tx_bundle *t0, *t1;
    steady_rx_bundle *r0, *r1;
    assert_int_equal(steady_bundle_new(g, &o, 2, &t0, &r0), STEADY_OK);
    assert_int_equal(steady_bundle_new(g, &o, 3, &t1, &r1), STEADY_OK);
    assert_string_equal(steady_rx_bundle_name(r0), "bundle-0");
    assert_string_equal(steady_channel_name(steady_rx_channel(steady_rx_bundle_lane(r0, 1))),
                        "bundle-0[1]");
    assert_string_equal(steady_channel_name(steady_tx_channel(steady_tx_bundle_lane(t1, 2))),
                        "bundle-1[2]");
    assert_int_equal(steady_rx_bundle_lane(r1, 0)->elem_size, 4);
    steady_graph_free(g);
}

/* ---- validation ----------------------------------------------------------------------------- */

static void bundle_new_refuses_zero_lanes_null_outputs_and_a_bad_shape(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad-new");
    u64b_tx_bundle txb = {NULL};
    u64b_rx_bundle rxb = {NULL};
    assert_int_equal(u64b_bundle_new(g, "none", 0, 8, &txb, &rxb), STEADY_EINVAL);
    assert_last_error_mentions("'none'", "0 lanes", "give 1 to", NULL);
    assert_int_equal(u64b_bundle_new(g, "half", 2, 8, NULL, &rxb), STEADY_EINVAL);
    assert_int_equal(u64b_bundle_new(g, "empty", 2, 0, &txb, &rxb), STEADY_EINVAL);
    assert_last_error_mentions("'empty[0]'", "capacity", NULL);
    assert_null(txb.raw);
    assert_null(rxb.raw);
    /* Nothing was left behind: the graph has no channel to complain about at start. */
    assert_int_equal(spawn_with(g, "only", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static void bundle_lanes_never_given_to_an_actor_fail_start_with_eunbound(void **state)
{
    (void)state;
    steady_graph *g = new_graph("unbound");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "work", 3, 8, &txb, &rxb), STEADY_OK);
    assert_int_equal(spawn_with(g, "gen", NULL, NULL, STEADY_TX_BUNDLES(txb), NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_EUNBOUND);
    assert_last_error_mentions("'work[0]'", "receiving end", "never given", NULL);
    steady_graph_free(g);
}

static void bundle_end_given_to_two_actors_fails_spawn_with_ebound_naming_both(void **state)
{
    (void)state;
    steady_graph *g = new_graph("twice");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "work", 3, 8, &txb, &rxb), STEADY_OK);
    assert_int_equal(spawn_with(g, "first", NULL, NULL, NULL, STEADY_RX_BUNDLES(rxb)), STEADY_OK);
    assert_int_equal(spawn_with(g, "second", NULL, NULL, NULL, STEADY_RX_BUNDLES(rxb)),
                     STEADY_EBOUND);
    assert_last_error_mentions("'work'", "receiving", "'first'", "'second'", NULL);
    /* A failed spawn leaves no trace: the name is free. */
    assert_int_equal(spawn_with(g, "second", NULL, NULL, STEADY_TX_BUNDLES(txb), NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static void
lane_given_alone_and_in_its_bundle_fails_spawn_naming_both_and_claims_nothing(void **state)
{
    (void)state;
    steady_graph *g = new_graph("lane-twice");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "work", 3, 8, &txb, &rxb), STEADY_OK);
    u64b_rx lane2 = u64b_rx_bundle_lane(rxb, 2);
    assert_int_equal(spawn_with(g, "alone", NULL, STEADY_RXS(lane2), NULL, NULL), STEADY_OK);
    assert_int_equal(spawn_with(g, "whole", NULL, NULL, NULL, STEADY_RX_BUNDLES(rxb)),
                     STEADY_EBOUND);
    assert_last_error_mentions("'work[2]'", "receiving end", "'alone'", "'whole'", NULL);
    /* Lanes 0 and 1 were checked before lane 2 but not claimed: they are still free. */
    u64b_rx lane0 = u64b_rx_bundle_lane(rxb, 0), lane1 = u64b_rx_bundle_lane(rxb, 1);
    assert_int_equal(spawn_with(g, "rest", NULL, STEADY_RXS(lane0, lane1), NULL, NULL), STEADY_OK);
    assert_int_equal(spawn_with(g, "gen", NULL, NULL, STEADY_TX_BUNDLES(txb), NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static void bundle_end_with_every_lane_split_out_is_refused_at_spawn(void **state)
{
    (void)state;
    steady_graph *g = new_graph("hollow");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    u64b_rx r0, r1;
    assert_int_equal(u64b_bundle_new(g, "work", 2, 8, &txb, &rxb), STEADY_OK);
    assert_int_equal(u64b_rx_bundle_split(rxb, 0, &r0), STEADY_OK);
    assert_int_equal(u64b_rx_bundle_split(rxb, 1, &r1), STEADY_OK);
    assert_int_equal(spawn_with(g, "hollow", NULL, NULL, NULL, STEADY_RX_BUNDLES(rxb)),
                     STEADY_EINVAL);
    assert_last_error_mentions("'hollow'", "'work'", "no lanes left", NULL);
    steady_graph_free(g);
}

static void bundles_cannot_be_made_split_or_joined_after_start(void **state)
{
    (void)state;
    steady_graph *g = new_graph("late");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "early", 2, 8, &txb, &rxb), STEADY_OK);
    u64b_tx_bundle late_txb;
    u64b_rx_bundle late_rxb;
    assert_int_equal(spawn_with(g, "all", NULL, NULL, STEADY_TX_BUNDLES(txb), NULL), STEADY_OK);
    /* The rx bundle end stays with main: split it after start. */
    u64b_rx lanes[2] = {u64b_rx_bundle_lane(rxb, 0), u64b_rx_bundle_lane(rxb, 1)};
    assert_int_equal(spawn_with(g, "sink", NULL, STEADY_RXS(lanes[0], lanes[1]), NULL, NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);

    assert_int_equal(u64b_bundle_new(g, "late", 2, 8, &late_txb, &late_rxb), STEADY_ESTATE);
    assert_last_error_mentions("'late'", "before steady_graph_start()", NULL);
    u64b_rx out;
    assert_int_equal(u64b_rx_bundle_split(rxb, 0, &out), STEADY_ESTATE);
    assert_int_equal(u64b_rx_bundle_join(g, "joined", lanes, 2, &late_rxb), STEADY_ESTATE);
    assert_last_error_mentions("'joined'", "before steady_graph_start()", NULL);

    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

/* ---- split and join -------------------------------------------------------------------------- */

static void split_takes_one_lane_out_and_keeps_the_other_lane_numbers(void **state)
{
    (void)state;
    steady_graph *g = new_graph("split");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "work", 3, 8, &txb, &rxb), STEADY_OK);
    steady_rx *lane1 = steady_rx_bundle_lane(rxb.raw, 1),
              *lane2 = steady_rx_bundle_lane(rxb.raw, 2);
    u64b_rx out = {NULL};
    assert_int_equal(u64b_rx_bundle_split(rxb, 1, &out), STEADY_OK);
    assert_ptr_equal(out.raw, lane1);
    assert_null(u64b_rx_bundle_lane(rxb, 1).raw);
    assert_int_equal(u64b_rx_bundle_lanes(rxb), 3); /* lane numbers are stable */
    assert_ptr_equal(steady_rx_bundle_lane(rxb.raw, 2), lane2);

    assert_int_equal(u64b_rx_bundle_split(rxb, 1, &out), STEADY_EINVAL);
    assert_last_error_mentions("'work'", "lane 1", "already split out", NULL);
    assert_int_equal(u64b_rx_bundle_split(rxb, 3, &out), STEADY_EINVAL);
    assert_last_error_mentions("'work'", "no lane 3", "0 to 2", NULL);
    assert_int_equal(steady_rx_bundle_split(rxb.raw, 0, NULL), STEADY_EINVAL);

    /* The bundle end (lanes 0 and 2) and the lane taken out go to different actors. */
    assert_int_equal(spawn_with(g, "rest", NULL, NULL, NULL, STEADY_RX_BUNDLES(rxb)), STEADY_OK);
    assert_int_equal(spawn_with(g, "one", NULL, STEADY_RXS(out), NULL, NULL), STEADY_OK);
    assert_int_equal(u64b_rx_bundle_split(rxb, 0, &out), STEADY_EBOUND);
    assert_last_error_mentions("'work'", "already given to actor 'rest'", "before spawning", NULL);
    u64b_tx t1;
    assert_int_equal(u64b_tx_bundle_split(txb, 1, &t1), STEADY_OK); /* the tx side is separate */
    assert_int_equal(spawn_with(g, "gen", STEADY_TXS(t1), NULL, STEADY_TX_BUNDLES(txb), NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static void join_makes_a_bundle_end_whose_lane_i_is_the_ith_end(void **state)
{
    (void)state;
    steady_graph *g = new_graph("join");
    u64b_tx txs[3];
    u64b_rx rxs[3];
    assert_int_equal(u64b_new(g, "a", 16, &txs[0], &rxs[0]), STEADY_OK);
    assert_int_equal(u64b_new(g, "b", 16, &txs[1], &rxs[1]), STEADY_OK);
    assert_int_equal(u64b_new(g, "c", 16, &txs[2], &rxs[2]), STEADY_OK);
    u64b_rx_bundle in;
    assert_int_equal(u64b_rx_bundle_join(g, "logger-in", rxs, 3, &in), STEADY_OK);
    assert_string_equal(steady_rx_bundle_name(in.raw), "logger-in");
    assert_int_equal(u64b_rx_bundle_lanes(in), 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_ptr_equal(u64b_rx_bundle_lane(in, i).raw, rxs[i].raw);
    steady_tx *raw[3] = {txs[2].raw, txs[0].raw, txs[1].raw};
    steady_tx_bundle *out;
    assert_int_equal(steady_tx_bundle_join(g, NULL, raw, 3, &out), STEADY_OK);
    assert_string_equal(steady_tx_bundle_name(out), "bundle-1"); /* the graph's second */
    assert_ptr_equal(steady_tx_bundle_lane(out, 0), txs[2].raw);
    assert_int_equal(spawn_with(g, "gen", NULL, NULL, (steady_tx_bundle *const[]){out, NULL}, NULL),
                     STEADY_OK);
    assert_int_equal(spawn_with(g, "log", NULL, NULL, NULL, STEADY_RX_BUNDLES(in)), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static void join_refuses_mixed_shapes_repeated_ends_other_graphs_and_wrong_types(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad-join"), *other = new_graph("other");
    u64b_tx tx[4];
    u64b_rx rx[4];
    assert_int_equal(u64b_new(g, "small", 8, &tx[0], &rx[0]), STEADY_OK);
    assert_int_equal(u64b_new(g, "big", 64, &tx[1], &rx[1]), STEADY_OK);
    assert_int_equal(u64b_new(other, "far", 8, &tx[2], &rx[2]), STEADY_OK);
    steady_channel_opts narrow = {.name = "narrow", .capacity = 8, .elem_size = 4};
    assert_int_equal(steady_channel_new(g, &narrow, &tx[3].raw, &rx[3].raw), STEADY_OK);
    u64b_rx_bundle b = {NULL};

    u64b_rx mixed[2] = {rx[0], rx[1]};
    assert_int_equal(u64b_rx_bundle_join(g, "mixed", mixed, 2, &b), STEADY_EINVAL);
    assert_last_error_mentions("'mixed'", "'big'", "64 x 8", "'small'", "8 x 8", "one shape", NULL);
    u64b_rx twice[2] = {rx[0], rx[0]};
    assert_int_equal(u64b_rx_bundle_join(g, "twice", twice, 2, &b), STEADY_EINVAL);
    assert_last_error_mentions("'twice'", "'small'", "lane 0 and lane 1", NULL);
    u64b_rx foreign[2] = {rx[0], rx[2]};
    assert_int_equal(u64b_rx_bundle_join(g, "foreign", foreign, 2, &b), STEADY_EINVAL);
    assert_last_error_mentions("'foreign'", "'far'", "another graph", NULL);
    u64b_rx wrong[1] = {rx[3]};
    assert_int_equal(u64b_rx_bundle_join(g, "typed", wrong, 1, &b), STEADY_EINVAL);
    assert_last_error_mentions("'typed'", "'narrow'", "4-byte", NULL);
    steady_rx *raw_mixed[2] = {rx[0].raw, rx[3].raw}; /* same capacity, other element size */
    steady_rx_bundle *rb = NULL;
    assert_int_equal(steady_rx_bundle_join(g, "raw", raw_mixed, 2, &rb), STEADY_EINVAL);
    assert_last_error_mentions("'raw'", "'narrow'", "8 x 4", NULL);
    steady_rx *with_null[2] = {rx[0].raw, NULL};
    assert_int_equal(steady_rx_bundle_join(g, "holes", with_null, 2, &rb), STEADY_EINVAL);
    assert_last_error_mentions("'holes'", "lane 1 is NULL", NULL);
    assert_int_equal(steady_rx_bundle_join(g, "none", raw_mixed, 0, &rb), STEADY_EINVAL);
    assert_last_error_mentions("'none'", "0 lanes", NULL);
    assert_null(b.raw);
    assert_null(rb);
    steady_graph_free(g);
    steady_graph_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bundle_new_makes_g_lanes_named_base_index_of_one_shape),
        cmocka_unit_test(unnamed_bundles_are_numbered_in_creation_order),
        cmocka_unit_test(bundle_new_refuses_zero_lanes_null_outputs_and_a_bad_shape),
        cmocka_unit_test(bundle_lanes_never_given_to_an_actor_fail_start_with_eunbound),
        cmocka_unit_test(bundle_end_given_to_two_actors_fails_spawn_with_ebound_naming_both),
        cmocka_unit_test(
            lane_given_alone_and_in_its_bundle_fails_spawn_naming_both_and_claims_nothing),
        cmocka_unit_test(bundle_end_with_every_lane_split_out_is_refused_at_spawn),
        cmocka_unit_test(bundles_cannot_be_made_split_or_joined_after_start),
        cmocka_unit_test(split_takes_one_lane_out_and_keeps_the_other_lane_numbers),
        cmocka_unit_test(join_makes_a_bundle_end_whose_lane_i_is_the_ith_end),
        cmocka_unit_test(join_refuses_mixed_shapes_repeated_ends_other_graphs_and_wrong_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
