/*
 * troupe_test.c: specification of placement (SOLO / MEMBER), identity, state blocks, busy time
 * and pinning (steady/actor.h).
 *
 * Actors record what they see into plain structs that main reads after block_until_stopped
 * (which joins the actor threads, so those reads are ordered after the writes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static steady_troupe *new_troupe(steady_graph *g, const char *name)
{
    steady_troupe *t = NULL;
    steady_troupe_opts o = {.name = name};
    assert_int_equal(steady_troupe_new(g, &o, &t), STEADY_OK);
    return t;
}

static steady_actor *spawn_opts(steady_graph *g, const steady_actor_opts *o)
{
    steady_actor *a = NULL;
    steady_err e = steady_actor_spawn(g, o, &a);
    if (e != STEADY_OK)
        fail_msg("spawn '%s': %s: %s", o->name, steady_strerror(e), steady_last_error());
    return a;
}

static void run_until_all_returned(steady_graph *g)
{
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    if (e != STEADY_OK) {
        char report[2048];
        steady_graph_report(g, report, sizeof report);
        fail_msg("graph did not stop cleanly: %s", report);
    }
}

/* ---- 1,000 members on one thread ------------------------------------------------------------ */

enum { MEMBERS = 1000 };

struct member_seen {
    pid_t tid_first, tid_last;
    pthread_t self;
    int waits;
    bool completed;
};

static int member_run(steady_actor *a, void *arg)
{
    struct member_seen *m = arg;
    m->tid_first = gettid();
    m->self = pthread_self();
    for (int i = 0; i < 3; i++) /* every wait hands the thread to the next member */
        if (steady_wait_timeout(a, 0) == STEADY_TIMEOUT)
            m->waits++;
    m->tid_last = gettid();
    m->completed = true;
    return 0;
}

static void thousand_members_of_one_troupe_share_one_thread_and_all_complete(void **state)
{
    (void)state;
    struct member_seen *seen = calloc(MEMBERS, sizeof *seen);
    assert_non_null(seen);
    steady_graph *g = new_graph("thousand");
    steady_troupe *t = new_troupe(g, "crowd");
    for (unsigned i = 0; i < MEMBERS; i++) {
        steady_actor_opts o = {.name = "member",
                               .has_suffix = true,
                               .suffix = i,
                               .run = member_run,
                               .arg = &seen[i],
                               .troupe = t,
                               .stack_size = 64 * 1024};
        spawn_opts(g, &o);
    }
    run_until_all_returned(g);
    steady_graph_free(g);

    pid_t main_tid = gettid();
    for (unsigned i = 0; i < MEMBERS; i++) {
        if (!seen[i].completed || seen[i].waits != 3)
            fail_msg("member %u: completed %d, waits %d", i, seen[i].completed, seen[i].waits);
        assert_int_equal(seen[i].tid_first, seen[0].tid_first);
        assert_int_equal(seen[i].tid_last, seen[0].tid_first);
        assert_true(pthread_equal(seen[i].self, seen[0].self));
    }
    assert_true(seen[0].tid_first != main_tid);
    free(seen);
}

/* ---- the same function in every placement --------------------------------------------------- */

enum { FIZZ_VALUES = 100000 };

struct fizz_totals {
    uint64_t fizz, buzz, fizzbuzz, plain, sum;
};

struct fizz_io {
    u64ch_tx gen_out, work_out;
    u64ch_rx work_in, log_in;
    struct fizz_totals totals;
    uint64_t generated;
};

/* Kinds travel as value * 4 + kind: 0 plain, 1 fizz, 2 buzz, 3 fizzbuzz. */
static uint64_t fizz_of(uint64_t v)
{
    unsigned kind = v % 15 == 0 ? 3 : v % 3 == 0 ? 1 : v % 5 == 0 ? 2 : 0;
    return v * 4 + kind;
}

static int fizz_generator(steady_actor *a, void *arg)
{
    struct fizz_io *io = arg;
    while (io->generated < FIZZ_VALUES) {
        if (steady_wait_vacant(a, io->gen_out, 16) == STEADY_CLOSED)
            break;
        while (io->generated < FIZZ_VALUES &&
               u64ch_tx_try_send(io->gen_out, io->generated) == STEADY_OK)
            io->generated++;
    }
    return 0; /* closes gen_out */
}

