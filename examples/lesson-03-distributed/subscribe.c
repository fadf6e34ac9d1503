/* lesson-03-subscribe — the subscribing pod: the bridge -> worker -> logger.
 *
 * The worker turns each value into a FizzBuzz message; the logger counts them and audits the
 * sequence (a repeat is dropped and counted, a gap counted). The end of the publisher's stream
 * crosses the bridge, so this pod stops by itself once it has everything.
 *
 * Over nats-js and shm the logger's counts and the next sequence number it expects are durable
 * state (--state FILE), saved together; only then does it confirm them: to the bridge, which
 * acknowledges to the server no further, or, over shm, to the worker, which takes from the
 * shared ring no further (it reads ahead without taking: the ring keeps what was not saved).
 * A subscriber killed at any moment and started again with the same --state gets again what it
 * had not saved, drops what it had, and ends with the exact total of the whole stream. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <steady/ipc.h>

#include "lesson03.h"
#include "lesson_cli.h"
#include "lesson_telemetry.h"

#define SAVE_EVERY_NS STEADY_MS(50)  /* nats-js, shm: the logger saves and confirms this often */
#define CONFIRM_POLL_NS STEADY_MS(5) /* shm: the worker looks for a newer confirmation */

typedef struct subscriber {
    const lesson03_args *args;
    u64ch_rx values;
    fbch_tx to_logger;
    fbch_rx from_worker;
    steady_actor *ingress; /* the bridge (NULL over shm) */
    bool durable;          /* nats-js, shm: the logger saves and confirms */
    bool shm;              /* the values channel is the shared ring itself */
    /* shm: the logger's last saved `next`; the worker takes the ring's elements below it.
     * Written by the logger after each save, read by the worker (release / acquire: the save
     * is done before the ring lets the elements go). */
    _Atomic uint64_t confirmed;
} subscriber;

typedef struct logger_state {
    uint64_t next; /* the value expected next: everything below was applied */
    uint64_t fizz, buzz, fizzbuzz, value;
    uint64_t gaps, repeats;
} logger_state;

static int worker_run(steady_actor *a, void *arg)
{
    subscriber *s = arg;
    uint64_t in[256];
    fizzbuzz_msg out[256];
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(s->values)) &&
                                 STEADY_I(fbch_tx_close(s->to_logger)))) {
        steady_reason r =
            steady_wait_all(a, STEADY_AVAIL(s->values, 1), STEADY_VACANT(s->to_logger, 1)).reason;
        if (r == STEADY_CLOSED && u64ch_rx_is_closed_and_empty(s->values)) {
            fbch_tx_close(s->to_logger); /* the stream ended: the logger drains and stops */
            break;
        }
        uint64_t room = fbch_tx_vacant(s->to_logger);
        size_t n = u64ch_rx_take_slice(s->values, in, room < 256 ? room : 256);
        for (size_t i = 0; i < n; i++)
            out[i] = fizzbuzz_of(in[i]);
        fbch_tx_send_slice(s->to_logger, out, n);
    }
    return 0;
}

/* The ring's element i past its head (the readable region may wrap). */
static uint64_t value_at(const steady_span *sp, size_t i)
{
    return i < sp->a_len ? ((const uint64_t *)sp->a)[i] : ((const uint64_t *)sp->b)[i - sp->a_len];
}

/* shm: takes from the ring what the logger saved (at most what was forwarded), and, until
 * the logger's channel is closed, forwards up to 256 more without taking them; returns the
 * elements now forwarded and not taken. Saved means a value below the logger's confirmed
 * `next`, compared by value, not by place in the ring: a publisher started again on the same
 * ring sends from 0 at later places (repeats, which the logger counts and saves past). */
static uint64_t worker_shm_step(subscriber *s, uint64_t ahead, bool closed)
{
    steady_rx *rx = s->values.raw;
    uint64_t upto = atomic_load_explicit(&s->confirmed, memory_order_acquire);
    steady_span sp = steady_rx_peek_slice(rx);
    uint64_t k = 0;
    while (k < ahead && value_at(&sp, (size_t)k) < upto)
        k++;
    if (k) {
        steady_rx_advance_take(rx, k);
        ahead -= k;
    }
    if (closed)
        return ahead;
    sp = steady_rx_peek_slice(rx);
    uint64_t have = sp.a_len + sp.b_len, room = fbch_tx_vacant(s->to_logger);
    uint64_t n = have - ahead < room ? have - ahead : room;
    fizzbuzz_msg out[256];
    n = n < 256 ? n : 256;
    for (uint64_t i = 0; i < n; i++)
        out[i] = fizzbuzz_of(value_at(&sp, (size_t)(ahead + i)));
    return ahead + fbch_tx_send_slice(s->to_logger, out, n); /* what was sent, not asked */
}

