/* js_test.c — the JetStream bridge actors (nats+js://) against real nats-servers started by the
 * test on 127.0.0.1 and free ports: one server with JetStream, and a cluster of three with a
 * stream of three replicas. What is promised is exact: every value once, in order, whatever is
 * killed — the server (5 times in the cluster), the subscribing pod (SIGKILL, its state durable
 * and confirmed to the bridge), the publishing pod (SIGKILL, started again from scratch).
 *
 * Pods killed with SIGKILL are processes of their own: this program run again with --pod
 * (exec, not a bare fork: libnats's threads do not survive a fork). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nats_server.h"
#include "pods.h"

static nats_server server;
static char self[512]; /* this program, for the pods run as processes */

static void uri_for(char *dst, size_t cap, const char *stream, const char *subject)
{
    snprintf(dst, cap, "nats+js://127.0.0.1:%d/%s/%s", server.port, stream, subject);
}

static bool exact(const sink *k, uint64_t n)
{
    if (k->count == n && k->out_of_order == 0 && k->last == n - 1)
        return true;
    print_error("received %llu of %llu, %llu out of order, last %llu\n",
                (unsigned long long)k->count, (unsigned long long)n,
                (unsigned long long)k->out_of_order, (unsigned long long)k->last);
    return false;
}

/* ---- pods run as processes (--pod) ------------------------------------------------------- */

/* The subscribing pod's durable state: saved (steady_actor_persist) before the bridge is told
 * (steady_bridge_confirm), so what the server still holds unacknowledged is exactly what the
 * state does not have. */
typedef struct saved {
    uint64_t next;       /* the sequence number expected next */
    uint64_t count, sum; /* values applied, and their sum */
    uint64_t gaps;       /* values that never came (must stay 0) */
} saved;

typedef struct saver {
    u64ch_rx in;
    steady_actor *ingress;
    const char *result; /* written once the stream ended */
} saver;

static void save(steady_actor *a, saver *sv, saved *st)
{
    assert_int_equal(steady_actor_persist(a), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(sv->ingress, st->next), STEADY_OK);
}

static int saver_run(steady_actor *a, void *arg)
{
    saver *sv = arg;
    saved *st = steady_actor_state(a);
    uint64_t unsaved = 0, v;
    while (STEADY_RUNNING(a, true)) {
        while (u64ch_rx_try_take(sv->in, &v) == STEADY_OK) {
            if (v < st->next)
                continue; /* applied before a kill: the bridge drops most, this the rest */
            st->gaps += v - st->next;
            st->next = v + 1;
            st->count++;
            st->sum += v;
            if (++unsaved == 20000)
                save(a, sv, st), unsaved = 0;
        }
        if (u64ch_rx_is_closed_and_empty(sv->in)) {
            save(a, sv, st); /* saved only every 20,000 before: a kill loses the rest */
            FILE *f = fopen(sv->result, "w");
            fprintf(f, "%llu %llu %llu\n", (unsigned long long)st->count,
                    (unsigned long long)st->sum, (unsigned long long)st->gaps);
            fclose(f);
            steady_actor_request_shutdown(a);
            break;
        }
        steady_wait_avail(a, sv->in, 1);
    }
    return 0;
}

/* --pod subscribe URI STATE RESULT */
static int subscribe_pod(const char *uri, const char *state, const char *result)
{
    steady_graph *g = new_graph("subscribe");
    u64ch_tx tx;
    saver sv = {.result = result};
    assert_int_equal(u64ch_new(g, "received", 4096, &tx, &sv.in), STEADY_OK);
    steady_bridge_opts o = {.uri = uri, .confirm = true};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &o, &sv.ingress), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "saver",
                                                             .run = saver_run,
                                                             .arg = &sv,
                                                             .rxs = STEADY_RXS(sv.in),
                                                             .state_size = sizeof(saved),
                                                             .state_path = state},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}

/* --pod publish URI N: the values 0..N-1 from scratch. */
static int publish_pod(const char *uri, uint64_t n)
{
    source s = {.n = n, .pace = 200};
    steady_actor *out;
    steady_graph *g = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}

