/* ipc_test.c — steady/ipc.h: a channel whose producer and consumer are in two processes.
 *
 * The pods are forked children, each with its own graph: a producer that sends 0, 1, 2, ...
 * (resuming at the ring's sent total, so a restarted one continues the sequence) and a
 * consumer that peeks a batch, appends it to a log file (its durable state), then takes it.
 * A restarted consumer reads its log to know the last value it kept, skips what the ring gives
 * it again (written but not taken before the kill) and checks the ring resumed where it must:
 * never past the last kept value + 1 (nothing lost), never before the batch it had not taken
 * (nothing taken comes back). The parent checks the log is exactly 0..N-1.
 *
 * The children are forked while this process is single-threaded (no graph of the parent runs
 * across a fork). Names are /steady-ipc-test-PID-K, removed by each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/steady.h>

#include "ipc_pods.h"
#include "steady_test_support.h"

#define BATCH 256

static char name_[64];

static const char *fresh_name(void)
{
    static int k;
    snprintf(name_, sizeof name_, "/steady-ipc-test-%d-%d", (int)getpid(), k++);
    return name_;
}

static bool mapping_exists(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    return access(path, F_OK) == 0;
}

/* ---- the pods ---------------------------------------------------------------------------- */

typedef struct pod {
    const char *name;
    uint64_t n;        /* the stream's length */
    uint64_t capacity; /* 0: attach to what is there */
    unsigned pace;     /* producer: after each `pace` sends, a 1 ms timer (the consumer parks) */
    bool leave_at;     /* consumer: stop its graph after taking `leave_after` (no close) */
    uint64_t leave_after;
    const char *log; /* consumer: its log file */
    /* consumer state */
    uint64_t next;        /* the value expected next */
    uint64_t batch_first; /* at attach: the first value the ring gave */
    bool first_seen;
    uint64_t resumed_from; /* at start: the log's last value + 1 */
    int fd;
    int bad;
    u64ch_tx out; /* the attached end of this pod */
    u64ch_rx in;
} pod;

static int producer_run(steady_actor *a, void *arg)
{
    pod *p = arg;
    steady_tx *tx = p->out.raw;
    steady_channel *ch = steady_tx_channel(tx);
    unsigned since = 0;
    while (STEADY_RUNNING(a, STEADY_I(steady_tx_close(tx)))) {
        uint64_t v = steady_channel_sent_total(ch);
        if (v == p->n) {
            steady_tx_close(tx);
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        if (p->pace && ++since >= p->pace) {
            since = 0;
            steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(1)));
        }
        if (steady_tx_try_send(tx, &v) != STEADY_OK)
            steady_wait_vacant(a, p->out, 1);
    }
    return 0;
}

static void consume_batch(pod *p, steady_rx *rx, steady_actor *a)
{
    uint64_t v[BATCH], keep[BATCH];
    size_t n = steady_rx_peek_slice_copy(rx, v, BATCH), k = 0;
    if (n && !p->first_seen) {
        p->first_seen = true;
        /* Nothing lost: the ring starts no later than what the log lacks; nothing taken comes
         * back: no earlier than the batch the last run wrote but did not take. */
        if (v[0] > p->resumed_from || v[0] + BATCH < p->resumed_from)
            p->bad++;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < p->next)
            continue; /* written before a kill, not taken: skipped, not kept twice */
        if (v[i] != p->next)
            p->bad++;
        keep[k++] = v[i];
        p->next = v[i] + 1;
    }
    if (k && write(p->fd, keep, k * sizeof keep[0]) != (ssize_t)(k * sizeof keep[0]))
        p->bad++;
    steady_rx_advance_take(rx, n);
    if (p->leave_at && p->next >= p->leave_after)
        steady_actor_request_shutdown(a);
}

