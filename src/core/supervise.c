/* core/supervise.c — what happens when a generation of an actor ends (steady/supervise.h).
 *
 * The supervisor runs on the failed actor's own stack and thread, between two generations:
 * no other thread touches the actor's supervision fields. It releases the generation's arena,
 * counts showstoppers, saves a durable state, then either ends the actor or restarts it: it
 * waits out the backoff (a wait like any other, so the rest of a troupe keeps running, cut
 * short by shutdown), takes configured showstoppers off their inputs, rewinds the channel
 * handles to what was committed, and bumps the regeneration.
 */
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RING 65536u

/* ---- policy ---- */

steady_err steady__policy_check(const steady_policy *p, const char *who)
{
    if (p->restart > STEADY_RESTART_TEMPORARY)
        return steady__fail(STEADY_EINVAL, "%s: restart type %d is not a steady_restart", who,
                            (int)p->restart);
    if (p->escalation != STEADY_ESCALATE_SHUTDOWN_GRAPH &&
        p->escalation != STEADY_ESCALATE_STOP_ACTOR)
        return steady__fail(STEADY_EINVAL, "%s: escalation %d is not a steady_escalation", who,
                            (int)p->escalation);
    if (p->jitter_pct > 100)
        return steady__fail(STEADY_EINVAL, "%s: jitter_pct %u is over 100; give a percentage", who,
                            p->jitter_pct);
    if (p->backoff_ceiling_ms < p->backoff_floor_ms)
        return steady__fail(STEADY_EINVAL,
                            "%s: backoff ceiling %u ms is below the floor %u ms; raise the "
                            "ceiling",
                            who, p->backoff_ceiling_ms, p->backoff_floor_ms);
    if (p->max_restarts != STEADY_UNLIMITED && p->max_restarts > MAX_RING)
        return steady__fail(STEADY_EINVAL,
                            "%s: max_restarts %u is over %u; use STEADY_UNLIMITED for no limit",
                            who, p->max_restarts, MAX_RING);
    if (p->max_restarts != STEADY_UNLIMITED && p->max_restarts > 0 && p->period_ms == 0)
        return steady__fail(STEADY_EINVAL,
                            "%s: an intensity limit needs a period; give period_ms > 0", who);
    return STEADY_OK;
}

steady_err steady__supervision_init(steady_actor *a, const steady_policy *p)
{
    struct steady__supervision *s = &a->sup;
    s->policy = *p;
    if (p->max_restarts != STEADY_UNLIMITED && p->max_restarts > 0) {
        s->restart_ns =
            steady__shm_alloc(a->graph->shm, p->max_restarts * sizeof *s->restart_ns, 8);
        if (!s->restart_ns)
            return steady__fail(STEADY_ENOMEM, "actor '%s': out of memory", a->label);
    }
    s->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)a->id << 32) ^ (uint64_t)(uintptr_t)a;
    return STEADY_OK;
}

/* ---- accessors ---- */

/* Queries of any thread: a NULL actor reads as 0 / false / "" with a STEADY_EINVAL detail. */
static bool actor_ok(const steady_actor *a, const char *fn)
{
    if (!a)
        steady__fail(STEADY_EINVAL, "%s: the actor is NULL", fn);
    return a != NULL;
}

uint32_t steady_actor_restarts(const steady_actor *a)
{
    return actor_ok(a, "steady_actor_restarts")
               ? atomic_load_explicit(&a->regeneration, memory_order_relaxed)
               : 0;
}

uint32_t steady_actor_regeneration(const steady_actor *a)
{
    return actor_ok(a, "steady_actor_regeneration")
               ? atomic_load_explicit(&a->regeneration, memory_order_relaxed)
               : 0;
}

uint32_t steady_actor_failures(const steady_actor *a)
{
    return actor_ok(a, "steady_actor_failures")
               ? atomic_load_explicit(&a->failures, memory_order_relaxed)
               : 0;
}

