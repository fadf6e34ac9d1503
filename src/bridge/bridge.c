/* bridge/bridge.c — steady/bridge.h: the bridge actors' spawn calls and their counters. The
 * record is the actor's state block, so it lives as long as the graph, survives restarts, and
 * is freed with it; the building thread fills it between spawn and start, when no actor runs. */
#include "bridge_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The run function of a bridge actor over transport t. */
static steady_actor_fn run_fn(steady_transport t, bool egress)
{
#ifdef STEADY_BRIDGE_NATS
    if (t == STEADY_TRANSPORT_NATS)
        return egress ? steady__bridge_nats_egress : steady__bridge_nats_ingress;
    if (t == STEADY_TRANSPORT_NATS_JS)
        return egress ? steady__bridge_js_egress : steady__bridge_js_ingress;
#endif
#ifdef STEADY_BRIDGE_MQTT
    if (t == STEADY_TRANSPORT_MQTT)
        return egress ? steady__bridge_mqtt_egress : steady__bridge_mqtt_ingress;
#endif
    (void)t;
    (void)egress;
    return NULL; /* never reached: check() refuses the transport */
}

/* The scheme of a transport as a URI writes it. */
static const char *scheme(steady_transport t, bool tls)
{
    if (!tls)
        return steady_transport_name(t);
    return t == STEADY_TRANSPORT_MQTT      ? "mqtts"
           : t == STEADY_TRANSPORT_NATS_JS ? "nats+js+tls"
                                           : "nats+tls";
}

static steady_err check(steady_graph *g, const void *end, const steady_bridge_opts *o,
                        steady_uri *u, const char *fn)
{
    if (!g || !end || !o)
        return steady_error_set(STEADY_EINVAL, "%s: graph, end and opts must not be NULL", fn);
    if (!o->uri)
        return steady_error_set(STEADY_EINVAL,
                                "%s: opts.uri is NULL; give where to bridge, "
                                "e.g. nats://127.0.0.1:4222/readings",
                                fn);
    if (steady_uri_parse(o->uri, u) != STEADY_OK) {
        char why[1024]; /* a copy: the detail is rewritten from it (never read while written) */
        snprintf(why, sizeof why, "%s", steady_last_error());
        return steady_error_set(STEADY_EINVAL, "%s: %s", fn, why);
    }
    bool nats = u->transport == STEADY_TRANSPORT_NATS || u->transport == STEADY_TRANSPORT_NATS_JS;
#ifndef STEADY_BRIDGE_NATS
    if (nats)
        return steady_error_set(STEADY_EINVAL,
                                "%s: this libsteady-bridge was built without the NATS client; "
                                "install libnats-dev (Debian) and build it again",
                                fn);
#endif
#ifndef STEADY_BRIDGE_MQTT
    if (u->transport == STEADY_TRANSPORT_MQTT)
        return steady_error_set(STEADY_EINVAL,
                                "%s: this libsteady-bridge was built without the MQTT client; "
                                "install libmosquitto-dev (Debian) and build it again",
                                fn);
#endif
    if (!nats && u->transport != STEADY_TRANSPORT_MQTT)
        return steady_error_set(STEADY_EINVAL,
                                "%s: %s bridges are not in this version of libsteady-bridge; "
                                "NATS (nats://), JetStream (nats+js://) and MQTT (mqtt://) are; "
                                "for processes on one host, attach the channel (or stream) itself "
                                "(steady/ipc.h)",
                                fn, steady_transport_name(u->transport));
    const char *files[] = {o->tls_ca, o->tls_cert, o->tls_key};
    for (int i = 0; i < 3; i++)
        if (files[i] && (!files[i][0] || strlen(files[i]) >= BRIDGE_PATH_MAX))
            return steady_error_set(STEADY_EINVAL,
                                    "%s: opts.%s is %s; give the path of a PEM file (under %d "
                                    "bytes) or NULL",
                                    fn,
                                    i == 0   ? "tls_ca"
                                    : i == 1 ? "tls_cert"
                                             : "tls_key",
                                    files[i][0] ? "too long" : "empty", BRIDGE_PATH_MAX);
    for (int i = 0; i < 3; i++)
        if (files[i] && access(files[i], R_OK) != 0)
            return steady_error_set(STEADY_EINVAL, "%s: cannot read opts.%s '%s': %s", fn,
                                    i == 0   ? "tls_ca"
                                    : i == 1 ? "tls_cert"
                                             : "tls_key",
                                    files[i], strerror(errno));
    if (!o->tls_cert != !o->tls_key)
        return steady_error_set(STEADY_EINVAL,
                                "%s: opts.tls_cert and opts.tls_key go together (a client "
                                "certificate and its key); give both or neither",
                                fn);
    if ((o->tls_ca || o->tls_cert) && !u->tls)
        return steady_error_set(STEADY_EINVAL,
                                "%s: TLS files given for '%s', which is not TLS; use the scheme "
                                "%s://",
                                fn, o->uri, scheme(u->transport, true));
    if (o->confirm && u->transport != STEADY_TRANSPORT_NATS_JS)
        return steady_error_set(STEADY_EINVAL,
                                "%s: opts.confirm needs a transport that acknowledges "
                                "(nats+js://); %s acknowledges nothing",
                                fn, steady_transport_name(u->transport));
    if (u->wildcard)
        return steady_error_set(STEADY_EINVAL,
                                "%s: '%s' has a wildcard; a bridge carries one stream: give its "
                                "exact subject",
                                fn, u->subject);
    return STEADY_OK;
}