/* The worker over shm: reads ahead of the ring's head, takes only what the logger saved. It
 * stops once the stream ended and everything was saved and taken. */
static int worker_shm_run(steady_actor *a, void *arg)
{
    subscriber *s = arg;
    uint64_t ahead = 0;
    bool closed = false;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(s->values)) &&
                                 STEADY_I(fbch_tx_close(s->to_logger)))) {
        ahead = worker_shm_step(s, ahead, closed);
        if (u64ch_rx_is_closed_and_empty(s->values)) {
            steady_actor_request_shutdown(a); /* everything saved and taken */
            steady_wait_shutdown(a);
            continue;
        }
        steady_span sp = steady_rx_peek_slice(s->values.raw);
        if (!closed && steady_rx_is_closed(s->values.raw) && sp.a_len + sp.b_len == ahead)
            closed = fbch_tx_close(s->to_logger); /* all forwarded: the logger ends, saves */
        if (!closed && sp.a_len + sp.b_len > ahead)
            steady_wait_any(a, STEADY_VACANT(s->to_logger, 1), STEADY_PERIODIC(CONFIRM_POLL_NS));
        else if (closed)
            steady_wait_periodic(a, CONFIRM_POLL_NS); /* the logger's last save, then take all */
        else
            steady_wait_any(a, steady_cond_avail(s->values.raw, ahead + 1),
                            STEADY_PERIODIC(CONFIRM_POLL_NS));
    }
    return 0;
}

static void apply(logger_state *st, const fizzbuzz_msg *m)
{
    if (m->value < st->next) { /* applied before (a redelivery after a restart) */
        st->repeats++;
        return;
    }
    st->gaps += m->value - st->next; /* lost on the way (core NATS is at most once) */
    st->next = m->value + 1;
    switch ((fizzbuzz_kind)m->kind) {
    case FB_FIZZ: st->fizz++; break;
    case FB_BUZZ: st->buzz++; break;
    case FB_FIZZBUZZ: st->fizzbuzz++; break;
    case FB_VALUE: st->value++; break;
    }
}

/* nats-js, shm: the counts saved first, then confirmed: the bridge acknowledges, the worker
 * takes from the ring, no further. */
static void save(steady_actor *a, subscriber *s, const logger_state *st)
{
    if (!s->durable)
        return;
    if (steady_actor_persist(a) != STEADY_OK)
        STEADY_PANIC("cannot save the logger's state: %s", steady_last_error());
    if (s->shm)
        atomic_store_explicit(&s->confirmed, st->next, memory_order_release);
    else
        steady_bridge_confirm(s->ingress, st->next);
}

static int logger_run(steady_actor *a, void *arg)
{
    subscriber *s = arg;
    logger_state *st = steady_actor_state(a);
    fizzbuzz_msg batch[256];
    size_t n;
    uint64_t saved_at = st->next, last_save = 0;
    save(a, s, st); /* a pod started again: what it had saved is confirmed at once */
    while (STEADY_RUNNING(a, STEADY_I(fbch_rx_is_closed_and_empty(s->from_worker)))) {
        n = fbch_rx_take_slice(s->from_worker, batch, 256);
        if (n == 0 && fbch_rx_is_closed_and_empty(s->from_worker))
            break;
        if (n == 0) /* a save is due even when nothing comes: over shm the worker waits for it */
            steady_wait_any(a, STEADY_AVAIL(s->from_worker, 1), STEADY_PERIODIC(SAVE_EVERY_NS));
        for (size_t i = 0; i < n; i++)
            apply(st, &batch[i]);
        uint64_t now = steady_clock_monotonic_ns(NULL);
        if (st->next != saved_at && now - last_save >= SAVE_EVERY_NS) {
            save(a, s, st);
            saved_at = st->next;
            last_save = now;
        }
    }
    save(a, s, st);
    uint64_t total = st->fizz + st->buzz + st->fizzbuzz + st->value;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                total, st->fizz, st->buzz, st->fizzbuzz, st->value);
    STEADY_INFO("Audit: next sequence %" PRIu64 ", %" PRIu64 " lost (gaps), %" PRIu64
                " repeats dropped",
                st->next, st->gaps, st->repeats);
    if (fbch_rx_is_closed_and_empty(s->from_worker))
        steady_actor_request_shutdown(a); /* everything arrived: this pod is done */
    return 0;
}

