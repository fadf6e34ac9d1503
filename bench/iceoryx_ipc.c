/* iceoryx_ipc.c — the peer of ipc/shm (isolated.c): u64 sequence numbers between two processes
 * through Eclipse iceoryx 2.0 (zero-copy shared-memory publish/subscribe, Debian's packages),
 * with a RouDi daemon this program starts. The result line's config is "ipc/iceoryx".
 *
 * Mode "zerocopy": a publisher process pinned to cpu0 loans chunks of 4096 u64 (32 KiB, payload
 * aligned to a cache line) from RouDi's memory pool, writes the next numbers of 1..n in place
 * and publishes them; a subscriber process pinned to cpu1 takes each chunk, sums it in place and
 * releases it. Both use ipc/shm's own fill and sum (bench_fill_next, bench_add_sum), so the two
 * rows run the same per-value code. When nothing is queued the subscriber
 * spins ~4 us, yields for up to 100 us and then sleeps on an iceoryx WaitSet (the shape of
 * steady's idle). Back-pressure, never loss: the publisher's WAIT_FOR_CONSUMER policy with the
 * subscriber's QueueFullPolicy_BLOCK_PRODUCER makes publish wait while the subscriber's queue is
 * full. A run that lost or reordered a chunk is an error, not a figure.
 *
 * Steps (the processes and what orders them):
 *   1. main writes a RouDi config (one pool of POOL_CHUNKS chunks big enough for 32 KiB at a
 *      64-byte alignment), starts iox-roudi with it (monitoring off; PR_SET_PDEATHSIG stops it
 *      if main dies) and waits for "RouDi is ready for clients" in its log;
 *   2. main probes the placement and forks the subscriber and the publisher. main never
 *      registers with RouDi itself: a stopping RouDi signals every process still registered;
 *   3. the publisher waits until its subscriber is connected (RouDi's discovery, ~10-15 ms here:
 *      set-up, not counted), stamps the start in the shared page and sends all of 1..n; it then
 reads a
 *      pipe until EOF, i.e. until the subscriber exited, so its port outlives every queued chunk;
 *   4. the subscriber, after its last take, stamps the end, writes its sum and exits;
 *   5. main reaps both (a failure, RouDi's exit or the deadline kills the rest), probes again,
 *      stops RouDi (SIGTERM; SIGKILL after 5 s), checks the sum and prints the result line.
 * mps is from the publisher's first loan to the subscriber's last take; cpu is the subscriber
 * process's CPU-seconds per wall-second (as ipc/shm's is its consumer process's); the result
 * line adds pub_cpu (the publisher's), setup_ms (fork to first loan), waits (WaitSet sleeps).
 * Only one RouDi runs per machine (its lock /tmp/roudi.lock): a second one refuses to start,
 * and this program then fails with RouDi's own message. After a failed run RouDi may abort on
 * the SIGTERM (a registered process is gone) and leave its shared memory and /tmp/roudi*: the
 * next RouDi's start reclaims them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iceoryx_binding_c/log.h>
#include <iceoryx_binding_c/publisher.h>
#include <iceoryx_binding_c/runtime.h>
#include <iceoryx_binding_c/subscriber.h>
#include <iceoryx_binding_c/wait_set.h>

#include "bench_common.h"

#ifndef BENCH_IOX_ROUDI
#define BENCH_IOX_ROUDI "iox-roudi" /* CMake passes the path it found */
#endif

#define BATCH 4096u                            /* u64 per chunk, as ipc/shm's spans */
#define CHUNK_BYTES (BATCH * sizeof(uint64_t)) /* 32 KiB of payload */
#define ALIGN 64u                              /* payload on a cache line, as steady's ring */
/* 16 chunks in flight: the 64K u64 (512 KiB) of ipc/shm's channel. */
#define QUEUE 16u
/* The queue, one chunk held by each side, one being delivered, and room to spare: a loan never
 * finds the pool empty (which would be an error here, not a wait). */