/* The URI without its password: for log lines and the link's endpoint. */
static void endpoint(char *dst, size_t cap, const steady_uri *u)
{
    bool v6 = strchr(u->host, ':') != NULL;
    char query[STEADY_URI_MAX + 32] = "";
    if (u->queue[0])
        snprintf(query, sizeof query, "?queue=%s", u->queue);
    if (u->transport == STEADY_TRANSPORT_MQTT)
        snprintf(query, sizeof query, "?qos=%d%s%s", u->qos, u->durable[0] ? "&session=" : "",
                 u->durable);
    snprintf(dst, cap, "%s://%s%s%s%s%s:%u/%s%s%s%s", scheme(u->transport, u->tls), u->user,
             u->user[0] ? "@" : "", v6 ? "[" : "", u->host, v6 ? "]" : "", (unsigned)u->port,
             u->stream, u->stream[0] ? "/" : "", u->subject, query);
}

void steady__bridge_set_connected(bridge *b, bool up)
{
    atomic_store(&b->connected, up);
    steady_link_set_state(b->actor, up ? STEADY_LINK_UP : STEADY_LINK_DOWN);
}

/* What a bridge carries: a channel's end, or a stream's two (the lens channel's stands for the
 * stream: it counts the messages). */
typedef struct carried {
    void *end; /* the steady_rx / steady_tx given to the actor */
    void *bytes_end;
    const steady_stream_rx *srx;
    const steady_stream_tx *stx;
} carried;

/* Frames and batches of what c carries: elements of the channel ch, or the messages of a
 * stream whose bytes channel is `bytes`. */
static void size_frames(bridge *b, const steady_bridge_opts *o, const carried *c,
                        steady_channel *ch, steady_channel *bytes)
{
    if (!bytes) {
        b->elem_size = steady_channel_elem_size(ch);
        uint32_t fit = (BRIDGE_FRAME_BYTES - STEADY_FRAME_HEADER) / b->elem_size;
        b->max_batch = o->max_batch ? o->max_batch : fit ? fit : 1;
        b->frame_cap = STEADY_FRAME_HEADER + (size_t)b->max_batch * b->elem_size;
        return;
    }
    b->stream = true;
    b->elem_size = STEADY_FRAME_MESSAGES;
    if (c->srx)
        b->srx = *c->srx;
    if (c->stx)
        b->stx = *c->stx;
    /* The largest message a stream holds takes half its bytes ring (steady/stream.h): a frame
     * always holds one, whatever its size, and as many as fit BRIDGE_FRAME_BYTES. */
    size_t largest =
        STEADY_FRAME_HEADER + STEADY_FRAME_PREFIX + (size_t)(steady_channel_capacity(bytes) / 2);
    b->frame_cap = largest > BRIDGE_FRAME_BYTES ? largest : BRIDGE_FRAME_BYTES;
    b->max_batch = o->max_batch ? o->max_batch : UINT32_MAX;
}

static steady_err spawn(steady_graph *g, const steady_bridge_opts *o, bool egress, const carried *c,
                        steady_actor **out, const char *fn)
{
    steady_uri u;
    steady_err e = check(g, c->end, o, &u, fn);
    if (e != STEADY_OK)
        return e;
    steady_channel *ch = egress ? steady_rx_channel(c->end) : steady_tx_channel(c->end);
    steady_channel *bytes = !c->bytes_end ? NULL
                            : egress      ? steady_rx_channel(c->bytes_end)
                                          : steady_tx_channel(c->bytes_end);
    if (!ch || (c->bytes_end && !bytes))
        return steady_error_set(STEADY_EINVAL, "%s: that is not a %s end%s", fn,
                                egress ? "receiving" : "sending",
                                c->bytes_end ? " of a stream (steady_stream_new makes them)" : "");
    steady_actor *a = NULL;
    steady_actor_opts ao = {
        .name = o->name  ? o->name
                : egress ? "egress"
                         : "ingress",
        .run = run_fn(u.transport, egress),
        .troupe = o->troupe,
        .txs = egress ? NULL : (steady_tx *const[]){c->end, c->bytes_end, NULL},
        .rxs = egress ? (steady_rx *const[]){c->end, c->bytes_end, NULL} : NULL,
        .state_size = sizeof(bridge),
    };
    if ((e = steady_actor_spawn(g, &ao, &a)) != STEADY_OK)
        return e;
    bridge *b = steady_actor_state(a);
    b->magic = BRIDGE_MAGIC;
    b->egress = egress;
    b->uri = u;
    char where[1400]; /* 5 parts of up to 255 bytes, and the scheme */
    endpoint(where, sizeof where, &u);
    snprintf(b->text, sizeof b->text, "'%.200s' (%s)", ao.name, where);
    char kind[STEADY_LINK_KIND_MAX];
    snprintf(kind, sizeof kind, "%s %s", scheme(u.transport, u.tls), egress ? "egress" : "ingress");
    if (strlen(where) >= STEADY_LINK_ENDPOINT_MAX) /* shown shortened, never refused */
        memcpy(where + STEADY_LINK_ENDPOINT_MAX - 4, "...", 4);
    b->actor = a;
    if ((e = steady_link_describe(a, kind, where)) != STEADY_OK)
        return e;
    b->type_id = o->type_id;
    b->graph = g;
    b->from = egress ? c->end : NULL;
    b->to = egress ? NULL : c->end;
    size_frames(b, o, c, ch, bytes);
    b->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 2000;
    b->confirm = !egress && o->confirm;
    snprintf(b->tls_ca, sizeof b->tls_ca, "%s", o->tls_ca ? o->tls_ca : "");
    snprintf(b->tls_cert, sizeof b->tls_cert, "%s", o->tls_cert ? o->tls_cert : "");
    snprintf(b->tls_key, sizeof b->tls_key, "%s", o->tls_key ? o->tls_key : "");
    atomic_store(&b->fd, -1);
    if (out)
        *out = a;
    return STEADY_OK;
}

