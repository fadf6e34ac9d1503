/* state_test.c — specification of state blocks (core/state.c, steady/actor.h).
 *
 * The initialiser runs once, on main, in steady_graph_start, before any actor; a block without
 * one is zeroed; a durable block is loaded when its file is valid (no initialiser), initialised
 * with a log line when it is missing or unusable; steady_actor_persist is refused to other
 * threads while the actor runs and allowed to main after the stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "steady_test_support.h"

typedef struct counter {
    uint64_t value;
    uint64_t init_thread; /* pthread_self of the thread that ran the initialiser */
    uint32_t inits;
} counter;

static _Atomic int actor_ran_before_init;

static void init_counter(void *block, void *arg)
{
    counter *c = block;
    c->value = (uint64_t)(uintptr_t)arg;
    c->init_thread = (uint64_t)pthread_self();
    c->inits++;
}

static int count_run(steady_actor *a, void *arg)
{
    (void)arg;
    counter *c = steady_actor_state(a);
    if (c->inits == 0)
        atomic_store(&actor_ran_before_init, 1);
    c->value++;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static steady_actor *spawn_counter(steady_graph *g, const char *path, steady_state_init_fn init)
{
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "counter",
                                                             .run = count_run,
                                                             .state_size = sizeof(counter),
                                                             .state_init = init,
                                                             .state_init_arg = (void *)41,
                                                             .state_path = path},
                                        &a),
                     STEADY_OK);
    return a;
}

static void stop(steady_graph *g)
{
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
}

static void the_initialiser_runs_once_on_main_before_any_actor(void **state)
{
    (void)state;
    atomic_store(&actor_ran_before_init, 0);
    steady_graph *g = new_graph("init");
    steady_actor *a = spawn_counter(g, NULL, init_counter);
    assert_int_equal(((counter *)steady_actor_state(a))->inits, 0); /* not before start */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    stop(g);
    counter *c = steady_actor_state(a);
    assert_int_equal(c->inits, 1);
    assert_true(c->init_thread == (uint64_t)pthread_self());
    assert_int_equal(c->value, 42);
    assert_int_equal(atomic_load(&actor_ran_before_init), 0);
    steady_graph_free(g);
}

static void a_block_without_an_initialiser_is_zeroed(void **state)
{
    (void)state;
    steady_graph *g = new_graph("zeroed");
    steady_actor *a = spawn_counter(g, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    stop(g);
    assert_int_equal(((counter *)steady_actor_state(a))->value, 1);
    steady_graph_free(g);
}

static void a_durable_block_is_loaded_or_initialised_with_a_log_line(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/steady-state-test-%d.bin", (int)getpid());
    unlink(path);
    capture_start();
    steady_graph *g = new_graph("durable"); /* 1: no file: initialised, then saved */
    spawn_counter(g, path, init_counter);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    stop(g);
    steady_graph_free(g);
    assert_non_null(strstr(captured, "no saved state at"));
    g = new_graph("durable"); /* 2: loaded: the initialiser does not run */
    steady_actor *a = spawn_counter(g, path, init_counter);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    stop(g);
    counter *c = steady_actor_state(a);
    assert_int_equal(c->inits, 1);  /* from the first graph */
    assert_int_equal(c->value, 43); /* 42 saved, +1 */
    steady_graph_free(g);
    FILE *f = fopen(path, "r+"); /* 3: damaged: initialised again, with a warning */
    assert_non_null(f);
    fseek(f, 40, SEEK_SET);
    fputc('!', f);
    fclose(f);
    g = new_graph("durable");
    a = spawn_counter(g, path, init_counter);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    stop(g);
    assert_int_equal(((counter *)steady_actor_state(a))->value, 42);
    steady_graph_free(g);
    capture_stop();
    unlink(path);
    assert_non_null(strstr(captured, "state loaded from"));
    assert_non_null(strstr(captured, "is not usable"));
}

static void persist_belongs_to_the_actor_while_it_runs(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/steady-persist-test-%d.bin", (int)getpid());
    steady_graph *g = new_graph("persist");
    steady_actor *a = spawn_counter(g, path, init_counter);
    steady_actor *plain = NULL;
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "plain", .run = count_run, .state_size = sizeof(counter)},
            &plain),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_actor_persist(a), STEADY_ENOTOWNER); /* main, while it runs */
    assert_last_error_mentions("'counter'", "only the actor itself", NULL);
    stop(g);
    assert_int_equal(steady_actor_persist(a), STEADY_OK); /* main, after the stop */
    assert_int_equal(steady_actor_persist(plain), STEADY_EINVAL);
    assert_last_error_mentions("'plain'", "state_path", NULL);
    assert_int_equal(steady_actor_persist(NULL), STEADY_EINVAL);
    steady_graph_free(g);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_initialiser_runs_once_on_main_before_any_actor),
        cmocka_unit_test(a_block_without_an_initialiser_is_zeroed),
        cmocka_unit_test(a_durable_block_is_loaded_or_initialised_with_a_log_line),
        cmocka_unit_test(persist_belongs_to_the_actor_while_it_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