static steady_err build(steady_graph *g, void *pod, const char *where)
{
    subscriber *s = pod;
    const lesson03_args *args = s->args;
    steady_err e;
    if (!strcmp(args->transport, "shm")) {
        s->shm = s->durable = true;
        steady_ipc_opts o = {.name = where,
                             .capacity = args->capacity,
                             .elem_size = sizeof(uint64_t),
                             .type_id = LESSON03_TYPE_ID};
        e = steady_ipc_rx_attach(g, &o, &s->values.raw);
    } else {
        u64ch_tx from_bridge;
        s->durable = !strcmp(args->transport, "nats-js");
        steady_bridge_opts o = {.uri = where, .type_id = LESSON03_TYPE_ID, .confirm = s->durable};
        if ((e = u64ch_new(g, "ingress->worker", args->capacity, &from_bridge, &s->values)) ==
            STEADY_OK)
            e = steady_bridge_ingress(g, from_bridge.raw, &o, &s->ingress);
    }
    if (e != STEADY_OK ||
        (e = fbch_new(g, "worker->logger", args->capacity, &s->to_logger, &s->from_worker)))
        return e;
    const steady_actor_opts actors[] = {
        {.name = "worker",
         .run = s->shm ? worker_shm_run : worker_run,
         .arg = s,
         .rxs = STEADY_RXS(s->values),
         .txs = STEADY_TXS(s->to_logger)},
        {.name = "logger",
         .run = logger_run,
         .arg = s,
         .rxs = STEADY_RXS(s->from_worker),
         .state_size = sizeof(logger_state),
         .state_path = s->durable ? args->state : NULL},
    };
    for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++)
        if ((e = steady_actor_spawn(g, &actors[i], NULL)) != STEADY_OK)
            return e;
    return STEADY_OK;
}

/* One line once this pod receives (the runner waits for it before starting the publisher:
 * over core NATS, what is published before the subscription exists is lost). */
static void announce_ready(void *pod)
{
    const subscriber *s = pod;
    steady_bridge_stats st = {.ready = true};
    for (int i = 0; s->ingress && i < 3000; i++) { /* 30 s */
        if (steady_bridge_stats_get(s->ingress, &st) != STEADY_OK || st.ready)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (st.ready)
        STEADY_INFO("Subscriber ready.");
    else
        STEADY_WARN("Subscriber not ready after 30 s (no server?); still trying.");
}

static void announce(void *pod, const char *where)
{
    const subscriber *s = pod;
    STEADY_INFO("Subscribing over %s (%s)%s; stops by itself at the end of the stream.",
                s->args->transport, where, s->durable ? ", durable" : "");
}

int main(int argc, char **argv)
{
    lesson03_args args;
    lesson03_defaults(&args);
    args.session = "lesson-03-subscriber";
    lesson_telemetry_args tele = {0};
    const lesson_text_opt texts[] = {
        LESSON03_TRANSPORT_OPTS(args),
        {"state", 's', "FILE", "the logger's durable state (nats-js, shm)", &args.state},
        {"session", 0, "NAME",
         "the persistent MQTT session (mqtt; lesson-03-subscriber; '' for none): the broker "
         "keeps what arrives while this pod is away",
         &args.session},
    };
    const lesson_opt opts[] = {
        {"replicas", 0, "N", "copies of the JetStream stream (nats-js)", &args.replicas, 1, 5},
        LESSON03_QOS_OPT(args),
        {"capacity", 'c', "N", "capacity of the channels", &args.capacity, 2, 1u << 24},
        LESSON_TELEMETRY_OPTS(tele),
    };
    switch (lesson_cli_parse_texts(argc, argv, "lesson-03-subscribe: bridge -> worker -> logger",
                                   opts, (int)(sizeof opts / sizeof opts[0]), texts,
                                   (int)(sizeof texts / sizeof texts[0]))) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    char where[512];
    if (!lesson03_endpoint(&args, where, sizeof where))
        return 2;
    subscriber s = {.args = &args};
    lesson03_pod pod = {"lesson-03-subscribe", build, announce, announce_ready, &s};
    return lesson03_run_pod(&pod, where, &tele);
}
