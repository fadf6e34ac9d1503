/* actors.c — the source, the three stages and the checker of steady-chaos.
 *
 * Every actor that fails keeps what must outlive a failure in its state block (chaos_state):
 * the cursor into its plan, the counts, and the time of its last failure. Everything else it
 * derives afresh in each generation from the channels, which the failure left exactly as they
 * were before the step: the source's next number is its output's sent total, a stage's position
 * is its input's taken total.
 *
 * One step of a stage (transactional):
 *     top:    before-peek point reached?                    -> fail
 *     peek the input in place, poke the output in place, n = min(ready, room, batch)
 *     mid-batch point inside [head, head+n)?  write up to it, poison the next slot -> fail
 *     write all n outputs in place
 *     after-peek (or, after the request, during-shutdown) point inside?           -> fail
 *     steady_commit1: publish n outputs and take n inputs in one call
 * Separate mode does the same one message at a time with a send and then a take, and fails an
 * after-peek point between the two: that message is sent again by the next generation, so
 * each such failure makes exactly one duplicate and nothing else.
 *
 * A native death (isolated stages) strikes at the same points as the other ways: the state
 * block, which is shared memory, records the point (cursor, counts, time) first, then the
 * process kills itself or writes through a null pointer. None of the points is inside a
 * library call, so a death never interrupts a commit half-way.
 */
#define _GNU_SOURCE /* kill, prctl */
#include <inttypes.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "chaos.h"

/* A step's result when it failed by returning (run then returns CHAOS_FAIL_CODE). */
#define STEP_FAILED (-1)

/* ---- payload ---- */

uint64_t chaos_payload_origin(uint64_t seq)
{
    uint64_t z = seq + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    return z ^ (z >> 27);
}

uint64_t chaos_payload_step(chaos_role role, uint64_t seq, uint64_t payload)
{
    switch (role) {
    case CHAOS_STAGE_A: return payload * 0x94D049BB133111EBull + seq;
    case CHAOS_STAGE_B: return ((payload << 23) | (payload >> 41)) ^ 0xD6E8FEB86659FD93ull;
    case CHAOS_STAGE_C: return payload ^ (seq * 0xA0761D6478BD642Full);
    default: return payload;
    }
}

uint64_t chaos_payload_final(uint64_t seq)
{
    uint64_t p = chaos_payload_origin(seq);
    p = chaos_payload_step(CHAOS_STAGE_A, seq, p);
    p = chaos_payload_step(CHAOS_STAGE_B, seq, p);
    return chaos_payload_step(CHAOS_STAGE_C, seq, p);
}

/* ---- helpers ---- */

/* False: the injected STEADY_ASSERT's condition. Written next to the chaos mark, so the
 * failure's reason ("assertion failed: actors.c:N: injected_false && \"[chaos] ...\"") carries
 * it; not a negated string literal, which clang's -Wconversion refuses. */
static const bool injected_false = false;