bool steady_actor_stopped_for_good(const steady_actor *a)
{
    return actor_ok(a, "steady_actor_stopped_for_good") &&
           /* acquire: pairs with the release stores when an actor is stopped for good (supervise.c,
              isolate.c). */
           atomic_load_explicit(&a->stopped_for_good, memory_order_acquire) != 0;
}

const char *steady_actor_last_failure(const steady_actor *a)
{
    return actor_ok(a, "steady_actor_last_failure") ? a->last_failure : "";
}

/* ---- failing ---- */

/* The file by its base name, as log lines name files. */
static const char *base_name(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    return slash ? slash + 1 : file ? file : "?";
}

/* steady_panic and STEADY_PANIC, once the message is formatted: file NULL for the one without
 * a place. */
static _Noreturn void panic_with(const char *file, int line, const char *why)
{
    char at[160] = "";
    if (file)
        snprintf(at, sizeof at, "%s:%d: ", base_name(file), line);
    steady_actor *a = steady__self;
    if (a)
        steady__actor_fail(a, "panic: %s%s", at, why);
    STEADY_ERROR("steady_panic outside an actor: %s%s", at, why);
    abort();
}

/* A panic's message: fmt formatted, or a placeholder for a NULL fmt. */
static void format_reason(char *why, size_t cap, const char *fmt, va_list ap)
{
    if (fmt)
        vsnprintf(why, cap, fmt, ap);
    else
        snprintf(why, cap, "(no reason given: the format was NULL)");
}

_Noreturn void steady_panic(const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    format_reason(why, sizeof why, fmt, ap);
    va_end(ap);
    panic_with(NULL, 0, why);
}

_Noreturn void steady__panic_at(const char *file, int line, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    format_reason(why, sizeof why, fmt, ap);
    va_end(ap);
    panic_with(file ? file : "?", line, why);
}

_Noreturn void steady__assert_fail(const char *file, int line, const char *expr)
{
    file = base_name(file);
    expr = expr ? expr : "?";
    steady_actor *a = steady__self;
    if (a)
        steady__actor_fail(a, "assertion failed: %s:%d: %s", file, line, expr);
    STEADY_ERROR("assertion failed outside an actor: %s:%d: %s", file, line, expr);
    abort();
}

/* ---- showstoppers ---- */

/* At a failure: each input whose head this generation peeked and did not take counts one more
 * generation dead on that head (the count restarts when the head is another one). */
static void count_showstoppers(steady_actor *a)
{
    for (size_t i = 0; i < a->n_rxs; i++) {
        steady_rx *rx = a->rxs[i];
        steady_channel *c = rx->channel;
        /* acquire: pairs with the producer's release of tail (steady__tx_publish_to). */
        if (rx->peeked != rx->head + 1 ||
            atomic_load_explicit(&rx->ring->tail, memory_order_acquire) == rx->head)
            continue;
        uint32_t n = atomic_load_explicit(&c->ss_count, memory_order_relaxed);
        bool same = n && atomic_load_explicit(&c->ss_head, memory_order_relaxed) == rx->head;
        atomic_store_explicit(&c->ss_head, rx->head, memory_order_relaxed);
        atomic_store_explicit(&c->ss_count, same ? n + 1 : 1, memory_order_relaxed);
    }
}

/* The count behind both queries below; `op` names the caller's in a misuse's detail. */
static uint32_t head_count(steady_rx *rx, const char *op)
{
    if (steady__rx_check(rx, op) != STEADY_OK)
        return 0;
    if (!steady__rx_owned(rx)) {
        steady__rx_misuse(rx, op);
        return 0;
    }
    steady_channel *c = rx->channel;
    if (steady__rx_ready(rx, 1) == 0 ||
        atomic_load_explicit(&c->ss_head, memory_order_relaxed) != rx->head)
        return 0;
    return atomic_load_explicit(&c->ss_count, memory_order_relaxed);
}

uint32_t steady_rx_showstopper_count(steady_rx *rx)
{
    return head_count(rx, "showstopper_count");
}

