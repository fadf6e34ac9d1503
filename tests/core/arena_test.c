/* arena_test.c — what a failed generation leaves behind: its arena memory and clean-ups are
 * released (10^4 crash loops leak nothing: LSan checks it under the address sanitizer), while
 * the state block survives, in memory and, when durable, on disk across graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

#define CRASH_LOOPS 10000

typedef struct loop_io {
    int crash_loops;
    _Atomic int cleanups;
    _Atomic int order_ok; /* clean-ups ran last-registered first */
    _Atomic int done;
    _Atomic size_t bytes_at_start; /* arena bytes a new generation found (must be 0) */
} loop_io;

typedef struct order_ctx {
    loop_io *io;
    int *last; /* in the state block: which clean-up ran last in this generation */
    int mine;
} order_ctx;

static void cleanup(void *p)
{
    order_ctx *c = p;
    atomic_fetch_add(&c->io->cleanups, 1);
    /* LIFO: the second registered (2) runs before the first (1). */
    if ((c->mine == 2 && *c->last == 0) || (c->mine == 1 && *c->last == 2))
        atomic_fetch_add(&c->io->order_ok, 1);
    *c->last = c->mine;
}

typedef struct loop_state {
    int gens;
    int last;
} loop_state;

static int crash_looper(steady_actor *a, void *arg)
{
    loop_io *io = arg;
    loop_state *st = steady_actor_state(a);
    int gen = st->gens++;
    st->last = 0;
    size_t b = steady_arena_bytes(a);
    if (b)
        atomic_store(&io->bytes_at_start, b);
    char *small = steady_arena_alloc(a, 100);
    char *big = steady_arena_alloc(a, 1 << 16);
    char *grown = steady_arena_realloc(a, NULL, 10);
    EXPECT(small && big && grown);
    EXPECT(small[99] == 0 && big[65535] == 0); /* zeroed */
    EXPECT(((uintptr_t)big & 15) == 0);
    grown = steady_arena_realloc(a, grown, 5000);
    EXPECT(grown != NULL);
    char *early = steady_arena_alloc(a, 7);
    steady_arena_free(a, early);
    EXPECT(steady_arena_bytes(a) == 100 + (1 << 16) + 5000);
    order_ctx *c1 = steady_arena_alloc(a, sizeof *c1), *c2 = steady_arena_alloc(a, sizeof *c2);
    *c1 = (order_ctx){io, &st->last, 1};
    *c2 = (order_ctx){io, &st->last, 2};
    EXPECT(steady_arena_defer(a, cleanup, c1) == STEADY_OK);
    EXPECT(steady_arena_defer(a, cleanup, c2) == STEADY_OK);
    if (gen < io->crash_loops)
        steady_panic("crash loop %d", gen);
    atomic_store(&io->done, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0; /* the last generation's arena is released at its return */
}

static void ten_thousand_crash_loops_leak_nothing(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("crash-loops");
    loop_io io = {.crash_loops = CRASH_LOOPS};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    p.max_restarts = STEADY_UNLIMITED;
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "looper",
                                                             .run = crash_looper,
                                                             .arg = &io,
                                                             .policy = &p,
                                                             .state_size = sizeof(loop_state)},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (!atomic_load(&io.done) && ms_since(t0) < 60000)
        sleep_ms(5);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_log_set_level(old);
    assert_no_failed_expectation();
    assert_true(atomic_load(&io.done));
    assert_int_equal(steady_actor_restarts(a), CRASH_LOOPS);
    assert_int_equal(((loop_state *)steady_actor_state(a))->gens, CRASH_LOOPS + 1);
    assert_int_equal(atomic_load(&io.cleanups), 2 * (CRASH_LOOPS + 1));
    assert_int_equal(atomic_load(&io.order_ok), 2 * (CRASH_LOOPS + 1));
    assert_int_equal(atomic_load(&io.bytes_at_start), 0);
    assert_int_equal(steady_arena_bytes(a), 0);
    steady_graph_free(g);
}

static int trespasser(steady_actor *a, void *arg)
{
    steady_actor **victim = arg;
    steady_arena_alloc(*victim, 8); /* not ours: fails this actor */
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int idle_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void using_another_actors_arena_fails_the_caller(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph_no_restart("arena-misuse");
    steady_actor *victim = NULL, *intruder = NULL;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "victim", .run = idle_run}, &victim),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "intruder", .run = trespasser, .arg = &victim},
            &intruder),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED); /* escalated */
    capture_stop();
    assert_int_equal(steady_actor_failures(intruder), 1);
    assert_int_equal(steady_actor_failures(victim), 0);
    assert_int_equal(steady_arena_bytes(victim), 0);
    if (!strstr(captured, "an arena belongs to its own actor; actor 'intruder' used the arena of "
                          "'victim'"))
        fail_msg("no reason logged: %s", captured);
    steady_graph_free(g);
}

