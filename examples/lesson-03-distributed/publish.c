/* lesson-03-publish — the publishing pod: heartbeat -> generator -> the bridge.
 *
 * Every --rate ms the heartbeat lets the generator send the next --batch values (0, 1, 2, ...);
 * after --beats beats it closes its channel, the generator closes its own, and that close
 * crosses the bridge as the end of the stream. The pod stops once the bridge has delivered
 * everything (over nats-js: once the stream acknowledged it), and says how many it generated. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <steady/ipc.h>

#include "lesson03.h"
#include "lesson_cli.h"
#include "lesson_telemetry.h"

typedef struct publisher {
    const lesson03_args *args;
    u64ch_tx beats;
    u64ch_rx beats_in;
    u64ch_tx values;
    uint64_t generated; /* read by main after the stop */
    bool shm;           /* the values channel is the shm channel itself */
} publisher;

static int heartbeat_run(steady_actor *a, void *arg)
{
    publisher *p = arg;
    uint64_t sent = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(p->beats)))) {
        if (sent == p->args->beats) { /* done: the close ends the generator, then the stream */
            u64ch_tx_close(p->beats);
            steady_wait_shutdown(a);
            continue;
        }
        steady_wake w = steady_wait_all(a, STEADY_PERIODIC(STEADY_MS(p->args->rate_ms)),
                                        STEADY_VACANT(p->beats, 1));
        if (w.reason == STEADY_READY && u64ch_tx_try_send(p->beats, sent) == STEADY_OK)
            sent++;
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, sent);
    return 0;
}

/* Sends the values of one beat, waiting for room (the bridge's back-pressure). */
static bool send_batch(steady_actor *a, publisher *p)
{
    for (uint64_t end = p->generated + p->args->batch; p->generated < end;) {
        uint64_t v[256], n = end - p->generated < 256 ? end - p->generated : 256;
        for (uint64_t i = 0; i < n; i++)
            v[i] = p->generated + i;
        size_t sent = u64ch_tx_send_slice(p->values, v, n);
        p->generated += sent;
        if (sent < n && steady_wait_vacant(a, p->values, 1) != STEADY_READY)
            return false; /* closed by the other side, or a stop */
    }
    return true;
}

static int generator_run(steady_actor *a, void *arg)
{
    publisher *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(p->values)))) {
        uint64_t beat;
        steady_reason r = steady_wait_avail(a, p->beats_in, 1);
        if (r == STEADY_CLOSED) { /* the last beat was sent: the stream ends here */
            u64ch_tx_close(p->values);
            if (p->shm) /* the ring keeps what is left for the subscriber; a bridge's egress */
                steady_actor_request_shutdown(a); /* stops the pod once it delivered it all */
            break;
        }
        while (r == STEADY_READY && u64ch_rx_try_take(p->beats_in, &beat) == STEADY_OK)
            if (!send_batch(a, p))
                break;
    }
    return 0;
}

static steady_err build(steady_graph *g, void *pod, const char *where)
{
    publisher *p = pod;
    const lesson03_args *args = p->args;
    steady_troupe *troupe;
    steady_err e;
    if ((e = u64ch_new(g, "heartbeat->generator", 8, &p->beats, &p->beats_in)) ||
        (e = steady_troupe_new(g, &(steady_troupe_opts){.name = "producers"}, &troupe)))
        return e;
    p->shm = !strcmp(args->transport, "shm");
    if (p->shm) { /* the channel itself crosses to the other process */
        steady_ipc_opts o = {.name = where,
                             .capacity = args->capacity,
                             .elem_size = sizeof(uint64_t),
                             .type_id = LESSON03_TYPE_ID};
        e = steady_ipc_tx_attach(g, &o, &p->values.raw);
    } else {
        u64ch_rx to_bridge;
        steady_bridge_opts o = {.uri = where, .type_id = LESSON03_TYPE_ID};
        if ((e = u64ch_new(g, "generator->egress", args->capacity, &p->values, &to_bridge)) ==
            STEADY_OK)
            e = steady_bridge_egress(g, to_bridge.raw, &o, NULL);
    }
    if (e != STEADY_OK)
        return e;
    const steady_actor_opts actors[] = {
        {.name = "heartbeat",
         .run = heartbeat_run,
         .arg = p,
         .troupe = troupe,
         .txs = STEADY_TXS(p->beats)},
        {.name = "generator",
         .run = generator_run,
         .arg = p,
         .troupe = troupe,
         .rxs = STEADY_RXS(p->beats_in),
         .txs = STEADY_TXS(p->values)},
    };
    for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++)
        if ((e = steady_actor_spawn(g, &actors[i], NULL)) != STEADY_OK)
            return e;
    return STEADY_OK;
}

static void announce(void *pod, const char *where)
{
    const lesson03_args *a = ((publisher *)pod)->args;
    STEADY_INFO("Publishing %" PRIu64 " values over %s (%s): %" PRIu64 " %s of %" PRIu64
                ", one every %" PRIu64 " ms; Ctrl-C stops it early.",
                a->beats * a->batch, a->transport, where, a->beats,
                a->beats == 1 ? "beat" : "beats", a->batch, a->rate_ms);
}

int main(int argc, char **argv)
{
    lesson03_args args;
    lesson03_defaults(&args);
    lesson_telemetry_args tele = {0};
    const lesson_text_opt texts[] = {
        LESSON03_TRANSPORT_OPTS(args),
    };
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args.rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats (each sends --batch values)", &args.beats, 1,
         1000000000},
        {"batch", 0, "N", "values generated per beat", &args.batch, 1, 100000000},
        {"replicas", 0, "N", "copies of the JetStream stream (nats-js)", &args.replicas, 1, 5},
        LESSON03_QOS_OPT(args),
        {"capacity", 'c', "N", "capacity of the values channel", &args.capacity, 2, 1u << 24},
        LESSON_TELEMETRY_OPTS(tele),
    };
    switch (lesson_cli_parse_texts(
        argc, argv, "lesson-03-publish: heartbeat -> generator -> bridge", opts,
        (int)(sizeof opts / sizeof opts[0]), texts, (int)(sizeof texts / sizeof texts[0]))) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    char where[512];
    if (!lesson03_endpoint(&args, where, sizeof where))
        return 2;
    publisher p = {.args = &args};
    lesson03_pod pod = {"lesson-03-publish", build, announce, NULL, &p};
    int status = lesson03_run_pod(&pod, where, &tele);
    if (status == 2)
        return 2;
    STEADY_INFO("Total generated: %" PRIu64, p.generated);
    return status;
}