static int consumer_run(steady_actor *a, void *arg)
{
    pod *p = arg;
    steady_rx *rx = p->in.raw;
    while (STEADY_RUNNING(a, STEADY_I(p->leave_at || steady_rx_is_closed_and_empty(rx)))) {
        if (steady_rx_is_closed_and_empty(rx)) {
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        steady_wait_avail(a, p->in, 1);
        consume_batch(p, rx, a);
    }
    return 0;
}

/* A pod's whole life in a child: 0 when it ended as designed. */
static int run_pod(void *arg, bool producer)
{
    pod *p = arg;
    steady_graph *g = NULL;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = producer ? "producer" : "consumer",
                                                  .no_signal_handlers = true}) != STEADY_OK)
        return 10;
    steady_ipc_opts o = {.name = p->name, .capacity = p->capacity, .elem_size = 8};
    steady_err e = producer ? steady_ipc_tx_attach(g, &o, &p->out.raw)
                            : steady_ipc_rx_attach(g, &o, &p->in.raw);
    if (e != STEADY_OK) {
        fprintf(stderr, "attach: %s\n", steady_last_error());
        return 11;
    }
    if (!producer) {
        p->fd = open(p->log, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        p->resumed_from = p->next = ipc_log_resume(p->fd);
    }
    /* Each list lives to the end of this function (a compound literal's block). */
    steady_tx *const *txs = STEADY_TXS(p->out);
    steady_rx *const *rxs = STEADY_RXS(p->in);
    steady_actor_opts ao = {.name = producer ? "producer" : "consumer",
                            .run = producer ? producer_run : consumer_run,
                            .arg = p,
                            .txs = producer ? txs : NULL,
                            .rxs = producer ? NULL : rxs};
    if (steady_actor_spawn(g, &ao, NULL) != STEADY_OK || steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "%s pod: %s\n", ao.name, steady_last_error());
        return 12;
    }
    e = steady_graph_block_until_stopped(g, 10000);
    if (e != STEADY_OK)
        fprintf(stderr, "%s pod: %s\n", ao.name, steady_last_error());
    /* A paced producer parks its consumer: its publishes must have woken the other process's
     * thread through the mapping's doorbell (futex wakes this graph made). */
    bool woken = !producer || !p->pace || steady_graph_futex_wakes(g) > 0;
    steady_graph_free(g);
    if (e != STEADY_OK)
        return 13;
    return p->bad ? 14 : !woken ? 15 : 0;
}

static pid_t start_pod(pod *p, bool producer)
{
    return ipc_pod_start(run_pod, p, producer);
}

#define exit_code ipc_pod_exit_code
#define assert_log_exact ipc_assert_log_exact
#define kill_live_pods ipc_pods_kill_live

static void fresh_log(char *log, size_t cap)
{
    snprintf(log, cap, "/tmp/steady-ipc-test-%d.log", (int)getpid());
    unlink(log);
}

/* ---- streams between two processes ----------------------------------------------------- */

static void a_stream_crosses_two_processes_in_order_and_its_mapping_goes_with_it(void **state)
{
    (void)state;
    char log[128];
    fresh_log(log, sizeof log);
    /* Paced, so the consumer parks and the producer's process must wake it. */
    pod p = {.name = fresh_name(), .n = 200000, .capacity = 1024, .pace = 2000, .log = log};
    pid_t c = start_pod(&p, false);
    pid_t q = start_pod(&p, true);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    assert_false(mapping_exists(p.name));
    unlink(log);
}

static void either_side_may_start_first_and_a_full_ring_holds_the_producer(void **state)
{
    (void)state;
    char log[128];
    fresh_log(log, sizeof log);
    /* The producer first, its ring far smaller than the stream: it fills and waits. */
    pod p = {.name = fresh_name(), .n = 100000, .capacity = 64, .log = log};
    pid_t q = start_pod(&p, true);
    sleep_ms(50);
    assert_true(mapping_exists(p.name));
    pod c = p;
    c.capacity = 0; /* the consumer takes the producer's capacity */
    pid_t cp = start_pod(&c, false);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(cp), 0);
    assert_log_exact(log, p.n);
    assert_false(mapping_exists(p.name));
    unlink(log);
}

static void sigkilled_pods_restart_and_lose_or_repeat_nothing(void **state)
{
    (void)state;
    char log[128];
    fresh_log(log, sizeof log);
    /* About 2 s of stream at 1 M/s: the 20 kills come while both run. */
    pod p = {.name = fresh_name(), .n = 2000000, .capacity = 4096, .pace = 1000, .log = log};
    pid_t c = start_pod(&p, false), q = start_pod(&p, true);
    int kills = ipc_pods_kill_in_turn(run_pod, &p, &c, &q, 20);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    assert_int_equal(kills, 20);
    assert_false(mapping_exists(p.name));
    unlink(log);
}

static void a_consumer_that_leaves_does_not_end_the_stream(void **state)
{
    (void)state;
    char log[128];
    fresh_log(log, sizeof log);
    pod p = {.name = fresh_name(), .n = 50000, .capacity = 256, .log = log};
    pod first = p;
    first.leave_at = true;
    first.leave_after = 10000; /* stops its graph, closing its end, mid-stream */
    pid_t c = start_pod(&first, false);
    pid_t q = start_pod(&p, true);
    assert_int_equal(exit_code(c), 0);
    sleep_ms(20); /* the producer sees no consumer and waits, it does not end */
    c = start_pod(&p, false);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    unlink(log);
}

/* ---- in one process: checks and holders --------------------------------------------------- */

static steady_graph *graph(void)
{
    return new_graph("ipc");
}