static pid_t run_pod(const char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(self, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* The pod's exit status, waiting up to ms; -1 when it did not end (then it is killed). */
static int await_pod(pid_t pid, unsigned ms)
{
    uint64_t t0 = now_ns();
    int st;
    while (ms_since(t0) < ms) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        sleep_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

static void kill_pod(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int64_t mtime_ns(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec : -1;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void a_stream_crosses_exactly_and_its_end_stops_the_receiver(void **state)
{
    (void)state;
    char uri[160];
    uri_for(uri, sizeof uri, "T1", "js.t1");
    sink k = {0};
    source s = {.n = 2000000};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 20000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 20000), STEADY_OK);
    assert_true(exact(&k, s.n));
    steady_bridge_stats e = stats(out), i = stats(in);
    assert_int_equal(e.acked, s.n); /* nothing left the channel unacknowledged */
    assert_int_equal(e.elems, s.n);
    assert_int_equal(i.elems, s.n);
    assert_int_equal(i.acked, s.n);
    assert_int_equal(i.gaps + i.duplicates, 0);
    assert_int_equal(i.frames, e.frames);
    /* a healthy server: nothing published twice, no consumer made anew (an ack that arrived
     * before its frame was in the window was lost, and the frame sent again 2 s later) */
    assert_int_equal(e.resent, 0);
    assert_int_equal(i.rewinds, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

/* JetStream keeps the stream: the publishing pod ends before the subscribing pod exists. */
static void the_stream_waits_in_the_server_for_a_later_subscriber(void **state)
{
    (void)state;
    char uri[160];
    uri_for(uri, sizeof uri, "T2", "js.t2");
    source s = {.n = 100000};
    steady_actor *in, *out;
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 20000), STEADY_OK);
    assert_int_equal(stats(out).acked, s.n);
    steady_graph_free(pub);
    sink k = {0};
    steady_graph *sub = subscriber(uri, &k, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 20000), STEADY_OK);
    assert_true(exact(&k, s.n));
    steady_graph_free(sub);
}

/* The subscribing pod SIGKILLed 5 times while it works through a stored stream: each run
 * resumes from its durable state, and the last ends with every value applied once. */
static void a_subscriber_killed_five_times_applies_each_value_once(void **state)
{
    (void)state;
    char uri[160];
    uri_for(uri, sizeof uri, "T3", "js.t3");
    const uint64_t n = 1000000;
    source s = {.n = n};
    steady_actor *out;
    steady_graph *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 30000), STEADY_OK);
    steady_graph_free(pub);
    char dir[] = "/tmp/steady-js-sub-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char st[64], result[64];
    snprintf(st, sizeof st, "%s/state", dir);
    snprintf(result, sizeof result, "%s/result", dir);
    const char *argv[] = {self, "--pod", "subscribe", uri, st, result, NULL};
    for (int kill_no = 0; kill_no < 5; kill_no++) {
        int64_t before = mtime_ns(st);
        pid_t pid = run_pod(argv);
        uint64_t t0 = now_ns(); /* killed once it saved at least once more */
        while (mtime_ns(st) == before && ms_since(t0) < 10000)
            sleep_ms(1);
        sleep_ms((unsigned)(rand() % 40));
        kill_pod(pid);
        assert_true(access(result, F_OK) != 0); /* it had not finished */
    }
    assert_int_equal(await_pod(run_pod(argv), 30000), 0);
    unsigned long long count = 0, sum = 0, gaps = 1;
    FILE *f = fopen(result, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%llu %llu %llu", &count, &sum, &gaps), 3);
    fclose(f);
    print_message("subscriber: %llu applied, sum %llu, %llu gaps\n", count, sum, gaps);
    assert_int_equal(count, n);
    assert_int_equal(sum, n * (n - 1) / 2);
    assert_int_equal(gaps, 0);
    unlink(st);
    unlink(result);
    rmdir(dir);
}

/* The publishing pod SIGKILLed 3 times and started again from scratch: the subscriber still
 * sees each value once, in order (the stream drops repeated message ids, the ingress the
 * sequence numbers it already delivered). */
static void a_publisher_killed_three_times_costs_nothing(void **state)
{
    (void)state;
    char uri[160];
    uri_for(uri, sizeof uri, "T4", "js.t4");
    const uint64_t n = 400000;
    sink k = {0};
    steady_actor *in;
    steady_graph *sub = subscriber(uri, &k, 0, &in);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    char ns[32];
    snprintf(ns, sizeof ns, "%llu", (unsigned long long)n);
    const char *argv[] = {self, "--pod", "publish", uri, ns, NULL};
    for (int kill_no = 0; kill_no < 3; kill_no++) {
        uint64_t had = stats(in).elems;
        pid_t pid = run_pod(argv);
        uint64_t t0 = now_ns(); /* killed once more arrived */
        while (stats(in).elems < had + 20000 && ms_since(t0) < 10000)
            sleep_ms(1);
        kill_pod(pid);
    }
    assert_int_equal(await_pod(run_pod(argv), 30000), 0);
    assert_int_equal(steady_graph_block_until_stopped(sub, 20000), STEADY_OK);
    assert_true(exact(&k, n));
    assert_true(stats(in).duplicates > 0); /* the repeats came, and were dropped */
    steady_graph_free(sub);
}

/* The server SIGKILLed 3 times mid-stream (its store kept): nothing lost, nothing twice. */
static void a_server_killed_three_times_costs_nothing(void **state)
{
    (void)state;
    char uri[160];
    uri_for(uri, sizeof uri, "T5", "js.t5");
    sink k = {0};
    source s = {.n = 600000, .pace = 100};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    for (int kill_no = 0; kill_no < 3; kill_no++) {
        uint64_t had = stats(in).elems, t0 = now_ns();
        while (stats(in).elems < had + 30000 && ms_since(t0) < 20000)
            sleep_ms(1);
        nats_server_stop(&server, true);
        sleep_ms(200);
        assert_true(nats_server_start(&server, server.port));
    }
    assert_int_equal(steady_graph_block_until_stopped(pub, 60000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    assert_true(exact(&k, s.n));
    steady_bridge_stats e = stats(out), i = stats(in);
    assert_int_equal(e.acked, s.n);
    assert_int_equal(i.gaps, 0);
    assert_true(e.reconnects >= 3 && i.reconnects >= 3);
    steady_graph_free(pub);
    steady_graph_free(sub);
}

/* A cluster of three, the stream kept in three replicas; one server at a time SIGKILLed and
 * started again, 5 times, while the stream crosses. */
static void a_cluster_loses_a_server_five_times_and_nothing_else(void **state)
{
    (void)state;
    nats_cluster c = {0};
    assert_true(nats_cluster_start(&c));
    char uri[200];
    snprintf(uri, sizeof uri, "nats+js://127.0.0.1:%d/T6/js.t6?replicas=3", c.s[0].port);
    sink k = {0};
    source s = {.n = 600000, .pace = 100};
    steady_actor *in, *out;
    steady_graph *sub = subscriber(uri, &k, 0, &in), *pub = publisher(uri, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    for (int kill_no = 0; kill_no < 5; kill_no++) {
        int victim = (kill_no + 1) % 3;
        uint64_t had = stats(in).elems, t0 = now_ns();
        while (stats(in).elems < had + 20000 && ms_since(t0) < 30000)
            sleep_ms(1);
        nats_server_stop(&c.s[victim], true);
        sleep_ms(300);
        assert_true(nats_cluster_restart(&c, victim));
    }
    assert_int_equal(steady_graph_block_until_stopped(pub, 90000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 30000), STEADY_OK);
    assert_true(exact(&k, s.n));
    steady_bridge_stats e = stats(out), i = stats(in);
    assert_int_equal(e.acked, s.n);
    assert_int_equal(i.gaps, 0);
    print_message("cluster: %llu frames published again, %llu values redelivered and dropped\n",
                  (unsigned long long)e.resent, (unsigned long long)i.duplicates);
    steady_graph_free(pub);
    steady_graph_free(sub);
    nats_cluster_stop(&c);
}

static void confirm_and_js_options_refuse_misuse(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "c", 8, &tx, &rx), STEADY_OK);
    steady_bridge_opts core = {.uri = "nats://127.0.0.1/x", .confirm = true};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &core, NULL), STEADY_EINVAL);
    assert_non_null(
        strstr(steady_last_error(), "opts.confirm needs a transport that acknowledges"));
    assert_int_equal(steady_bridge_confirm(NULL, 1), STEADY_EINVAL);
    steady_actor *e, *i;
    steady_bridge_opts js = {.uri = "nats+js://127.0.0.1/S/x"};
    assert_int_equal(steady_bridge_egress(g, rx.raw, &js, &e), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(e, 1), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "not spawned as an ingress with opts.confirm"));
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &js, &i), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(i, 1), STEADY_EINVAL);
    steady_graph_free(g);
    g = new_graph("ok");
    assert_int_equal(u64ch_new(g, "c", 8, &tx, &rx), STEADY_OK);
    steady_bridge_opts jc = {.uri = "nats+js://127.0.0.1/S/x", .confirm = true};
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &jc, &i), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(i, 10), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(i, 5), STEADY_OK); /* only forward */
    assert_int_equal(steady_bridge_confirm(i, 0), STEADY_OK);
    assert_int_equal(steady_bridge_confirm(i, UINT64_MAX), STEADY_OK);
    steady_graph_free(g);
}