bool steady_rx_is_showstopper(steady_rx *rx, uint32_t k)
{
    if (steady__rx_check(rx, "is_showstopper") != STEADY_OK)
        return false;
    if (k < 2) {
        steady__misuse(STEADY_EINVAL,
                       "is_showstopper on '%s': k is %u; a showstopper needs k >= 2 failed "
                       "generations (one failure can be bad luck)",
                       rx->channel->name, k);
        return false;
    }
    return head_count(rx, "is_showstopper") >= k;
}

steady_err steady_rx_set_showstopper(steady_rx *rx, uint32_t k, steady_tx *dead_letter)
{
    if (!rx)
        return steady__fail(STEADY_EINVAL, "steady_rx_set_showstopper: rx is NULL");
    if (!steady__end_is_rx(rx))
        return steady__fail(STEADY_EINVAL,
                            "steady_rx_set_showstopper: channel '%s': that is its sending end; "
                            "pass the receiving end of the input",
                            steady__end_channel(rx)->name);
    if (dead_letter && steady__end_is_rx(dead_letter))
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': its dead letter is the receiving end of channel '%s'; "
                            "pass that channel's sending end",
                            rx->channel->name, steady__end_channel(dead_letter)->name);
    steady_channel *ch = rx->channel;
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&ch->graph->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "channel '%s': showstopper handling is configured before "
                            "steady_graph_start()",
                            ch->name);
    if (k < 2)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': showstopper threshold %u; use k >= 2 (one failure "
                            "can be bad luck)",
                            ch->name, k);
    if (dead_letter && dead_letter->elem_size != rx->elem_size)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': its dead letter '%s' carries %u-byte elements, not "
                            "%u; give it the same element type",
                            ch->name, dead_letter->channel->name, dead_letter->elem_size,
                            rx->elem_size);
    if (dead_letter && dead_letter->channel->graph != ch->graph)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': its dead letter '%s' belongs to another graph; give "
                            "a channel of this one",
                            ch->name, dead_letter->channel->name);
    if (dead_letter == &ch->tx)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s' cannot be its own dead letter; give another channel",
                            ch->name);
    ch->ss_k = k;
    ch->ss_dead = dead_letter;
    return STEADY_OK;
}

steady_err steady__showstoppers_validate(steady_graph *g)
{
    for (steady_channel *ch = g->channels; ch; ch = ch->next) {
        if (!ch->ss_dead || ch->ss_dead->channel->tx_owner == ch->rx_owner)
            continue;
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': its dead letter '%s' must be sent on by the same "
                            "actor that takes from it ('%s'); list the dead letter's sending "
                            "end in that actor's txs",
                            ch->name, ch->ss_dead->channel->name,
                            ch->rx_owner ? ch->rx_owner->label : "(none)");
    }
    return STEADY_OK;
}

uint64_t steady_channel_showstoppers(const steady_channel *ch)
{
    if (!ch) {
        steady__fail(STEADY_EINVAL, "steady_channel_showstoppers: the channel is NULL");
        return 0;
    }
    return atomic_load_explicit(&ch->ss_removed, memory_order_relaxed);
}

uint64_t steady_channel_showstoppers_dropped(const steady_channel *ch)
{
    if (!ch) {
        steady__fail(STEADY_EINVAL, "steady_channel_showstoppers_dropped: the channel is NULL");
        return 0;
    }
    return atomic_load_explicit(&ch->ss_dropped, memory_order_relaxed);
}

/* Moves the head element to the dead letter when it has room; false when it has none. */
static bool send_dead_letter(steady_tx *dl, const void *elem)
{
    if ((steady__tx_gate(dl) & STEADY__GATE_OWN_CLOSED) ||
        /* acquire: pairs with the release store in steady_rx_close. */
        atomic_load_explicit(&dl->ring->rx_closed, memory_order_acquire) ||
        steady__tx_room(dl, 1) == 0)
        return false;
    memcpy(steady__tx_slot(dl, dl->tail), elem, dl->elem_size);
    steady__tx_publish(dl, 1);
    return true;
}

