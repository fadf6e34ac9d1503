/* ipc_stream_test.c — steady/ipc.h's streams: variable-size messages between two processes.
 *
 * The pods are forked children, each with its own graph, as in ipc_test.c: a producer that
 * sends messages 0, 1, 2, ... (message i: 8 to 307 bytes, its number first, then a pattern;
 * resuming at the stream's sent total, so a restarted one continues the sequence), written in
 * place with claim and publish; a consumer that peeks a batch, checks every byte, appends the
 * numbers to a log (its durable state), then takes the batch. Both are SIGKILLed 20 times in
 * turn, each kill possibly between the two steps of a send or a take (mended at the next
 * attach); the log must be exactly 0..N-1 and every message intact. Names are
 * /steady-ipc-stream-PID-K, removed with the stream's end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/ipc.h>
#include <steady/steady.h>

#include "ipc_pods.h"
#include "steady_test_support.h"

#define BATCH 64

static char name_[64];

static const char *fresh_name(void)
{
    static int k;
    snprintf(name_, sizeof name_, "/steady-ipc-stream-%d-%d", (int)getpid(), k++);
    return name_;
}

static bool mapping_exists(const char *name, const char *part)
{
    char path[160];
    snprintf(path, sizeof path, "/dev/shm%s.%s", name, part);
    return access(path, F_OK) == 0;
}

static size_t msg_len(uint64_t i)
{
    return 8 + (size_t)((i * 13) % 300);
}

static void msg_fill(unsigned char *p, uint64_t i, size_t len)
{
    memcpy(p, &i, sizeof i);
    for (size_t k = sizeof i; k < len; k++)
        p[k] = (unsigned char)(i * 31 + k);
}

typedef struct pod {
    const char *name;
    uint64_t n, max_bytes;
    const char *log;
    uint64_t next; /* consumer: the message expected next */
    int fd, bad;
    /* Deaths between the two steps, in a pod's first life: the producer publishes message
     * orphan_at's bytes without its record, the consumer releases the records of a batch at
     * or past lagging_at without its bytes; then each SIGKILLs itself. 0: none. */
    uint64_t orphan_at, lagging_at;
    steady_stream_tx out;
    steady_stream_rx in;
} pod;

static int producer_run(steady_actor *a, void *arg)
{
    pod *p = arg;
    steady_channel *lens = steady_tx_channel(p->out.lens.raw);
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_tx_close(p->out)))) {
        uint64_t i = steady_channel_sent_total(lens);
        if (i == p->n) {
            steady_stream_tx_close(p->out);
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        void *at;
        steady_err e = steady_stream_claim_wait(a, p->out, msg_len(i), &at);
        if (e == STEADY_ESHUTDOWN)
            continue;
        if (e != STEADY_OK)
            return 1;
        if (p->orphan_at && i == p->orphan_at) { /* the bytes published, the record not */
            msg_fill(at, i + 7777, msg_len(i));  /* read as message i, it would fail the check */
            steady_tx *l = p->out.lens.raw;
            steady_stream_rec r; /* the claim, written into the next record */
            memcpy(&r, l->slots + (size_t)(l->tail & l->mask) * sizeof r, sizeof r);
            steady__tx_publish_to(p->out.bytes.raw, r.at + ((msg_len(i) + 7) & ~(size_t)7));
            raise(SIGKILL);
        }
        msg_fill(at, i, msg_len(i));
        if (steady_stream_publish(p->out, msg_len(i)) != STEADY_OK)
            return 1;
    }
    return 0;
}

static void consume_batch(pod *p)
{
    steady_stream_msg m[BATCH];
    uint64_t keep[BATCH];
    unsigned char want[512];
    size_t n = steady_stream_peek_batch(p->in, m, BATCH), k = 0;
    for (size_t j = 0; j < n; j++) {
        uint64_t i;
        if (m[j].len < sizeof i) {
            p->bad++;
            continue;
        }
        memcpy(&i, m[j].data, sizeof i);
        msg_fill(want, i, msg_len(i));
        p->bad += m[j].len != msg_len(i) || memcmp(want, m[j].data, m[j].len) != 0;
        if (i < p->next)
            continue; /* logged before a kill, not taken: skipped, not kept twice */
        p->bad += i != p->next;
        keep[k++] = i;
        p->next = i + 1;
    }
    if (k && write(p->fd, keep, k * sizeof keep[0]) != (ssize_t)(k * sizeof keep[0]))
        p->bad++;
    if (p->lagging_at && n && p->next >= p->lagging_at) { /* records released, bytes not */
        steady__rx_release(p->in.lens.raw, n);
        raise(SIGKILL);
    }
    steady_stream_advance_take(p->in, n);
}