static void mismatched_mappings_are_refused_naming_the_difference(void **state)
{
    (void)state;
    const char *nm = fresh_name();
    steady_graph *a = graph(), *b = graph();
    steady_tx *tx;
    steady_rx *rx;
    steady_ipc_opts o = {.name = nm, .capacity = 100, .elem_size = 16, .type_id = 0xabc};
    assert_int_equal(steady_ipc_tx_attach(a, &o, &tx), STEADY_OK);
    steady_ipc_opts wrong_size = {.name = nm, .elem_size = 8};
    assert_int_equal(steady_ipc_rx_attach(b, &wrong_size, &rx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "elements of 16 bytes, not 8"));
    steady_ipc_opts wrong_cap = {.name = nm, .capacity = 99, .elem_size = 16};
    assert_int_equal(steady_ipc_rx_attach(b, &wrong_cap, &rx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "capacity 100, not 99"));
    steady_ipc_opts wrong_type = {.name = nm, .elem_size = 16, .type_id = 0xabd};
    assert_int_equal(steady_ipc_rx_attach(b, &wrong_type, &rx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "type 0xabc, not 0xabd"));
    steady_ipc_opts any_type = {.name = nm, .elem_size = 16};
    assert_int_equal(steady_ipc_rx_attach(b, &any_type, &rx), STEADY_OK);
    assert_int_equal(steady_channel_capacity(steady_rx_channel(rx)), 100);
    char label[80];
    snprintf(label, sizeof label, "shm:%s", nm);
    assert_string_equal(steady_channel_name(steady_rx_channel(rx)), label);
    steady_graph_free(a);
    steady_graph_free(b);
    assert_int_equal(steady_ipc_remove(nm), STEADY_OK);
}

static void write_file(const char *name, const void *bytes, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    close(fd);
}

static void files_that_are_not_channels_are_refused_and_left_alone(void **state)
{
    (void)state;
    const char *nm = fresh_name();
    steady_graph *g = graph();
    steady_tx *tx;
    steady_ipc_opts o = {.name = nm, .capacity = 8, .elem_size = 8};
    char junk[8192];
    memset(junk, 'x', sizeof junk);
    write_file(nm, junk, sizeof junk);
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "is not a steady channel"));
    assert_int_equal(steady_ipc_remove(nm), STEADY_EINVAL);
    assert_true(mapping_exists(nm)); /* left alone */
    write_file(nm, "short", 5);
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "is not a steady channel"));
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", nm);
    unlink(path);
    /* A real channel whose format version differs. */
    steady_graph *h = graph();
    assert_int_equal(steady_ipc_tx_attach(h, &o, &tx), STEADY_OK);
    steady_graph_free(h);
    int fd = open(path, O_RDWR);
    uint32_t other = 99;
    assert_int_equal(pwrite(fd, &other, sizeof other, 8), (ssize_t)sizeof other);
    close(fd);
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "made by another steady (format 99"));
    steady_graph_free(g);
    unlink(path);
}

static void bad_names_are_refused_with_the_rule(void **state)
{
    (void)state;
    steady_graph *g = graph();
    steady_tx *tx;
    char long_name[260];
    long_name[0] = '/';
    memset(long_name + 1, 'a', 250);
    long_name[251] = '\0';
    const char *bad[] = {"", "/", "noslash", "/a/b", "/.", "/..", "/sp ace", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        steady_ipc_opts o = {.name = bad[i], .capacity = 8, .elem_size = 8};
        assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_EINVAL);
        assert_non_null(strstr(steady_last_error(), "is not a channel name; give \"/NAME\""));
        assert_int_equal(steady_ipc_remove(bad[i]), STEADY_EINVAL);
    }
    steady_graph_free(g);
}