static void remove_showstopper(steady_actor *a, steady_rx *rx)
{
    steady_channel *ch = rx->channel;
    uint32_t n = atomic_load_explicit(&ch->ss_count, memory_order_relaxed);
    if (!ch->ss_k || n < ch->ss_k ||
        atomic_load_explicit(&ch->ss_head, memory_order_relaxed) != rx->head ||
        steady__rx_ready(rx, 1) == 0)
        return;
    uint64_t index = rx->head;
    steady_tx *dl = ch->ss_dead;
    bool moved = dl && send_dead_letter(dl, steady__rx_slot(rx, index));
    steady__rx_release(rx, 1);
    atomic_fetch_add_explicit(&ch->ss_removed, 1, memory_order_relaxed);
    if (moved) {
        STEADY_WARN("actor '%s': message #%llu of '%s' was the head when %u generations "
                    "failed; moved to dead letter '%s'",
                    a->label, (unsigned long long)index, ch->name, n, dl->channel->name);
        return;
    }
    atomic_fetch_add_explicit(&ch->ss_dropped, 1, memory_order_relaxed);
    if (dl) /* relaxed: read by the stop after the joins, which order it */
        atomic_fetch_add_explicit(&ch->ss_lost, 1, memory_order_relaxed);
    STEADY_WARN("actor '%s': message #%llu of '%s' was the head when %u generations failed; "
                "dropped%s",
                a->label, (unsigned long long)index, ch->name, n,
                !dl ? " (no dead letter configured)" : " (its dead letter is full or closed)");
}

/* ---- restart ---- */

static uint64_t next_random(struct steady__supervision *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 0x2545F4914F6CDD1Dull;
}

/* True when one more restart at `now` stays within max_restarts per period; records it. */
static bool within_intensity(struct steady__supervision *s, uint64_t now)
{
    const steady_policy *p = &s->policy;
    if (p->max_restarts == STEADY_UNLIMITED)
        return true;
    if (p->max_restarts == 0)
        return false;
    uint64_t period = (uint64_t)p->period_ms * 1000000u;
    if (s->ring_len == p->max_restarts && now - s->restart_ns[s->ring_next] < period)
        return false;
    s->restart_ns[s->ring_next] = now;
    s->ring_next = (s->ring_next + 1) % p->max_restarts;
    if (s->ring_len < p->max_restarts)
        s->ring_len++;
    return true;
}

/* How many restarts within the period, the one just recorded included. */
static uint32_t restarts_in_period(const struct steady__supervision *s, uint64_t now)
{
    uint64_t period = (uint64_t)s->policy.period_ms * 1000000u;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->ring_len; i++)
        n += now - s->restart_ns[i] < period;
    return n;
}

/* The backoff before the next restart, in ns; advances the streak. */
static uint64_t backoff_ns(struct steady__supervision *s, uint64_t now)
{
    const steady_policy *p = &s->policy;
    if (now - s->gen_start >= (uint64_t)p->period_ms * 1000000u)
        s->streak = 0;
    uint64_t ms = p->backoff_floor_ms;
    for (uint32_t i = 0; i < s->streak && ms && ms < p->backoff_ceiling_ms; i++)
        ms *= 2;
    if (ms > p->backoff_ceiling_ms)
        ms = p->backoff_ceiling_ms;
    if (s->streak < 64)
        s->streak++;
    uint64_t ns = ms * 1000000u;
    uint64_t spread = ns / 100u * p->jitter_pct;
    if (spread)
        ns = ns - spread + next_random(s) % (2 * spread + 1);
    return ns;
}