static int fizz_worker(steady_actor *a, void *arg)
{
    struct fizz_io *io = arg;
    for (;;) {
        steady_reason r =
            steady_wait_all(a, STEADY_AVAIL(io->work_in, 8), STEADY_VACANT(io->work_out, 8)).reason;
        uint64_t v;
        while (u64ch_tx_vacant(io->work_out) > 0 && u64ch_rx_try_take(io->work_in, &v) == STEADY_OK)
            u64ch_tx_try_send(io->work_out, fizz_of(v));
        if (r == STEADY_CLOSED && u64ch_rx_is_closed_and_empty(io->work_in))
            return 0;
    }
}

static int fizz_logger(steady_actor *a, void *arg)
{
    struct fizz_io *io = arg;
    for (;;) {
        steady_reason r = steady_wait_avail(a, io->log_in, 8);
        uint64_t m;
        while (u64ch_rx_try_take(io->log_in, &m) == STEADY_OK) {
            uint64_t *bucket[] = {&io->totals.plain, &io->totals.fizz, &io->totals.buzz,
                                  &io->totals.fizzbuzz};
            (*bucket[m % 4])++;
            io->totals.sum += m / 4;
        }
        if (r == STEADY_CLOSED)
            return 0;
    }
}

enum placement { ALL_SOLO, ALL_MEMBERS, MIXED };

static struct fizz_totals run_fizz(enum placement how)
{
    struct fizz_io io = {0};
    steady_graph *g = new_graph("fizz");
    assert_int_equal(u64ch_new(g, "values", 100, &io.gen_out, &io.work_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "messages", 37, &io.work_out, &io.log_in), STEADY_OK);
    steady_troupe *t = how == ALL_SOLO ? NULL : new_troupe(g, "fizz-troupe");
    steady_actor_opts gen = {.name = "generator",
                             .run = fizz_generator,
                             .arg = &io,
                             .troupe = how == ALL_MEMBERS ? t : NULL,
                             .txs = STEADY_TXS(io.gen_out)};
    steady_actor_opts work = {.name = "worker",
                              .run = fizz_worker,
                              .arg = &io,
                              .troupe = t,
                              .txs = STEADY_TXS(io.work_out),
                              .rxs = STEADY_RXS(io.work_in)};
    steady_actor_opts logger = {.name = "logger",
                                .run = fizz_logger,
                                .arg = &io,
                                .troupe = t,
                                .rxs = STEADY_RXS(io.log_in)};
    spawn_opts(g, &gen);
    spawn_opts(g, &work);
    spawn_opts(g, &logger);
    run_until_all_returned(g);
    steady_graph_free(g);
    return io.totals;
}

static void same_actor_function_gives_identical_results_solo_and_as_members(void **state)
{
    (void)state;
    struct fizz_totals want = {0};
    for (uint64_t v = 0; v < FIZZ_VALUES; v++) {
        uint64_t m = fizz_of(v);
        uint64_t *bucket[] = {&want.plain, &want.fizz, &want.buzz, &want.fizzbuzz};
        (*bucket[m % 4])++;
        want.sum += v;
    }
    const enum placement ways[] = {ALL_SOLO, ALL_MEMBERS, MIXED};
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        struct fizz_totals got = run_fizz(ways[i]);
        assert_int_equal(got.fizz, want.fizz);
        assert_int_equal(got.buzz, want.buzz);
        assert_int_equal(got.fizzbuzz, want.fizzbuzz);
        assert_int_equal(got.plain, want.plain);
        assert_true(got.sum == want.sum);
    }
    assert_int_equal(want.fizzbuzz, (FIZZ_VALUES + 14) / 15);
}

/* ---- members interleave at waits ------------------------------------------------------------ */

struct shared_log {
    char text[64];
    size_t len;
};

struct writer {
    struct shared_log *log;
    char letter;
};

static int writer_run(steady_actor *a, void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < 5; i++) {
        w->log->text[w->log->len++] = w->letter; /* one thread: no race between members */
        steady_wait_timeout(a, 0);
    }
    return 0;
}