static int start_server(void **state)
{
    (void)state;
    if (!nats_server_path())
        fail_msg("nats-server is not installed; run make deps-test");
    return nats_server_start_js(&server) ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    nats_server_remove_store(&server);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "--pod") && !strcmp(argv[2], "publish"))
        return publish_pod(argv[3], strtoull(argv[4], NULL, 10));
    if (argc >= 6 && !strcmp(argv[1], "--pod") && !strcmp(argv[2], "subscribe"))
        return subscribe_pod(argv[3], argv[4], argv[5]);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    srand((unsigned)now_ns());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stream_crosses_exactly_and_its_end_stops_the_receiver),
        cmocka_unit_test(the_stream_waits_in_the_server_for_a_later_subscriber),
        cmocka_unit_test(a_subscriber_killed_five_times_applies_each_value_once),
        cmocka_unit_test(a_publisher_killed_three_times_costs_nothing),
        cmocka_unit_test(a_server_killed_three_times_costs_nothing),
        cmocka_unit_test(a_cluster_loses_a_server_five_times_and_nothing_else),
        cmocka_unit_test(confirm_and_js_options_refuse_misuse),
    };
    if (getenv("STEADY_TEST_FILTER")) /* one test by name, e.g. "a_cluster*" */
        cmocka_set_test_filter(getenv("STEADY_TEST_FILTER"));
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