/* `graph`: shut the graph down whatever the policy's escalation says. */
static void stop_for_good(steady_actor *a, const char *what, bool graph)
{
    const steady_policy *p = &a->sup.policy;
    a->failed = true;
    /* release: pairs with the acquire in steady_actor_stopped_for_good; last_failure is written
     * before. */
    atomic_store_explicit(&a->stopped_for_good, 1, memory_order_release);
    graph |= p->escalation == STEADY_ESCALATE_SHUTDOWN_GRAPH;
    STEADY_ERROR("actor '%s' %s; stopping it for good%s", a->label, what,
                 graph ? " and shutting the graph down" : "");
    if (graph)
        steady__graph_request(a->graph, a->label);
}

/* The next generation starts as the first did, except for what survives: state, channels,
 * the regeneration count. Handles go back to what was committed on the rings. */
static void prepare_generation(steady_actor *a)
{
    for (size_t i = 0; i < a->n_rxs; i++) {
        steady_rx *rx = a->rxs[i];
        rx->head = atomic_load_explicit(&rx->ring->head, memory_order_relaxed);
        rx->peeked = 0;
        remove_showstopper(a, rx);
    }
    for (size_t i = 0; i < a->n_rxs; i++)
        if (a->rxs[i]->channel->stream_lens)
            steady__stream_rx_mend(a->rxs[i]); /* after the rewinds: it reads the lens head */
    for (size_t i = 0; i < a->n_txs; i++)
        a->txs[i]->tail = atomic_load_explicit(&a->txs[i]->ring->tail, memory_order_relaxed);
    for (size_t i = 0; i < a->n_txs; i++)
        if (a->txs[i]->channel->stream_lens)
            steady__stream_mend(a->txs[i]); /* after the rewinds: it reads the lens tail */
    a->shutdown_seen = false;
    memset(a->periodic, 0, sizeof a->periodic);
    atomic_fetch_add_explicit(&a->regeneration, 1, memory_order_relaxed);
    a->sup.gen_start = steady__now(a->graph);
}

/* Waits out a backoff, cut short by shutdown. Even a zero backoff is a wait: in a troupe it
 * lets the other members run, so a member in a crash loop cannot starve them. */
static void pause_for(steady_actor *a, uint64_t delay_ns)
{
    steady_wait_any(a, STEADY_TIMEOUT(delay_ns), STEADY_SHUTDOWN_REQUESTED());
}

/* Whether this ending is restarted at all, before the intensity limit is asked. */
static bool wants_restart(steady_actor *a, bool failed, int state)
{
    if (state == STEADY_GRAPH_STOPPED || state == STEADY_GRAPH_STOPPED_UNCLEANLY)
        return false; /* the graph is gone: nothing would run the next generation */
    if (atomic_load_explicit(&a->voted_yes, memory_order_relaxed))
        return false; /* it already agreed to stop */
    if (!failed)
        return a->sup.policy.restart == STEADY_RESTART_PERMANENT && state == STEADY_GRAPH_RUNNING;
    return true;
}

/* The end of a generation, before any decision (`why`: the failure, or NULL for a return):
 * logs and counts the failure, counts showstoppers, saves a durable state, honours fail-fast. */
static void record_end(steady_actor *a, const char *why)
{
    if (why) {
        steady__failure_set(a, "%s", why);
        atomic_fetch_add_explicit(&a->failures, 1, memory_order_relaxed);
        STEADY_ERROR("actor '%s' failed (regeneration %u): %s", a->label,
                     steady_actor_regeneration(a), why);
        count_showstoppers(a);
    }
    steady__state_save(a);
    if (why && a->graph->fail_fast) {
        STEADY_ERROR("fail-fast: aborting at the first failure (actor '%s')", a->label);
        abort();
    }
}

/* The supervisor's decision at the end of a generation (`why`: the failure, or NULL for a
 * return): logs, counts, saves, then true with *delay_ns when the actor is to run again. With
 * !can_run no next generation can start (an ISOLATED actor whose zygotes are all gone): true
 * then means "it would run again" and no restart is announced; the caller stops it for good. */