static void members_interleave_at_every_wait(void **state)
{
    (void)state;
    struct shared_log log = {0};
    struct writer wa = {&log, 'A'}, wb = {&log, 'B'};
    steady_graph *g = new_graph("interleave");
    steady_troupe *t = new_troupe(g, "pair");
    spawn_opts(g, &(steady_actor_opts){.name = "a", .run = writer_run, .arg = &wa, .troupe = t});
    spawn_opts(g, &(steady_actor_opts){.name = "b", .run = writer_run, .arg = &wb, .troupe = t});
    run_until_all_returned(g);
    steady_graph_free(g);
    /* The default scheduler is round-robin in spawn order; a wait always lets the next run. */
    assert_string_equal(log.text, "ABABABABAB");
}

/* ---- thread names --------------------------------------------------------------------------- */

struct names_seen {
    char pthread_name[32];
    char comm[32];
};

static int namer_run(steady_actor *a, void *arg)
{
    (void)a;
    struct names_seen *n = arg;
    pthread_getname_np(pthread_self(), n->pthread_name, sizeof n->pthread_name);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)gettid());
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(n->comm, sizeof n->comm, f))
            n->comm[strcspn(n->comm, "\n")] = '\0';
        fclose(f);
    }
    return 0;
}

static void actor_threads_are_named_after_their_actor_or_troupe(void **state)
{
    (void)state;
    struct names_seen plain = {0}, long_name = {0}, suffixed = {0}, member = {0};
    steady_graph *g = new_graph("names");
    steady_troupe *t = new_troupe(g, "name-troupe");
    spawn_opts(g, &(steady_actor_opts){.name = "namer", .run = namer_run, .arg = &plain});
    spawn_opts(g, &(steady_actor_opts){
                      .name = "a_rather_long_actor_name", .run = namer_run, .arg = &long_name});
    spawn_opts(g, &(steady_actor_opts){.name = "pipeline_stage_worker",
                                       .has_suffix = true,
                                       .suffix = 123,
                                       .run = namer_run,
                                       .arg = &suffixed});
    spawn_opts(
        g, &(steady_actor_opts){.name = "member", .run = namer_run, .arg = &member, .troupe = t});
    run_until_all_returned(g);
    steady_graph_free(g);

    assert_string_equal(plain.pthread_name, "namer");
    assert_string_equal(plain.comm, "namer");
    /* Linux keeps 15 bytes: long names are cut, a numeric suffix is kept. */
    assert_int_equal(strlen(long_name.comm), 15);
    assert_memory_equal(long_name.comm, "a_rather_long_actor_name", 14);
    assert_string_equal(long_name.pthread_name, long_name.comm);
    assert_int_equal(strlen(suffixed.comm), 15);
    assert_memory_equal(suffixed.comm, "pipeline_st", 11);
    assert_string_equal(suffixed.comm + 12, "123");
    assert_string_equal(member.comm, "name-troupe");
}

/* ---- identity ------------------------------------------------------------------------------- */

struct identity_seen {
    const char *name, *label;
    bool has_suffix;
    unsigned suffix;
    uint32_t id, regeneration;
    void *args;
    steady_graph *graph;
    bool is_member;
    steady_actor *self, *current;
    void *arg;
};

static int identity_run(steady_actor *a, void *arg)
{
    struct identity_seen *s = arg;
    s->name = steady_actor_name(a);
    s->label = steady_actor_label(a);
    s->has_suffix = steady_actor_suffix(a, &s->suffix);
    s->id = steady_actor_id(a);
    s->regeneration = steady_actor_regeneration(a);
    s->args = steady_actor_args(a);
    s->graph = steady_actor_graph(a);
    s->is_member = steady_actor_is_member(a);
    s->self = a;
    s->current = steady_actor_current();
    s->arg = arg;
    return 0;
}