#define POOL_CHUNKS (QUEUE + 16u)
/* Header (32 bytes), padding to ALIGN and the payload; RouDi's pools round to 8. */
#define POOL_CHUNK_SIZE (CHUNK_BYTES + 256u)
/* An empty subscriber polls has_chunks with pause for SPIN_NS, then with sched_yield until
 * YIELD_NS, then sleeps on the WaitSet: the shape of steady's idle (src/core/troupe.c: spin
 * ~4 us, then, when work came back soon after its last park, yield for up to 100 us). Without
 * the yields the subscriber, faster than the publisher here, sleeps on nearly every chunk, and
 * each publish then pays a futex wake-up (~2-3x slower, and as noisy as the VM's wake-ups). */
#define SPIN_NS 4000u
#define YIELD_NS 100000u
#define READY_MS 10000   /* RouDi's start-up */
#define CONNECT_MS 10000 /* the subscriber's connection, seen by the publisher */
#define IDLE_WAITS 30    /* 1-s WaitSet timeouts in a row that fail the subscriber */
#define DEADLINE_S 240   /* the whole run, below the driver's 300-s timeout */
#define STOP_MS 5000     /* RouDi's SIGTERM to SIGKILL */
#define SERVICE "steady-bench", "ipc", "u64" /* iceoryx's service, instance, event */

/* Between the processes, in an anonymous shared mapping made before the forks. Each group is
 * written by one child before it exits; main reads it after reaping that child (waitpid orders
 * the child's writes before the read). */
typedef struct shared {
    /* main, before the forks */
    uint64_t t_fork;
    /* the publisher */
    uint64_t t0, pub_c0, pub_c1, pub_t1;
    /* the subscriber */
    uint64_t t1, sub_c0, sub_c1, sum, taken, waits;
} shared;

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- RouDi ---------------------------------------------------------------------------------- */

typedef struct roudi {
    pid_t pid; /* -1 once reaped */
    char config[64], log[64];
} roudi;

/* Makes the temporary files: RouDi's log, and the pool config RouDi reads (its TOML format,
 * version 1). */
static bool write_roudi_config(roudi *r)
{
    snprintf(r->log, sizeof r->log, "/tmp/steady-bench-iox-%d-log-XXXXXX", (int)getpid());
    snprintf(r->config, sizeof r->config, "/tmp/steady-bench-iox-%d-XXXXXX", (int)getpid());
    int log = mkstemp(r->log), fd = log < 0 ? -1 : mkstemp(r->config);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (log >= 0)
        close(log);
    if (!f) {
        fprintf(stderr, "error: temporary file %s: %s\n", log < 0 ? r->log : r->config,
                strerror(errno));
        return false;
    }
    fprintf(f,
            "[general]\nversion = 1\n\n[[segment]]\n\n[[segment.mempool]]\nsize = %u\n"
            "count = %u\n",
            (unsigned)POOL_CHUNK_SIZE, POOL_CHUNKS);
    return fclose(f) == 0;
}

