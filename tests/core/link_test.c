/* link_test.c — steady/link.h: an actor's link to the outside, described before start, its
 * state kept from any thread, seen by steady_inspect_actors; misuse refused with a detail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include <steady/steady.h>

#include "steady_test_support.h"

static int idle_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static steady_actor *idle(steady_graph *g, const char *name)
{
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g, &(steady_actor_opts){.name = name, .run = idle_run}, &a),
                     STEADY_OK);
    return a;
}

static steady_actor_info info_of(steady_graph *g, uint32_t id)
{
    steady_actor_info info[4];
    assert_true(steady_inspect_actors(g, info, 4) > id);
    return info[id];
}

static void *flap(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        steady_link_set_state(arg, STEADY_LINK_UP);
        steady_link_set_state(arg, STEADY_LINK_DOWN);
    }
    return NULL;
}

static void a_link_is_described_and_followed(void **state)
{
    (void)state;
    steady_graph *g = new_graph("linked");
    steady_actor *plain = idle(g, "plain"), *bridge = idle(g, "bridge");
    assert_int_equal(steady_link_state_get(bridge), STEADY_LINK_NONE);
    assert_int_equal(steady_link_describe(bridge, "nats egress", "nats://10.0.0.1:4222/a"),
                     STEADY_OK);
    assert_int_equal(steady_link_state_get(bridge), STEADY_LINK_DOWN);
    steady_actor_info i = info_of(g, 1), p = info_of(g, 0);
    assert_string_equal(i.link_kind, "nats egress");
    assert_string_equal(i.link_endpoint, "nats://10.0.0.1:4222/a");
    assert_int_equal(i.link_state, STEADY_LINK_DOWN);
    assert_null(p.link_kind);
    assert_null(p.link_endpoint);
    assert_int_equal(p.link_state, STEADY_LINK_NONE);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_link_set_state(bridge, STEADY_LINK_UP);
    assert_int_equal(info_of(g, 1).link_state, STEADY_LINK_UP);
    /* another thread flaps it 1,000 times: every up -> down is counted */
    pthread_t t;
    pthread_create(&t, NULL, flap, bridge);
    pthread_join(t, NULL);
    i = info_of(g, 1);
    assert_int_equal(i.link_state, STEADY_LINK_DOWN);
    assert_int_equal(i.link_downs, 1000);
    steady_link_set_state(bridge, STEADY_LINK_DOWN); /* down again: not another down */
    assert_int_equal(info_of(g, 1).link_downs, 1000);
    /* after start: the description is frozen */
    assert_int_equal(steady_link_describe(plain, "x", "y"), STEADY_ESTATE);
    assert_last_error_mentions("before steady_graph_start()", "steady_link_set_state", NULL);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

static void link_calls_refuse_misuse(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad");
    steady_actor *a = idle(g, "a");
    assert_int_equal(steady_link_describe(NULL, "k", "e"), STEADY_EINVAL);
    assert_int_equal(steady_link_describe(a, NULL, "e"), STEADY_EINVAL);
    assert_int_equal(steady_link_describe(a, "k", NULL), STEADY_EINVAL);
    assert_int_equal(steady_link_describe(a, "", "e"), STEADY_EINVAL);
    assert_int_equal(steady_link_describe(a, "k", ""), STEADY_EINVAL);
    assert_last_error_mentions("a kind and an endpoint are needed", NULL);
    char huge[STEADY_LINK_ENDPOINT_MAX + 1];
    memset(huge, 'e', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    assert_int_equal(steady_link_describe(a, "k", huge), STEADY_EINVAL);
    assert_last_error_mentions("actor 'a'", "too long", NULL);
    huge[STEADY_LINK_ENDPOINT_MAX - 1] = 0; /* the longest that fits */
    assert_int_equal(steady_link_describe(a, "k", huge), STEADY_OK);
    huge[STEADY_LINK_KIND_MAX] = 0;
    assert_int_equal(steady_link_describe(a, huge, "e"), STEADY_EINVAL);
    steady_link_set_state(NULL, STEADY_LINK_UP); /* ignored, with a detail */
    assert_last_error_mentions("the actor is NULL", NULL);
    steady_link_set_state(a, STEADY_LINK_NONE);
    assert_last_error_mentions("STEADY_LINK_UP or STEADY_LINK_DOWN", NULL);
    steady_link_set_state(a, (steady_link_state)99);
    assert_int_equal(steady_link_state_get(a), STEADY_LINK_DOWN);
    steady_actor *b = idle(g, "b");
    steady_link_set_state(b, STEADY_LINK_UP);
    assert_last_error_mentions("actor 'b' has no link", "steady_link_describe", NULL);
    assert_int_equal(steady_link_state_get(b), STEADY_LINK_NONE);
    assert_int_equal(steady_link_state_get(NULL), STEADY_LINK_NONE);
    assert_string_equal(steady_link_state_name(STEADY_LINK_UP), "up");
    assert_string_equal(steady_link_state_name(STEADY_LINK_DOWN), "down");
    assert_string_equal(steady_link_state_name(STEADY_LINK_NONE), "none");
    assert_string_equal(steady_link_state_name((steady_link_state)7), "?");
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_link_is_described_and_followed),
        cmocka_unit_test(link_calls_refuse_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