static void actor_sees_its_identity_args_and_placement(void **state)
{
    (void)state;
    int graph_args = 42;
    struct identity_seen first = {0}, worker = {0}, member = {0};
    steady_graph *g = new_graph_opts(
        &(steady_graph_opts){.name = "identity", .args = &graph_args, .no_signal_handlers = true});
    steady_troupe *t = new_troupe(g, "ids");
    steady_actor *a0 =
        spawn_opts(g, &(steady_actor_opts){.name = "first", .run = identity_run, .arg = &first});
    steady_actor *a1 = spawn_opts(g, &(steady_actor_opts){.name = "worker",
                                                          .has_suffix = true,
                                                          .suffix = 3,
                                                          .run = identity_run,
                                                          .arg = &worker});
    steady_actor *a2 = spawn_opts(
        g,
        &(steady_actor_opts){.name = "member", .run = identity_run, .arg = &member, .troupe = t});
    assert_null(steady_actor_current()); /* main is not an actor */
    assert_ptr_equal(steady_graph_args(g), &graph_args);
    run_until_all_returned(g);

    assert_string_equal(worker.name, "worker");
    assert_string_equal(worker.label, "worker-3");
    assert_true(worker.has_suffix);
    assert_int_equal(worker.suffix, 3);
    assert_false(first.has_suffix);
    assert_string_equal(first.label, "first");
    assert_int_equal(first.id, 0);
    assert_int_equal(worker.id, 1);
    assert_int_equal(member.id, 2);
    assert_int_equal(worker.regeneration, 0);
    assert_ptr_equal(worker.args, &graph_args);
    assert_ptr_equal(worker.graph, g);
    assert_ptr_equal(worker.arg, &worker);
    assert_ptr_equal(first.self, a0);
    assert_ptr_equal(worker.self, a1);
    assert_ptr_equal(member.self, a2);
    assert_ptr_equal(worker.current, a1);
    assert_ptr_equal(member.current, a2);
    assert_false(worker.is_member);
    assert_true(member.is_member);
    assert_string_equal(steady_actor_label(a1), "worker-3"); /* main may read it too */
    steady_graph_free(g);
}

/* ---- state blocks --------------------------------------------------------------------------- */

struct counter_state {
    uint64_t start, value;
    unsigned passes;
};

static _Atomic int init_calls;
static pthread_t init_thread;

static void counter_init(void *state, void *init_arg)
{
    struct counter_state *s = state;
    atomic_fetch_add(&init_calls, 1);
    init_thread = pthread_self();
    s->start = *(const uint64_t *)init_arg;
    s->value = s->start;
}

struct state_seen {
    uint64_t start_seen;
    bool was_zero_elsewhere;
};

static int counter_run(steady_actor *a, void *arg)
{
    struct state_seen *seen = arg;
    struct counter_state *s = steady_actor_state(a);
    seen->start_seen = s->value;
    seen->was_zero_elsewhere = s->passes == 0;
    for (int i = 0; i < 5; i++) {
        steady_wait_timeout(a, 0);
        s->value++;
        s->passes++;
    }
    return 0;
}

static int stateless_run(steady_actor *a, void *arg)
{
    *(void **)arg = steady_actor_state(a);
    return 0;
}

static void run_counter_graph(uint64_t start, struct state_seen *seen, uint64_t *final_value)
{
    steady_graph *g = new_graph("state");
    void *stateless_state = (void *)1;
    steady_actor *a = spawn_opts(g, &(steady_actor_opts){.name = "counter",
                                                         .run = counter_run,
                                                         .arg = seen,
                                                         .state_size = sizeof(struct counter_state),
                                                         .state_init = counter_init,
                                                         .state_init_arg = &start});
    spawn_opts(g, &(steady_actor_opts){
                      .name = "stateless", .run = stateless_run, .arg = &stateless_state});
    assert_int_equal(atomic_load(&init_calls), 0); /* not before start */
    run_until_all_returned(g);
    *final_value = ((struct counter_state *)steady_actor_state(a))->value; /* main, after stop */
    assert_null(stateless_state);
    steady_graph_free(g);
}

static void state_block_is_initialised_once_and_read_by_main_after_the_stop(void **state)
{
    (void)state;
    struct state_seen seen = {0};
    uint64_t final_value = 0;
    atomic_store(&init_calls, 0);
    run_counter_graph(100, &seen, &final_value);
    assert_int_equal(atomic_load(&init_calls), 1);
    assert_true(pthread_equal(init_thread, pthread_self())); /* on main, in start */
    assert_int_equal(seen.start_seen, 100);
    assert_true(seen.was_zero_elsewhere); /* the rest of the block is zeroed */
    assert_int_equal(final_value, 105);

    /* A second graph run starts again from the init values. */
    struct state_seen again = {0};
    atomic_store(&init_calls, 0);
    run_counter_graph(100, &again, &final_value);
    assert_int_equal(atomic_load(&init_calls), 1);
    assert_int_equal(again.start_seen, 100);
    assert_int_equal(final_value, 105);
}