/* Prints the last lines RouDi wrote, with what failed. */
static void show_roudi_log(const roudi *r, const char *what)
{
    fprintf(stderr, "error: %s; RouDi's log (%s):\n", what, BENCH_IOX_ROUDI);
    FILE *f = fopen(r->log, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        fprintf(stderr, "    %s", line);
    if (f)
        fclose(f);
}

static bool roudi_log_has(const roudi *r, const char *text)
{
    FILE *f = fopen(r->log, "r");
    char line[512];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* In the forked child: RouDi with its output in r->log, stopped if main dies. */
static void exec_roudi(const roudi *r, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    FILE *log = freopen(r->log, "w", stdout);
    if (getppid() != parent || !log || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
        _exit(127);
    execl(BENCH_IOX_ROUDI, BENCH_IOX_ROUDI, "-c", r->config, "-m", "off", "-l", "info",
          (char *)NULL);
    fprintf(stderr, "exec %s: %s\n", BENCH_IOX_ROUDI, strerror(errno));
    _exit(127);
}

/* Starts RouDi and waits until it takes clients. False (RouDi's log printed) if it did not. */
static bool start_roudi(roudi *r)
{
    r->pid = -1;
    if (!write_roudi_config(r))
        return false;
    pid_t parent = getpid();
    fflush(NULL);
    if ((r->pid = fork()) == 0)
        exec_roudi(r, parent);
    for (int ms = 0; r->pid > 0 && ms < READY_MS; ms += 5) {
        int status;
        if (roudi_log_has(r, "RouDi is ready for clients"))
            return true;
        if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
            r->pid = -1;
            show_roudi_log(r, "RouDi exited while starting");
            return false;
        }
        sleep_ms(5);
    }
    show_roudi_log(r, "RouDi did not report ready");
    return false;
}

/* SIGTERM, then SIGKILL after STOP_MS; shows RouDi's log after a failed run (`failed`) or when
 * RouDi did not exit 0, then removes the config and the log. */
static void stop_roudi(roudi *r, bool failed)
{
    int status = 0;
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        int ms = 0;
        while (waitpid(r->pid, &status, WNOHANG) == 0 && ms < STOP_MS) {
            sleep_ms(5);
            ms += 5;
        }
        if (ms >= STOP_MS) {
            fprintf(stderr, "warning: RouDi ignored SIGTERM for %d ms: killed\n", STOP_MS);
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
        }
        r->pid = -1;
    }
    if (failed)
        show_roudi_log(r, "the run failed");
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        show_roudi_log(r, "RouDi did not stop cleanly (the result stands)");
    unlink(r->config);
    unlink(r->log);
}

/* ---- the publisher (cpu0) ------------------------------------------------------------------- */

static bool wait_for_subscriber(iox_pub_t pub)
{
    for (int ms = 0; ms < CONNECT_MS; ms++) {
        if (iox_pub_has_subscribers(pub))
            return true;
        sleep_ms(1);
    }
    fprintf(stderr, "error: publisher: no subscriber connected after %d ms\n", CONNECT_MS);
    return false;
}

/* Loans, fills in place and publishes 1..n in chunks of BATCH; a full subscriber queue makes
 * publish wait (WAIT_FOR_CONSUMER). False on any loan that fails. */
static bool publish_all(iox_pub_t pub, uint64_t n)
{
    for (uint64_t next = 1; next <= n;) {
        void *chunk;
        enum iox_AllocationResult r = iox_pub_loan_aligned_chunk(pub, &chunk, CHUNK_BYTES, ALIGN);
        if (r != AllocationResult_SUCCESS) {
            fprintf(stderr,
                    "error: publisher: iox_pub_loan_aligned_chunk: result %d at %" PRIu64 "\n",
                    (int)r, next);
            return false;
        }
        uint64_t k = min_u64(BATCH, n - next + 1), last = next - 1, *v = chunk;
        bench_fill_next(&last, v, k); /* ipc/shm's fill: next, next+1, ... */
        iox_pub_publish_chunk(pub, chunk);
        next += k;
    }
    return true;
}

/* Blocks until every writer of the pipe closed it: the subscriber has exited. */
static void wait_for_eof(int fd)
{
    char c;
    ssize_t got;
    while ((got = read(fd, &c, 1)) > 0 || (got < 0 && errno == EINTR)) {
    }
}

static int publisher(uint64_t n, shared *sh, int done_fd)
{
    char name[64];
    snprintf(name, sizeof name, "steady-bench-pub-%d", (int)getpid());
    iox_set_loglevel(Iceoryx_LogLevel_Warn); /* the default prints each registration */
    iox_runtime_init(name);
    iox_pub_options_t o;
    iox_pub_options_init(&o);
    o.historyCapacity = 0;
    o.subscriberTooSlowPolicy = ConsumerTooSlowPolicy_WAIT_FOR_CONSUMER;
    iox_pub_storage_t storage;
    iox_pub_t pub = iox_pub_init(&storage, SERVICE, &o);
    int e = bench_pin(0); /* after the runtime's own threads started: only this one is pinned */
    if (e)
        fprintf(stderr, "warning: publisher: pinning to cpu0: %s\n", strerror(e));
    if (!wait_for_subscriber(pub))
        return 1;
    sh->pub_c0 = bench_cpu_ns();
    sh->t0 = bench_now_ns();
    if (!publish_all(pub, n))
        return 1;
    sh->pub_t1 = bench_now_ns();
    sh->pub_c1 = bench_cpu_ns();
    wait_for_eof(done_fd);
    iox_pub_deinit(pub);
    return 0;
}

/* ---- the subscriber (cpu1) ------------------------------------------------------------------ */

/* Spins SPIN_NS, yields until YIELD_NS, then sleeps on ws until the subscriber has data. False
 * after IDLE_WAITS seconds without any. */
static bool wait_for_data(iox_ws_t ws, iox_sub_t sub, shared *sh)
{
    uint64_t t0 = bench_now_ns(), now;
    do {
        if (iox_sub_has_chunks(sub))
            return true;
        bench_relax();
    } while ((now = bench_now_ns()) - t0 < SPIN_NS);
    do {
        if (iox_sub_has_chunks(sub))
            return true;
        sched_yield();
    } while ((now = bench_now_ns()) - t0 < YIELD_NS);
    for (int s = 0; s < IDLE_WAITS; s++) {
        iox_notification_info_t info[1];
        uint64_t missed = 0;
        sh->waits++;
        if (iox_ws_timed_wait(ws, (struct timespec){.tv_sec = 1}, info, 1, &missed) > 0 ||
            iox_sub_has_chunks(sub))
            return true;
    }
    fprintf(stderr, "error: subscriber: no data for %d s after %" PRIu64 " of the values\n",
            IDLE_WAITS, sh->taken);
    return false;
}

/* Sums one chunk in place, checking it starts where the last one ended (nothing lost). */
static bool take_one(const uint64_t *v, uint64_t n, shared *sh)
{
    uint64_t k = min_u64(BATCH, n - sh->taken);
    if (v[0] != sh->taken + 1) {
        fprintf(stderr,
                "error: subscriber: a chunk starts at %" PRIu64 ", expected %" PRIu64
                " (lost or reordered)\n",
                v[0], sh->taken + 1);
        return false;
    }
    uint64_t sum = 0;
    bench_add_sum(&sum, v, k); /* ipc/shm's sum */
    sh->sum += sum;
    sh->taken += k;
    return true;
}

static bool take_all(iox_sub_t sub, iox_ws_t ws, uint64_t n, shared *sh)
{
    while (sh->taken < n) {
        const void *chunk;
        enum iox_ChunkReceiveResult r = iox_sub_take_chunk(sub, &chunk);
        if (r == ChunkReceiveResult_NO_CHUNK_AVAILABLE) {
            if (!wait_for_data(ws, sub, sh))
                return false;
            continue;
        }
        if (r != ChunkReceiveResult_SUCCESS) {
            fprintf(stderr, "error: subscriber: iox_sub_take_chunk: result %d\n", (int)r);
            return false;
        }
        if (sh->taken == 0)
            sh->sub_c0 = bench_cpu_ns();
        bool ok = take_one(chunk, n, sh);
        iox_sub_release_chunk(sub, chunk);
        if (!ok)
            return false;
    }
    sh->t1 = bench_now_ns();
    sh->sub_c1 = bench_cpu_ns();
    if (iox_sub_has_lost_chunks(sub)) {
        fprintf(stderr, "error: subscriber: iceoryx reports lost chunks\n");
        return false;
    }
    return true;
}

static int subscriber(uint64_t n, shared *sh)
{
    char name[64];
    snprintf(name, sizeof name, "steady-bench-sub-%d", (int)getpid());
    iox_set_loglevel(Iceoryx_LogLevel_Warn); /* the default prints each registration */
    iox_runtime_init(name);
    iox_sub_options_t o;
    iox_sub_options_init(&o);
    o.queueCapacity = QUEUE;
    o.historyRequest = 0;
    o.queueFullPolicy = QueueFullPolicy_BLOCK_PRODUCER;
    iox_sub_storage_t storage;
    iox_sub_t sub = iox_sub_init(&storage, SERVICE, &o);
    iox_ws_storage_t ws_storage;
    iox_ws_t ws = iox_ws_init(&ws_storage);
    if (iox_ws_attach_subscriber_state(ws, sub, SubscriberState_HAS_DATA, 0, NULL) !=
        WaitSetResult_SUCCESS) {
        fprintf(stderr, "error: subscriber: iox_ws_attach_subscriber_state failed\n");
        return 1;
    }
    int e = bench_pin(1);
    if (e)
        fprintf(stderr, "warning: subscriber: pinning to cpu1: %s\n", strerror(e));
    bool ok = take_all(sub, ws, n, sh);
    iox_ws_detach_subscriber_state(ws, sub, SubscriberState_HAS_DATA);
    iox_ws_deinit(ws);
    iox_sub_deinit(sub);
    return ok ? 0 : 1;
}

/* ---- main ----------------------------------------------------------------------------------- */

static void on_alarm(int sig)
{
    (void)sig; /* only interrupts waitpid */
}

/* Forks the publisher (side 0) or the subscriber (1), killed if main dies. The child ends with
 * exit, not _exit: iceoryx's runtime unregisters from RouDi in a destructor, and a RouDi that
 * finds a registered process gone when it stops aborts (POSH__ROUDI_PROCESS_SHUTDOWN_FAILED),
 * leaving its shared memory to the next RouDi's start. */
static pid_t fork_side(int side, uint64_t n, shared *sh, int pipe_fd[2])
{
    pid_t parent = getpid(), pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    if (side == 0) { /* the publisher reads the pipe; only the subscriber keeps its write end */
        close(pipe_fd[1]);
        exit(publisher(n, sh, pipe_fd[0]));
    }
    close(pipe_fd[0]);
    exit(subscriber(n, sh));
}

static void kill_child(pid_t p)
{
    if (p > 0) {
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
    }
}

static const char *child_name(pid_t p, pid_t pub, pid_t sub)
{
    return p == pub ? "publisher" : p == sub ? "subscriber" : "RouDi";
}

/* Reaps the publisher and the subscriber; on a failure of either, RouDi's exit or the deadline,
 * kills the rest. True when both exited 0. */
static bool reap_sides(pid_t pub, pid_t sub, roudi *r)
{
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    alarm(DEADLINE_S);
    bool ok = true;
    while (ok && (pub > 0 || sub > 0)) {
        int status;
        pid_t p = waitpid(-1, &status, 0);
        if (p < 0) {
            fprintf(stderr, "error: the run took longer than %d s\n", DEADLINE_S);
            ok = false;
            break;
        }
        const char *who = child_name(p, pub, sub);
        if (p == r->pid)
            r->pid = -1, ok = false;
        pub = p == pub ? -1 : pub;
        sub = p == sub ? -1 : sub;
        if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "error: the %s's process failed (status 0x%x)\n", who,
                    (unsigned)status);
            ok = false;
        }
    }
    alarm(0);
    kill_child(pub);
    kill_child(sub);
    return ok;
}