/* ---- durable state across graphs ---- */

typedef struct counter_state {
    uint32_t version;
    uint32_t starts;
    uint64_t total;
} counter_state;

static void counter_init(void *block, void *arg)
{
    counter_state *s = block;
    s->version = 1;
    s->total = (uint64_t)(uintptr_t)arg; /* a recognisable initial value */
}

static int durable_counter(steady_actor *a, void *arg)
{
    int *fail_gens = arg;
    counter_state *s = steady_actor_state(a);
    s->starts++;
    s->total += 10;
    if ((int)steady_actor_regeneration(a) < *fail_gens)
        steady_panic("fail %u", steady_actor_regeneration(a));
    EXPECT(steady_actor_persist(a) == STEADY_OK);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static counter_state run_durable(const char *path, int fail_gens)
{
    expect_reset();
    steady_graph *g = new_graph("durable");
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "counter",
                                                             .run = durable_counter,
                                                             .arg = &fail_gens,
                                                             .policy = &p,
                                                             .state_size = sizeof(counter_state),
                                                             .state_init = counter_init,
                                                             .state_init_arg = (void *)1000,
                                                             .state_path = path},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* While it runs, only the actor saves its own state. */
    assert_int_equal(steady_actor_persist(a), STEADY_ENOTOWNER);
    uint64_t t0 = now_ns();
    while (steady_actor_regeneration(a) < (uint32_t)fail_gens && ms_since(t0) < 5000)
        sleep_ms(1);
    sleep_ms(20);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    assert_no_failed_expectation();
    counter_state s = *(counter_state *)steady_actor_state(a);
    assert_int_equal(steady_actor_persist(a), STEADY_OK); /* main, after the stop */
    steady_graph_free(g);
    return s;
}

static void a_durable_state_is_loaded_by_the_next_graph_and_survives_failures(void **state)
{
    (void)state;
    char dir[] = "/tmp/steady-durable-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/counter.state", dir);
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    counter_state first = run_durable(path, 2); /* no file yet: initialised, then 3 starts */
    assert_int_equal(first.starts, 3);
    assert_int_equal(first.total, 1030);
    counter_state second = run_durable(path, 0); /* loaded: continues where it was */
    steady_log_set_level(STEADY_LOG_WARN);
    capture_stop();
    assert_int_equal(second.starts, 4);
    assert_int_equal(second.total, 1040);
    if (!strstr(captured, "no saved state at") || !strstr(captured, "state loaded from"))
        fail_msg("the loads were not logged: %s", captured);

    /* A corrupt file falls back to the initialiser, with a warning. */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, -1, SEEK_END);
    int c = fgetc(f);
    fseek(f, -1, SEEK_END);
    fputc(c ^ 0x5a, f);
    fclose(f);
    capture_start();
    counter_state third = run_durable(path, 0);
    capture_stop();
    assert_int_equal(third.starts, 1);
    assert_int_equal(third.total, 1010);
    if (!strstr(captured, "is not usable"))
        fail_msg("the corrupt file was not reported: %s", captured);
    unlink(path);
    rmdir(dir);
}

static void persisting_without_a_state_path_is_refused(void **state)
{
    (void)state;
    steady_graph *g = new_graph("no-path");
    steady_actor *a = NULL;
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "plain", .run = durable_counter, .state_size = 8}, &a),
        STEADY_OK);
    assert_int_equal(steady_actor_persist(a), STEADY_EINVAL);
    assert_last_error_mentions("'plain'", "state_path", NULL);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "pathonly",
                                                             .run = durable_counter,
                                                             .state_path = "/tmp/x"},
                                        NULL),
                     STEADY_EINVAL);
    assert_last_error_mentions("'pathonly'", "state_size", NULL);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ten_thousand_crash_loops_leak_nothing),
        cmocka_unit_test(using_another_actors_arena_fails_the_caller),
        cmocka_unit_test(a_durable_state_is_loaded_by_the_next_graph_and_survives_failures),
        cmocka_unit_test(persisting_without_a_state_path_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