/* ---- busy time ------------------------------------------------------------------------------ */

static int busy_run(steady_actor *a, void *arg)
{
    (void)arg;
    uint64_t end = now_ns() + 60000000u; /* 60 ms of work, split by waits */
    while (now_ns() < end) {
        uint64_t slice = now_ns() + 5000000u;
        while (now_ns() < slice) {
        }
        steady_wait_timeout(a, 0);
    }
    return 0;
}

static int idle_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void busy_time_counts_running_not_waiting(void **state)
{
    (void)state;
    steady_graph *g = new_graph("busy");
    steady_troupe *t = new_troupe(g, "busy-troupe");
    steady_actor *busy = spawn_opts(g, &(steady_actor_opts){.name = "busy", .run = busy_run});
    steady_actor *idle = spawn_opts(g, &(steady_actor_opts){.name = "idle", .run = idle_run});
    steady_actor *busy_member =
        spawn_opts(g, &(steady_actor_opts){.name = "busy-member", .run = busy_run, .troupe = t});
    steady_actor *idle_member =
        spawn_opts(g, &(steady_actor_opts){.name = "idle-member", .run = idle_run, .troupe = t});
    uint64_t t0 = now_ns();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    struct timespec ts = {0, 300000000L};
    nanosleep(&ts, NULL);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    uint64_t wall = now_ns() - t0;
    uint64_t b = steady_actor_busy_ns(busy), i = steady_actor_busy_ns(idle);
    uint64_t bm = steady_actor_busy_ns(busy_member), im = steady_actor_busy_ns(idle_member);
    steady_graph_free(g);

    print_message("busy %.1f ms, idle %.3f ms, busy member %.1f ms, idle member %.3f ms\n",
                  (double)b / 1e6, (double)i / 1e6, (double)bm / 1e6, (double)im / 1e6);
    assert_true(b >= 55000000u && b <= wall);
    assert_true(bm >= 55000000u && bm <= wall);
    assert_true(i < 10000000u);
    assert_true(im < 10000000u);
}

/* ---- pinning -------------------------------------------------------------------------------- */

struct cpu_seen {
    int cpus[4];
    int allowed;
};

static int where_run(steady_actor *a, void *arg)
{
    struct cpu_seen *c = arg;
    for (int i = 0; i < 4; i++) {
        c->cpus[i] = sched_getcpu();
        steady_wait_timeout(a, STEADY_MS(1));
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        c->allowed = CPU_COUNT(&set);
    return 0;
}

/* The first and the last CPU this process may use (a CI runner may restrict the set). */
static void allowed_cpu_range(int *first, int *last)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    *first = *last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET((size_t)c, &set)) {
            if (*first < 0)
                *first = c;
            *last = c;
        }
    assert_true(*first >= 0);
}

static void pinned_actor_and_troupe_run_on_their_core(void **state)
{
    (void)state;
    int first, last;
    allowed_cpu_range(&first, &last);
    struct cpu_seen solo = {0}, member = {0};
    steady_graph *g = new_graph("pinning");
    steady_troupe *t = NULL;
    steady_troupe_opts to = {.name = "pinned-troupe", .pin = true, .core = last};
    assert_int_equal(steady_troupe_new(g, &to, &t), STEADY_OK);
    spawn_opts(g,
               &(steady_actor_opts){
                   .name = "pinned", .run = where_run, .arg = &solo, .pin = true, .core = first});
    spawn_opts(
        g, &(steady_actor_opts){.name = "member", .run = where_run, .arg = &member, .troupe = t});
    run_until_all_returned(g);
    steady_graph_free(g);

    for (int i = 0; i < 4; i++) {
        assert_int_equal(solo.cpus[i], first); /* core 0 on an unrestricted machine */
        assert_int_equal(member.cpus[i], last);
    }
    assert_int_equal(solo.allowed, 1);
    assert_int_equal(member.allowed, 1);
}

