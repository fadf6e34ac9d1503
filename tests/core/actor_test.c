/* actor_test.c — specification of actor identity and spawning (core/actor.c, steady/actor.h).
 *
 * Names and labels (kept whole however long: a label over 255 bytes used to be cut, and two
 * that differed only past the cut were refused as duplicates), dense ids, suffixes, the current
 * actor, placement queries, and the spawn checks a user meets first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/internal.h"
#include "steady_test_support.h"

static steady_actor *_Atomic seen_current;

static int report_current(steady_actor *a, void *arg)
{
    (void)arg;
    atomic_store(&seen_current, steady_actor_current());
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void identity_is_what_spawn_was_given(void **state)
{
    (void)state;
    int args = 7;
    steady_graph *g =
        new_graph_opts(&(steady_graph_opts){.args = &args, .no_signal_handlers = true});
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_OK);
    steady_actor *solo = NULL, *member = NULL;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "solo", .run = report_current}, &solo),
        STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "worker",
                                                             .has_suffix = true,
                                                             .suffix = 3,
                                                             .run = report_current,
                                                             .troupe = t},
                                        &member),
                     STEADY_OK);
    assert_string_equal(steady_actor_name(member), "worker");
    assert_string_equal(steady_actor_label(member), "worker-3");
    assert_string_equal(steady_actor_label(solo), "solo");
    unsigned suffix = 0;
    assert_true(steady_actor_suffix(member, &suffix) && suffix == 3);
    assert_false(steady_actor_suffix(solo, &suffix));
    assert_int_equal(steady_actor_id(solo), 0);
    assert_int_equal(steady_actor_id(member), 1);
    assert_true(steady_actor_args(member) == &args);
    assert_true(steady_actor_graph(member) == g);
    assert_false(steady_actor_is_member(solo));
    assert_true(steady_actor_is_member(member));
    assert_null(steady_actor_current()); /* main is no actor */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    while (!atomic_load(&seen_current))
        sleep_ms(1);
    assert_true(atomic_load(&seen_current) == solo || atomic_load(&seen_current) == member);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    assert_int_equal(steady_actor_regeneration(solo), 0);
    steady_graph_free(g);
}

static void long_labels_are_kept_whole_and_told_apart(void **state)
{
    (void)state;
    char a[400], b[400];
    memset(a, 'n', 300);
    a[300] = '\0';
    memcpy(b, a, sizeof a);
    a[299] = 'a'; /* they differ past byte 255 only */
    b[299] = 'b';
    steady_graph *g = new_graph("long-labels");
    steady_actor *x = NULL, *y = NULL;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = a, .run = report_current}, &x),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = b, .run = report_current}, &y),
        STEADY_OK);
    assert_string_equal(steady_actor_label(x), a);
    assert_string_equal(steady_actor_label(y), b);
    steady_actor *z = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = a,
                                                             .has_suffix = true,
                                                             .suffix = 4000000000u,
                                                             .run = report_current},
                                        &z),
                     STEADY_OK);
    assert_int_equal(strlen(steady_actor_label(z)), 300 + 11);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = a, .run = report_current}, NULL),
        STEADY_EEXIST); /* the same whole label twice is a duplicate */
    steady_graph_free(g);
}

static void spawn_refuses_what_cannot_run(void **state)
{
    (void)state;
    steady_graph *g = new_graph("refusals");
    assert_int_equal(steady_actor_spawn(g, &(steady_actor_opts){.run = report_current}, NULL),
                     STEADY_EINVAL);
    assert_last_error_mentions("needs a name", NULL);
    assert_int_equal(steady_actor_spawn(g, &(steady_actor_opts){.name = "lazy"}, NULL),
                     STEADY_EINVAL);
    assert_last_error_mentions("'lazy'", "no run function", NULL);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sized",
                                                             .run = report_current,
                                                             .state_init = (steady_state_init_fn)1},
                                        NULL),
                     STEADY_EINVAL);
    assert_last_error_mentions("'sized'", "state_size", NULL);
    assert_int_equal(spawn_with(g, "one", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "late", .run = report_current}, NULL),
        STEADY_ESTATE);
    assert_last_error_mentions("'late'", "before steady_graph_start()", NULL);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identity_is_what_spawn_was_given),
        cmocka_unit_test(long_labels_are_kept_whole_and_told_apart),
        cmocka_unit_test(spawn_refuses_what_cannot_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