static void print_result(const char *config, uint64_t n, const shared *sh, double before,
                         double after)
{
    char extra[160];
    double pub_wall = (double)(sh->pub_t1 - sh->t0);
    snprintf(extra, sizeof extra,
             " pub_cpu=%.3f setup_ms=%.1f waits=%" PRIu64 " queue=%u chunk_u64=%u",
             pub_wall > 0 ? (double)(sh->pub_c1 - sh->pub_c0) / pub_wall : 0.0,
             (double)(sh->t0 - sh->t_fork) / 1e6, sh->waits, QUEUE, BATCH);
    bench_result res = {.config = config,
                        .n = n,
                        .wall_ns = sh->t1 - sh->t0,
                        .cpu_ns = sh->sub_c1 - sh->sub_c0,
                        .probe_before = before,
                        .probe_after = after,
                        .extra = extra};
    bench_print(&res);
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"zerocopy", 2000000000}, {NULL, 0}};
    uint64_t n;
    (void)bench_args(argc, argv, modes, &n); /* one mode */
    shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int done[2];
    roudi r;
    if (sh == MAP_FAILED || pipe2(done, O_CLOEXEC) != 0) {
        fprintf(stderr, "error: setup: %s\n", strerror(errno));
        return 1;
    }
    if (!start_roudi(&r)) {
        stop_roudi(&r, false);
        return 1;
    }
    double before = bench_probe_ns();
    sh->t_fork = bench_now_ns();
    fflush(NULL);
    pid_t sub = fork_side(1, n, sh, done);
    pid_t pub = sub > 0 ? fork_side(0, n, sh, done) : -1;
    close(done[0]);
    close(done[1]);
    bool ok = pub > 0 && reap_sides(pub, sub, &r);
    if (pub <= 0) {
        fprintf(stderr, "error: fork: %s\n", strerror(errno));
        kill_child(sub);
    }
    double after = bench_probe_ns();
    stop_roudi(&r, !ok);
    if (!ok)
        return 1;
    const char *config = "ipc/iceoryx";
    bench_check_sum(config, sh->sum, bench_sum_1_to_n(n));
    print_result(config, n, sh, before, after);
    return 0;
}