static int consumer_run(steady_actor *a, void *arg)
{
    pod *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_rx_is_closed_and_empty(p->in)))) {
        if (steady_stream_rx_is_closed_and_empty(p->in)) {
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        steady_wait_avail(a, p->in.lens, 1);
        consume_batch(p);
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
    steady_ipc_stream_opts o = {.name = p->name, .max_messages = 256, .max_bytes = p->max_bytes};
    steady_err e = producer ? steady_ipc_stream_tx_attach(g, &o, &p->out)
                            : steady_ipc_stream_rx_attach(g, &o, &p->in);
    if (e != STEADY_OK) {
        fprintf(stderr, "attach: %s\n", steady_last_error());
        return 11;
    }
    if (!producer) {
        p->fd = open(p->log, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        p->next = ipc_log_resume(p->fd);
    }
    steady_tx *const *txs = STEADY_TXS(p->out.lens, p->out.bytes);
    steady_rx *const *rxs = STEADY_RXS(p->in.lens, p->in.bytes);
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
    steady_graph_free(g);
    return e != STEADY_OK ? 13 : p->bad ? 14 : 0;
}

static pid_t start_pod(pod *p, bool producer)
{
    return ipc_pod_start(run_pod, p, producer);
}

#define exit_code ipc_pod_exit_code
#define assert_log_exact ipc_assert_log_exact
#define kill_live_pods ipc_pods_kill_live

static void messages_cross_two_processes_and_both_mappings_go(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "/tmp/steady-ipc-stream-%d.log", (int)getpid());
    unlink(log);
    pod p = {.name = fresh_name(), .n = 200000, .max_bytes = 8192, .log = log};
    pid_t c = start_pod(&p, false), q = start_pod(&p, true);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    assert_false(mapping_exists(p.name, "lens"));
    assert_false(mapping_exists(p.name, "bytes"));
    unlink(log);
}

static void sigkilled_pods_restart_and_lose_repeat_or_misread_nothing(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "/tmp/steady-ipc-stream-%d.log", (int)getpid());
    unlink(log);
    pod p = {.name = fresh_name(), .n = 10000000, .max_bytes = 16384, .log = log};
    pid_t c = start_pod(&p, false), q = start_pod(&p, true);
    int kills = ipc_pods_kill_in_turn(run_pod, &p, &c, &q, 20);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    assert_int_equal(kills, 20);
    assert_false(mapping_exists(p.name, "lens"));
    assert_false(mapping_exists(p.name, "bytes"));
    unlink(log);
}

/* Each pod dies once between the two steps of a send or a take: its successor's attach mends
 * what it left (a producer's frame without a record is written over, a consumer's bytes are
 * released up to its records), so the frame is never read as a message and the producer never
 * waits for room nobody frees. */
static void deaths_between_the_two_steps_are_mended_at_attach(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "/tmp/steady-ipc-stream-%d.log", (int)getpid());
    unlink(log);
    pod p = {.name = fresh_name(), .n = 100000, .max_bytes = 4096, .log = log};
    pod first = p;
    first.orphan_at = 30000;
    first.lagging_at = 60000;
    pid_t c = start_pod(&first, false), q = start_pod(&first, true);
    assert_int_equal(exit_code(q), 128 + SIGKILL); /* at message 30000 */
    q = start_pod(&p, true);
    assert_int_equal(exit_code(c), 128 + SIGKILL); /* past message 60000 */
    c = start_pod(&p, false);
    assert_int_equal(exit_code(q), 0);
    assert_int_equal(exit_code(c), 0);
    assert_log_exact(log, p.n);
    assert_false(mapping_exists(p.name, "lens"));
    unlink(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(messages_cross_two_processes_and_both_mappings_go,
                                  kill_live_pods),
        cmocka_unit_test_teardown(sigkilled_pods_restart_and_lose_repeat_or_misread_nothing,
                                  kill_live_pods),
        cmocka_unit_test_teardown(deaths_between_the_two_steps_are_mended_at_attach,
                                  kill_live_pods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