static bool decide(steady_actor *a, const char *why, bool can_run, uint64_t *delay_ns)
{
    bool failed = why != NULL;
    uint32_t regen = steady_actor_regeneration(a);
    *delay_ns = 0;
    record_end(a, why);
    if (failed && a->graph->hooks.failures_stop) { /* a test's graph: report, never restart */
        stop_for_good(a, "failed, and failures stop this graph (its hooks say failures_stop)",
                      true);
        return false;
    }
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int state = atomic_load_explicit(&a->graph->state, memory_order_acquire);
    if (!wants_restart(a, failed, state))
        return false;
    if (failed && a->sup.policy.restart == STEADY_RESTART_TEMPORARY) {
        stop_for_good(a, "is temporary", false);
        return false;
    }
    uint64_t now = steady__now(a->graph);
    if (!within_intensity(&a->sup, now)) {
        char what[96];
        snprintf(what, sizeof what, "exceeded its restart intensity (%u restart%s within %u ms)",
                 a->sup.policy.max_restarts, steady__plural(a->sup.policy.max_restarts),
                 a->sup.policy.period_ms);
        if (!failed) /* a PERMANENT actor that kept returning: say so, not a stale reason */
            steady__failure_set(a,
                                "it kept returning 0 while the graph ran (PERMANENT: each "
                                "return is restarted), and %s",
                                what);
        stop_for_good(a, what, false);
        return false;
    }
    if (!can_run)
        return true;
    if (state != STEADY_GRAPH_RUNNING) {
        /* Draining: no backoff (a shutdown would cut it short anyway). */
        STEADY_INFO("actor '%s' restarting as regeneration %u at once (shutting down)", a->label,
                    regen + 1);
        return true;
    }
    *delay_ns = backoff_ns(&a->sup, now);
    if (a->sup.policy.max_restarts == STEADY_UNLIMITED)
        STEADY_INFO("actor '%s' restarting as regeneration %u in %llu us", a->label, regen + 1,
                    (unsigned long long)(*delay_ns / 1000u));
    else
        STEADY_INFO("actor '%s' restarting as regeneration %u in %llu us (restart %u of %u "
                    "allowed within %u ms)",
                    a->label, regen + 1, (unsigned long long)(*delay_ns / 1000u),
                    restarts_in_period(&a->sup, now), a->sup.policy.max_restarts,
                    a->sup.policy.period_ms);
    return true;
}

bool steady__supervise(steady_actor *a, const char *why)
{
    steady__arena_release(&a->arena);
    uint64_t delay;
    if (!decide(a, why, true, &delay))
        return false;
    /* Decided and counted: if this process dies during the backoff (an ISOLATED troupe whose
     * mate crashed), the warden restarts it without counting a second failure. */
    /* release: pairs with the acquire load in steady__supervise_death (the warden, after this
     * process died). */
    atomic_store_explicit(&a->sup.pending, 1, memory_order_release);
    pause_for(a, delay);
    prepare_generation(a);
    /* release: pairs with the acquire load in steady__supervise_death (the warden, after this
     * process died). */
    atomic_store_explicit(&a->sup.pending, 0, memory_order_release);
    return true;
}

bool steady__supervise_death(steady_actor *a, const char *why, bool can_run, uint64_t *delay_ns)
{
    /* The arena's blocks died with the process: forget them, free nothing. */
    a->arena.blocks = NULL;
    a->arena.defers = NULL;
    atomic_store_explicit(&a->arena.bytes, 0, memory_order_relaxed);
    /* acquire: pairs with the release stores of pending on the actor's thread (supervise.c) or in
     * its child. */
    if (atomic_load_explicit(&a->sup.pending, memory_order_acquire)) {
        /* It had failed in its process and was waiting out its backoff: that failure was
         * counted and its restart decided; the death only interrupted the wait. */
        atomic_store_explicit(&a->sup.pending, 0, memory_order_relaxed);
        *delay_ns = 0;
        return true;
    }
    return decide(a, why, can_run, delay_ns);
}

void steady__restart_prepare(steady_actor *a)
{
    prepare_generation(a);
    a->status = STEADY__NEW;
    a->wait = NULL;
    a->in_generation = false;
}