static char warned[4096];
static size_t warned_len;

static void warn_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    if (level == STEADY_LOG_WARN && warned_len + len + 2 < sizeof warned) {
        memcpy(warned + warned_len, line, len);
        warned_len += len;
        warned[warned_len++] = '\n';
        warned[warned_len] = '\0';
    }
}

static void pinning_to_a_core_that_does_not_exist_warns_and_runs_unpinned(void **state)
{
    (void)state;
    struct cpu_seen solo = {0};
    warned_len = 0;
    warned[0] = '\0';
    steady_graph *g = new_graph("bad-pin");
    spawn_opts(g,
               &(steady_actor_opts){
                   .name = "nowhere", .run = where_run, .arg = &solo, .pin = true, .core = 1000});
    steady_log_set_sink(warn_sink, NULL);
    run_until_all_returned(g);
    steady_log_set_sink(NULL, NULL);
    steady_graph_free(g);

    assert_true(solo.cpus[0] >= 0);
    cpu_set_t mine;
    CPU_ZERO(&mine);
    assert_int_equal(sched_getaffinity(0, sizeof mine, &mine), 0);
    assert_int_equal(solo.allowed, CPU_COUNT(&mine)); /* unpinned: the process's whole set */
    if (!strstr(warned, "'nowhere'") || !strstr(warned, "core 1000"))
        fail_msg("no warning naming the actor and the core: %s", warned);
}

/* ---- a scheduler that picks out of range ---------------------------------------------------- */

static size_t broken_next(void *ctx, size_t n, size_t last)
{
    _Atomic int *calls = ctx;
    return atomic_fetch_add(calls, 1) % 2 ? n + 5 : (last + 1) % n; /* every other is wrong */
}

static int count_to_three(steady_actor *a, void *arg)
{
    _Atomic int *done = arg;
    for (int i = 0; i < 3; i++)
        steady_wait_timeout(a, STEADY_MS(1));
    atomic_fetch_add(done, 1);
    return 0;
}

/* Regression: an index >= n_members read past the member array (a crash, or a stray
 * "member" run); the pick now falls back to round-robin, and the first one is logged. */
static void a_scheduler_that_picks_out_of_range_is_named_and_round_robin_takes_over(void **state)
{
    (void)state;
    _Atomic int calls = 0, done = 0;
    steady_graph *g = new_graph("bad-sched");
    steady_troupe *t = NULL;
    steady_troupe_opts o = {.name = "picky",
                            .sched = &(steady_sched){.next = broken_next, .ctx = &calls}};
    assert_int_equal(steady_troupe_new(g, &o, &t), STEADY_OK);
    for (unsigned i = 0; i < 3; i++)
        spawn_opts(g, &(steady_actor_opts){.name = "m",
                                           .has_suffix = true,
                                           .suffix = i,
                                           .run = count_to_three,
                                           .arg = &done,
                                           .troupe = t});
    capture_start();
    run_until_all_returned(g);
    capture_stop();
    steady_graph_free(g);
    assert_int_equal(atomic_load(&done), 3);
    if (!strstr(captured, "troupe 'picky': its scheduler returned 8 for 3 members") ||
        strstr(strstr(captured, "its scheduler returned") + 1, "its scheduler returned"))
        fail_msg("want one ERROR line naming the bad pick:\n%s", captured);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thousand_members_of_one_troupe_share_one_thread_and_all_complete),
        cmocka_unit_test(same_actor_function_gives_identical_results_solo_and_as_members),
        cmocka_unit_test(members_interleave_at_every_wait),
        cmocka_unit_test(actor_threads_are_named_after_their_actor_or_troupe),
        cmocka_unit_test(actor_sees_its_identity_args_and_placement),
        cmocka_unit_test(state_block_is_initialised_once_and_read_by_main_after_the_stop),
        cmocka_unit_test(busy_time_counts_running_not_waiting),
        cmocka_unit_test(pinned_actor_and_troupe_run_on_their_core),
        cmocka_unit_test(pinning_to_a_core_that_does_not_exist_warns_and_runs_unpinned),
        cmocka_unit_test(a_scheduler_that_picks_out_of_range_is_named_and_round_robin_takes_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