static void one_holder_per_end_and_the_peer_is_seen(void **state)
{
    (void)state;
    const char *nm = fresh_name();
    steady_graph *a = graph(), *b = graph(), *c = graph();
    steady_tx *tx, *tx2;
    steady_rx *rx;
    steady_ipc_opts o = {.name = nm, .capacity = 8, .elem_size = 8};
    assert_int_equal(steady_ipc_tx_attach(a, &o, &tx), STEADY_OK);
    assert_false(steady_ipc_peer_attached(steady_tx_channel(tx)));
    assert_int_equal(steady_ipc_tx_attach(b, &o, &tx2), STEADY_EEXIST);
    assert_non_null(strstr(steady_last_error(), "the sending end of channel"));
    assert_non_null(strstr(steady_last_error(), "is held by another process"));
    assert_int_equal(steady_ipc_remove(nm), STEADY_EEXIST);
    assert_int_equal(steady_ipc_rx_attach(c, &o, &rx), STEADY_OK);
    assert_true(steady_ipc_peer_attached(steady_tx_channel(tx)));
    assert_true(steady_ipc_peer_attached(steady_rx_channel(rx)));
    /* Plain threads may use the ends of graphs never started, as with any channel. */
    uint64_t v = 7, w = 0;
    assert_int_equal(steady_tx_try_send(tx, &v), STEADY_OK);
    assert_int_equal(steady_rx_try_take(rx, &w), STEADY_OK);
    assert_int_equal(w, 7);
    steady_graph_free(a); /* drops the sending end: another may take it */
    assert_false(steady_ipc_peer_attached(steady_rx_channel(rx)));
    assert_int_equal(steady_ipc_tx_attach(b, &o, &tx2), STEADY_OK);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx2)), 1); /* continues */
    steady_graph_free(b);
    steady_graph_free(c);
    assert_true(mapping_exists(nm)); /* the stream never ended */
    assert_int_equal(steady_ipc_remove(nm), STEADY_OK);
    assert_false(mapping_exists(nm));
    assert_int_equal(steady_ipc_remove(nm), STEADY_ESYS);
    assert_non_null(strstr(steady_last_error(), "No such file"));
}

static void a_closed_stream_takes_no_new_producer(void **state)
{
    (void)state;
    const char *nm = fresh_name();
    steady_graph *a = graph(), *c = graph();
    steady_tx *tx;
    steady_rx *rx;
    steady_ipc_opts o = {.name = nm, .capacity = 8, .elem_size = 8};
    assert_int_equal(steady_ipc_tx_attach(a, &o, &tx), STEADY_OK);
    assert_int_equal(steady_ipc_rx_attach(c, &o, &rx), STEADY_OK);
    uint64_t v = 1;
    assert_int_equal(steady_tx_try_send(tx, &v), STEADY_OK);
    steady_tx_close(tx);
    steady_graph_free(a);
    steady_graph *b = graph();
    assert_int_equal(steady_ipc_tx_attach(b, &o, &tx), STEADY_ECLOSED);
    assert_non_null(strstr(steady_last_error(), "was closed by its producer"));
    assert_int_equal(steady_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(steady_rx_try_take(rx, &v), STEADY_ECLOSED);
    steady_graph_free(c); /* ended and drained: the mapping goes */
    assert_false(mapping_exists(nm));
    steady_graph_free(b);
}

static void the_local_end_needs_an_actor_the_remote_one_does_not(void **state)
{
    (void)state;
    const char *nm = fresh_name();
    steady_graph *g = graph();
    steady_tx *tx;
    steady_ipc_opts o = {.name = nm, .capacity = 8, .elem_size = 8};
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_EUNBOUND);
    assert_non_null(strstr(steady_last_error(), "channel 'shm:"));
    assert_non_null(strstr(steady_last_error(), "its sending end was never given"));
    steady_graph_free(g);
    assert_int_equal(steady_ipc_remove(nm), STEADY_OK);
}

static void another_users_mapping_is_refused(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        /* Making a file of another user needs root; CI runs as root. */
        skip();
    }
    const char *nm = fresh_name();
    steady_graph *g = graph();
    steady_tx *tx;
    steady_ipc_opts o = {.name = nm, .capacity = 8, .elem_size = 8};
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_OK);
    steady_graph_free(g);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", nm);
    assert_int_equal(chown(path, 65534, 65534), 0);
    g = graph();
    assert_int_equal(steady_ipc_tx_attach(g, &o, &tx), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "belongs to uid 65534, not to this user"));
    assert_int_equal(steady_ipc_remove(nm), STEADY_EINVAL);
    steady_graph_free(g);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(
            a_stream_crosses_two_processes_in_order_and_its_mapping_goes_with_it, kill_live_pods),
        cmocka_unit_test_teardown(either_side_may_start_first_and_a_full_ring_holds_the_producer,
                                  kill_live_pods),
        cmocka_unit_test_teardown(sigkilled_pods_restart_and_lose_or_repeat_nothing,
                                  kill_live_pods),
        cmocka_unit_test_teardown(a_consumer_that_leaves_does_not_end_the_stream, kill_live_pods),
        cmocka_unit_test(mismatched_mappings_are_refused_naming_the_difference),
        cmocka_unit_test(files_that_are_not_channels_are_refused_and_left_alone),
        cmocka_unit_test(bad_names_are_refused_with_the_rule),
        cmocka_unit_test(one_holder_per_end_and_the_peer_is_seen),
        cmocka_unit_test(a_closed_stream_takes_no_new_producer),
        cmocka_unit_test(the_local_end_needs_an_actor_the_remote_one_does_not),
        cmocka_unit_test(another_users_mapping_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