steady_err steady_bridge_egress(steady_graph *g, steady_rx *from, const steady_bridge_opts *opts,
                                steady_actor **out)
{
    return spawn(g, opts, true, &(carried){.end = from}, out, "steady_bridge_egress");
}

steady_err steady_bridge_ingress(steady_graph *g, steady_tx *to, const steady_bridge_opts *opts,
                                 steady_actor **out)
{
    return spawn(g, opts, false, &(carried){.end = to}, out, "steady_bridge_ingress");
}

steady_err steady_bridge_stream_egress(steady_graph *g, steady_stream_rx from,
                                       const steady_bridge_opts *opts, steady_actor **out)
{
    const char *fn = "steady_bridge_stream_egress";
    if (!from.lens.raw || !from.bytes.raw)
        return steady_error_set(STEADY_EINVAL,
                                "%s: a NULL stream end; make it with "
                                "steady_stream_new",
                                fn);
    return spawn(g, opts, true,
                 &(carried){.end = from.lens.raw, .bytes_end = from.bytes.raw, .srx = &from}, out,
                 fn);
}

steady_err steady_bridge_stream_ingress(steady_graph *g, steady_stream_tx to,
                                        const steady_bridge_opts *opts, steady_actor **out)
{
    const char *fn = "steady_bridge_stream_ingress";
    if (!to.lens.raw || !to.bytes.raw)
        return steady_error_set(STEADY_EINVAL,
                                "%s: a NULL stream end; make it with "
                                "steady_stream_new",
                                fn);
    return spawn(g, opts, false,
                 &(carried){.end = to.lens.raw, .bytes_end = to.bytes.raw, .stx = &to}, out, fn);
}

steady_err steady_bridge_confirm(steady_actor *a, uint64_t next_seq)
{
    bridge *b = a ? steady_actor_state(a) : NULL;
    if (!b || b->magic != BRIDGE_MAGIC || !b->confirm)
        return steady_error_set(STEADY_EINVAL, "steady_bridge_confirm: %s",
                                !a ? "the actor is NULL"
                                : !b || b->magic != BRIDGE_MAGIC
                                    ? "that actor is not a bridge"
                                    : "that bridge was not spawned as an ingress with "
                                      "opts.confirm (it acknowledges by itself)");
    uint64_t was = atomic_load(&b->confirmed);
    while (was < next_seq && !atomic_compare_exchange_weak(&b->confirmed, &was, next_seq))
        ;
    return STEADY_OK;
}

steady_err steady_bridge_stats_get(const steady_actor *a, steady_bridge_stats *out)
{
    const bridge *b = a ? steady_actor_state(a) : NULL;
    if (!out || !b || b->magic != BRIDGE_MAGIC)
        return steady_error_set(STEADY_EINVAL, "steady_bridge_stats_get: %s",
                                !out ? "out is NULL"
                                : !a ? "the actor is NULL"
                                     : "that actor is not a bridge (steady_bridge_egress / "
                                       "steady_bridge_ingress spawn them)");
    bridge *m = (bridge *)b; /* atomics: read-only loads */
    *out = (steady_bridge_stats){
        .connected = atomic_load(&m->connected),
        .ready = atomic_load(&m->ready),
        .frames = atomic_load(&m->frames),
        .elems = atomic_load(&m->elems),
        .next_seq = atomic_load(&m->next_seq),
        .gaps = atomic_load(&m->gaps),
        .duplicates = atomic_load(&m->duplicates),
        .dropped = atomic_load(&m->dropped),
        .reconnects = atomic_load(&m->reconnects),
        .acked = atomic_load(&m->acked),
        .resent = atomic_load(&m->resent),
        .rewinds = atomic_load(&m->rewinds),
    };
    for (int k = 0; k < STEADY_FRAME_FAULTS; k++)
        out->refused[k] = atomic_load(&m->refused[k]);
    return STEADY_OK;
}