static size_t min2(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t span_len(msgch_span s)
{
    return s.a_len + s.b_len;
}

static chaos_msg *at(msgch_span s, size_t i)
{
    return i < s.a_len ? &s.a[i] : &s.b[i - s.a_len];
}

static bool shutdown_seen(steady_actor *a)
{
    return steady_graph_get_state(steady_actor_graph(a)) != STEADY_GRAPH_RUNNING;
}

static uint64_t now_ns(void)
{
    return steady_clock_monotonic_ns(NULL);
}

/* The waits' threshold: at most half a channel, so that a producer waiting for room and its
 * consumer waiting for elements can never both be short (see README.md). */
static uint64_t wait_want(const chaos_args *args)
{
    uint64_t half = args->capacity / 2;
    return args->batch < half ? args->batch : half;
}

static const chaos_point *pending(const chaos_stage_io *io, const chaos_state *st)
{
    return st->cursor < io->plan->n ? &io->plan->points[st->cursor] : NULL;
}

static bool plan_done(const chaos_stage_io *io, const chaos_state *st)
{
    return st->cursor >= io->plan->n;
}

/* ---- failing ---- */

/* The process dies here, of SIGKILL or of a real SIGSEGV (a null write). UBSan would report
 * the write and exit instead: it must stay a real fault. Not dumpable: a core file (or a
 * core_pattern pipe) per death would only slow the run down. */
__attribute__((no_sanitize("undefined"))) static _Noreturn void die_natively(chaos_how how)
{
    if (how == CHAOS_BY_SIGKILL) {
        kill(getpid(), SIGKILL);
    } else {
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
    for (;;)
        pause(); /* not reached: either signal ends the process before it returns */
}

/* A native death of a member of troupe "ab" costs its mate a failure too, when the mate has
 * not finished: the mate is suspended in a wait (the troupe's one thread runs this member, so
 * its state block is ours to touch for the moment). A failure of the mate still waiting for
 * its next commit is followed by this death before that commit: it gives no sample, as any
 * failure followed by another (its restart now crosses the process boundary). */
static void count_collateral(chaos_stage_io *io, chaos_state *st)
{
    if (!io->mate)
        return;
    chaos_state *mate = steady_actor_state(io->mate);
    if (mate->finished)
        return;
    st->collateral++;
    mate->fail_ns = 0;
}

/* Fails the actor at p, the point under the cursor. The state block records it first (cursor
 * past p, the count, the time), so the restarted generation goes on past p. Returns
 * STEP_FAILED when p fails by returning; otherwise it does not return. */
static int inject(chaos_stage_io *io, chaos_state *st, const chaos_point *p)
{
    chaos_how how = (chaos_how)p->how;
    st->cursor++;
    st->injected[p->kind]++;
    st->by_how[how]++;
    st->fail_class = how >= CHAOS_FIRST_NATIVE ? CHAOS_NATIVE : CHAOS_IN_PROCESS;
    if (how >= CHAOS_FIRST_NATIVE)
        count_collateral(io, st);
    st->fail_ns = now_ns();
    switch (how) {
    case CHAOS_BY_PANIC:
        steady_panic(CHAOS_MARK " %s: %s failure at position %" PRIu64, chaos_role_name(io->role),
                     chaos_kind_name((chaos_kind)p->kind), p->pos);
    case CHAOS_BY_ASSERT: STEADY_ASSERT(injected_false && "[chaos] injected assertion"); break;
    case CHAOS_BY_SIGKILL:
    case CHAOS_BY_SIGSEGV: die_natively(how);
    default: break;
    }
    return STEP_FAILED;
}

/* Appends a sample of `m` for the class of the last failure. */
static void sample(chaos_stage_io *io, chaos_state *st, chaos_measure m, uint64_t ns)
{
    size_t n = io->plan->n, *count = m == CHAOS_LATENCY ? st->n_latency : st->n_reentry;
    chaos_class c = st->fail_class < CHAOS_CLASSES ? (chaos_class)st->fail_class : CHAOS_NATIVE;
    if (count[c] < n)
        chaos_samples(st, n, m, c)[count[c]++] = ns;
}

/* After a publish of n: the first one since a failure ends that failure's restart latency. */
static void committed(chaos_stage_io *io, chaos_state *st, size_t n)
{
    st->committed += n;
    if (st->fail_ns == 0)
        return;
    sample(io, st, CHAOS_LATENCY, now_ns() - st->fail_ns);
    st->fail_ns = 0;
}

/* At the entry of run: after a failure, the supervisor's part of the restart is over (after a
 * native death: the warden's, the zygote's fork and the new child's start too). */
static void entered(chaos_stage_io *io, chaos_state *st)
{
    if (st->fail_ns != 0)
        sample(io, st, CHAOS_REENTRY, now_ns() - st->fail_ns);
}

/* At the top of a step: a before-peek point the stream has reached strikes. At the end of the
 * stream (drained), whatever is left of the plan strikes too, counted as late: every position
 * planned is below `messages`, so a point left there means the plan was not followed. */
static int fire_at_top(chaos_stage_io *io, chaos_state *st, uint64_t head, bool at_end)
{
    const chaos_point *p = pending(io, st);
    if (!p)
        return 0;
    if (p->kind == CHAOS_BEFORE_PEEK && p->pos <= head)
        return inject(io, st, p);
    if (!at_end)
        return 0;
    st->late++;
    return inject(io, st, p);
}

/* A before-peek point inside the batch ends the batch just before it, so that the point is at
 * the head of the next step. */
static size_t bound(const chaos_point *p, uint64_t head, size_t n)
{
    if (p && p->kind == CHAOS_BEFORE_PEEK && p->pos > head && p->pos - head < n)
        return (size_t)(p->pos - head);
    return n;
}

/* The offset in [head, head+n) at which p strikes from the site that handles `kind`, or n when
 * it does not strike in this batch. An after-peek site handles during-shutdown points too,
 * once shutdown was requested. */
static size_t strike_offset(steady_actor *a, const chaos_point *p, chaos_kind kind, uint64_t head,
                            size_t n)
{
    if (!p || p->pos >= head + n)
        return n;
    bool here = p->kind == kind ||
                (kind == CHAOS_AFTER_PEEK && p->kind == CHAOS_DURING_SHUTDOWN && shutdown_seen(a));
    if (!here)
        return n;
    return p->pos > head ? (size_t)(p->pos - head) : 0;
}

static void poison(chaos_msg *m)
{
    *m = (chaos_msg){.seq = CHAOS_POISON_SEQ, .payload = 0};
}

/* ---- source ---- */

static uint64_t sent_total(const chaos_stage_io *io)
{
    return steady_channel_sent_total(steady_tx_channel(io->out.raw));
}

static void fill(msgch_span out, uint64_t first, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        chaos_msg *m = at(out, i);
        m->seq = first + i;
        m->payload = chaos_payload_origin(first + i);
    }
}

/* The source's next number is its output's sent total: a generation that failed after writing
 * in place but before publishing left that total where it was, so nothing is skipped or sent
 * twice. Shutdown is requested just before shutdown_at is sent; the source keeps sending the
 * rest while it vetoes the stop. Returns the count sent, or STEP_FAILED. */
static int64_t source_step(steady_actor *a, chaos_stage_io *io, chaos_state *st)
{
    const chaos_args *args = io->args;
    uint64_t next = sent_total(io);
    if (next >= args->shutdown_at && !shutdown_seen(a))
        steady_actor_request_shutdown(a);
    int r = fire_at_top(io, st, next, next >= args->messages);
    if (r != 0 || next >= args->messages)
        return r;
    msgch_span out = msgch_tx_poke_slice(io->out);
    const chaos_point *p = pending(io, st);
    size_t n = min2(min2(span_len(out), (size_t)args->batch), (size_t)(args->messages - next));
    if (next < args->shutdown_at)
        n = min2(n, (size_t)(args->shutdown_at - next));
    n = bound(p, next, n);
    if (n == 0)
        return 0;
    size_t k = strike_offset(a, p, CHAOS_MID_BATCH, next, n);
    if (k < n) {
        fill(out, next, 0, k);
        poison(at(out, k));
        return inject(io, st, p);
    }
    fill(out, next, 0, n);
    if (strike_offset(a, p, CHAOS_AFTER_PEEK, next, n) < n)
        return inject(io, st, p);
    size_t sent = msgch_tx_advance_send(io->out, n);
    STEADY_ASSERT(sent == n); /* n fitted the span poked */
    committed(io, st, n);
    return (int64_t)n;
}

int chaos_source_run(steady_actor *a, void *arg)
{
    chaos_stage_io *io = arg;
    chaos_state *st = steady_actor_state(a);
    const uint64_t want = wait_want(io->args);
    entered(io, st);
    while (STEADY_RUNNING(a, STEADY_I(sent_total(io) >= io->args->messages) &&
                                 STEADY_I(plan_done(io, st)) &&
                                 STEADY_I(msgch_tx_close(io->out)))) {
        steady_reason r = sent_total(io) < io->args->messages ? steady_wait_vacant(a, io->out, want)
                                                              : steady_wait_shutdown(a);
        if (source_step(a, io, st) < 0)
            return CHAOS_FAIL_CODE;
        if (r == STEADY_CLOSED)
            break; /* the consumer is gone: nothing more can be delivered */
    }
    st->finished = true;
    return 0;
}

/* ---- stages ---- */

static uint64_t taken_total(const chaos_stage_io *io)
{
    return steady_channel_taken_total(steady_rx_channel(io->in.raw));
}

static void transform(const chaos_stage_io *io, msgch_span in, msgch_span out, size_t to)
{
    for (size_t i = 0; i < to; i++) {
        const chaos_msg *m = at(in, i);
        chaos_msg *o = at(out, i);
        o->seq = m->seq;
        o->payload = chaos_payload_step(io->role, m->seq, m->payload);
    }
}

/* Peek, write in place, commit in one call. Returns the count committed, or STEP_FAILED. */
static int64_t step_transactional(steady_actor *a, chaos_stage_io *io, chaos_state *st)
{
    uint64_t head = taken_total(io);
    const chaos_point *p = pending(io, st);
    int r = fire_at_top(io, st, head, p && msgch_rx_is_closed_and_empty(io->in));
    if (r != 0)
        return r;
    msgch_span in = msgch_rx_peek_slice(io->in), out = msgch_tx_poke_slice(io->out);
    size_t n = bound(p, head, min2(min2(span_len(in), span_len(out)), (size_t)io->args->batch));
    if (n == 0)
        return 0;
    size_t k = strike_offset(a, p, CHAOS_MID_BATCH, head, n);
    if (k < n) {
        transform(io, in, out, k);
        poison(at(out, k));
        return inject(io, st, p);
    }
    transform(io, in, out, n);
    if (strike_offset(a, p, CHAOS_AFTER_PEEK, head, n) < n)
        return inject(io, st, p);
    steady_err e = steady_commit1(io->in.raw, n, io->out.raw, n);
    STEADY_ASSERT(e == STEADY_OK); /* n fitted both spans */
    committed(io, st, n);
    return (int64_t)n;
}

/* One message at a time: peek, send (the output is published), then take (a second call).
 * A failure between the send and the take leaves the message at the head of the input, so the
 * next generation sends it again: one duplicate, counted in dup_window. */
static int64_t step_separate(steady_actor *a, chaos_stage_io *io, chaos_state *st)
{
    uint64_t head = taken_total(io);
    const chaos_point *p = pending(io, st);
    int r = fire_at_top(io, st, head, p && msgch_rx_is_closed_and_empty(io->in));
    if (r != 0)
        return r;
    size_t n = (size_t)msgch_rx_avail(io->in);
    n = bound(p, head, min2(min2(n, (size_t)msgch_tx_vacant(io->out)), (size_t)io->args->batch));
    size_t mid = strike_offset(a, p, CHAOS_MID_BATCH, head, n);
    size_t after = strike_offset(a, p, CHAOS_AFTER_PEEK, head, n);
    for (size_t i = 0; i < n; i++) {
        if (i == mid) { /* the messages before it went through; scribble on the next slot */
            poison(at(msgch_tx_poke_slice(io->out), 0));
            return inject(io, st, p);
        }
        chaos_msg m;
        steady_err e = msgch_rx_try_peek(io->in, &m);
        STEADY_ASSERT(e == STEADY_OK); /* i < the count ready */
        m.payload = chaos_payload_step(io->role, m.seq, m.payload);
        e = msgch_tx_try_send(io->out, m);
        STEADY_ASSERT(e == STEADY_OK); /* i < the room there was */
        committed(io, st, 1);
        if (i == after) {
            st->dup_window++;
            return inject(io, st, p);
        }
        size_t taken = msgch_rx_advance_take(io->in, 1);
        STEADY_ASSERT(taken == 1);
    }
    return (int64_t)n;
}

/* After a CLOSED wait that moved nothing: whether the stage is finished (its consumer is gone,
 * or its input is drained and its plan done). Otherwise, when its output is full, it waits for
 * room, which CLOSED does not wait for. */
static bool finished_on_closed(steady_actor *a, chaos_stage_io *io, const chaos_state *st)
{
    if (msgch_tx_is_closed(io->out))
        return true;
    if (msgch_rx_is_closed_and_empty(io->in))
        return plan_done(io, st); /* else the next step fires what is left */
    steady_wait_vacant(a, io->out, 1);
    return false;
}

int chaos_stage_run(steady_actor *a, void *arg)
{
    chaos_stage_io *io = arg;
    chaos_state *st = steady_actor_state(a);
    const uint64_t want = wait_want(io->args);
    entered(io, st);
    const bool separate = io->args->commit == CHAOS_SEPARATE;
    while (STEADY_RUNNING(a, STEADY_I(msgch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(plan_done(io, st)) &&
                                 STEADY_I(msgch_tx_close(io->out)))) {
        steady_wake w =
            steady_wait_all(a, STEADY_AVAIL(io->in, want), STEADY_VACANT(io->out, want));
        int64_t n = separate ? step_separate(a, io, st) : step_transactional(a, io, st);
        if (n < 0)
            return CHAOS_FAIL_CODE;
        if (n == 0 && w.reason == STEADY_CLOSED && finished_on_closed(a, io, st))
            break;
    }
    /* Nothing waits between here and the end of the generation: a troupe mate that reads this
     * (count_collateral) sees the truth about whether a death of the troupe would fail us. */
    st->finished = true;
    return 0;
}

/* ---- checker ---- */

static void check_span(chaos_checker *c, const chaos_msg *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        chaos_checker_see(c, m[i].seq, m[i].payload == chaos_payload_final(m[i].seq));
}

/* Counts everything ready, in place, then takes it. The checker is never failed on purpose: it
 * is the oracle, and it counts each element before taking it. */
int chaos_sink_run(steady_actor *a, void *arg)
{
    chaos_sink_io *io = arg;
    const uint64_t want = wait_want(io->args);
    while (STEADY_RUNNING(a, STEADY_I(msgch_rx_is_closed_and_empty(io->in)))) {
        steady_reason r = steady_wait_avail(a, io->in, want);
        msgch_span s = msgch_rx_peek_slice(io->in);
        check_span(io->checker, s.a, s.a_len);
        check_span(io->checker, s.b, s.b_len);
        size_t n = msgch_rx_advance_take(io->in, span_len(s));
        if (n == 0 && r == STEADY_CLOSED && msgch_rx_is_closed_and_empty(io->in))
            break;
    }
    return 0;
}
