/* steady/bridge.h — bridge actors: a channel carried to another pod (libsteady-bridge).
 *
 * An egress actor drains a channel and publishes its elements, many per frame
 * (steady/bridge_frame.h), to a transport (steady/bridge_uri.h); an ingress actor receives
 * frames and fills a channel, never faster than the channel has room. Each is one call that
 * spawns the actor into a graph being built; the actor owns the channel end it is given. The
 * producer's close crosses the bridge as the last frame (STEADY_FRAME_END): the ingress then
 * closes its channel, so the receiving pod can stop by itself.
 *
 * Transports in this version:
 * - core NATS (nats://, nats+tls://), at most once: a frame published while no subscriber
 *   exists, or dropped by a slow subscriber's client, is lost. The ingress counts what it never
 *   received (gaps in the sequence numbers) and what came twice (dropped), and what its client
 *   dropped; none of it is a failure. The NATS client runs on the actor's thread through its
 *   external event loop (the actor waits on its socket with STEADY_FD), so a bridge in a
 *   troupe costs no thread of its own; the egress keeps its channel's elements until the frame
 *   is handed to the client.
 * - NATS JetStream (nats+js://, nats+js+tls://), no loss and no duplicate: the egress takes
 *   elements from its channel only once the stream acknowledged their frame, and publishes
 *   each frame with a message id, so the stream drops a frame published twice; the ingress
 *   pulls from a durable consumer no more frames than its channel has room for, drops what it
 *   already delivered (by sequence number), and acknowledges a frame once delivered, or, with
 *   opts.confirm, once the application confirmed it (steady_bridge_confirm). The stream and
 *   the consumer are made when missing. JetStream's blocking calls run on a helper thread per
 *   bridge, never on the actor's.
 * - MQTT (mqtt://, mqtts://) at the URI's QoS: the egress takes elements from its channel only
 *   once their frame completed (QoS 0: written to the socket; 1: PUBACK; 2: PUBCOMP), up to 32
 *   frames in flight, and publishes again what a broker that kept no session lost; the ingress
 *   drops repeats by sequence number and counts gaps. QoS 0 is at most once; QoS 1 and 2 lose
 *   nothing while the broker keeps the client's messages: session=NAME in the URI makes the
 *   ingress's session persistent (the broker keeps what arrives while it is away), and the
 *   broker's own queue limit (mosquitto: max_queued_messages) must not drop them. libmosquitto
 *   acknowledges a message as it hands it over, so an ingress killed loses what it had not
 *   delivered (counted as gaps). The client runs on the actor's thread, as core NATS does.
 * shm: URIs are refused with STEADY_EINVAL: attach the channel (or the stream) itself
 * (steady/ipc.h).
 *
 * A lost server is retried forever with backoff and jitter (a refusal is logged with the
 * server's reason when it gives one, e.g. "Authorization Violation"), and a stop never waits
 * for a dead server longer than the graph's grace. Credentials travel in the URI
 * (USER:PASS@HOST); TLS is the +tls schemes with the opts.tls_* files.
 *
 * Thread-safety: spawn while building (the thread that builds); steady_bridge_stats_get from
 * any thread. Bridge actors must not be ISOLATED (their client's threads live in main).
 */
#ifndef STEADY_BRIDGE_H
#define STEADY_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "steady/actor.h"
#include "steady/bridge_frame.h"
#include "steady/channel.h"
#include "steady/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_bridge_opts {
    const char *uri;  /* where (steady/bridge_uri.h); required */
    const char *name; /* the actor's name, unique in the graph; NULL: "egress" / "ingress" */
    uint64_t type_id; /* the message type's fingerprint; 0: not checked */
    /* Elements per frame at most; 0: as many as fit 64 KiB (at least 1). */
    uint32_t max_batch;
    steady_troupe *troupe;       /* NULL: SOLO on its own thread */
    uint32_t connect_timeout_ms; /* one connection attempt; 0: 2000 */
    /* Ingress over JetStream: acknowledge a frame only once the application confirmed every
     * element of it with steady_bridge_confirm (after saving what it made of them), so a pod
     * killed at any moment gets again what it had not saved. false: once delivered into the
     * channel. Other transports refuse it (they acknowledge nothing). */
    bool confirm;
    /* TLS (nats+tls://, nats+js+tls://, mqtts://): files in PEM. tls_ca: the authorities the
     * server's certificate must chain to (NULL: the system's); tls_cert and tls_key: this client's
     * certificate and key, for a server that asks for one (both or neither). Copied. */
    const char *tls_ca;
    const char *tls_cert;
    const char *tls_key;
} steady_bridge_opts;

/* Spawns an actor that drains `from` and publishes it to opts->uri. Errors: STEADY_EINVAL
 * (NULL arguments, a bad URI or one whose transport this build cannot carry, a receiving end
 * of another kind, an ISOLATED troupe), and spawn's (STEADY_ESTATE, STEADY_EEXIST, ...).
 * *out (may be NULL) receives the actor. */
STEADY_API steady_err steady_bridge_egress(steady_graph *g, steady_rx *from,
                                           const steady_bridge_opts *opts, steady_actor **out);
/* Spawns an actor that receives from opts->uri and fills `to`. Errors as for the egress. */
STEADY_API steady_err steady_bridge_ingress(steady_graph *g, steady_tx *to,
                                            const steady_bridge_opts *opts, steady_actor **out);

/* The same for a stream's variable-size messages (steady/stream.h): the egress drains the
 * stream `from` (both of its channels) and publishes its messages, as many per frame as fit
 * 64 KiB (opts.max_batch: messages per frame at most) and always at least one, so a frame is
 * as large as the stream's largest message (up to half its max_bytes) and the transport must
 * carry that (NATS: the server's max_payload, 1 MB by default). The ingress fills the stream
 * `to` and refuses a frame holding a message larger than its max_message (counted as
 * STEADY_FRAME_TOO_LARGE, logged with the fix). Sequence numbers, stats and confirmations
 * count messages. A stream's frames and a channel's are told apart: an egress of one and an
 * ingress of the other refuse each other's frames (STEADY_FRAME_ELEM_SIZE). Errors as for the
 * channel calls, and STEADY_EINVAL for a NULL stream end. */
STEADY_API steady_err steady_bridge_stream_egress(steady_graph *g, steady_stream_rx from,
                                                  const steady_bridge_opts *opts,
                                                  steady_actor **out);
STEADY_API steady_err steady_bridge_stream_ingress(steady_graph *g, steady_stream_tx to,
                                                   const steady_bridge_opts *opts,
                                                   steady_actor **out);

/* What a bridge has done; every field a snapshot. */
typedef struct steady_bridge_stats {
    bool connected;      /* its client is connected to a server now */
    bool ready;          /* egress: connected; ingress: its subscription is on the wire */
    uint64_t frames;     /* frames published (egress) or accepted (ingress) */
    uint64_t elems;      /* elements published / delivered into the channel */
    uint64_t next_seq;   /* the sequence number of the next element to send / expected */
    uint64_t gaps;       /* ingress: elements never received (lost in transit) */
    uint64_t duplicates; /* ingress: elements received again and dropped */
    uint64_t dropped;    /* core NATS ingress: messages its client dropped (a slow consumer),
                            and frames it had received and not delivered when it stopped */
    uint64_t refused[STEADY_FRAME_FAULTS]; /* ingress: frames refused, by fault */
    uint64_t reconnects;                   /* connections lost and made again */
    uint64_t acked;   /* JetStream: egress, elements the stream acknowledged; ingress, the
                         sequence number below which everything is acknowledged to it */
    uint64_t resent;  /* JetStream egress: frames published again (refused or not acknowledged
                         in time; the stream dropped those it already had) */
    uint64_t rewinds; /* JetStream ingress: times frames were missing (lost on the way from a
                         server) and its consumer was made anew after the last frame taken */
} steady_bridge_stats;

/* Confirms to an ingress spawned with opts.confirm that every element with a sequence number
 * below next_seq (the count of elements of the stream before them) is saved by the
 * application: the ingress acknowledges those frames to the server. Confirmations only move
 * forward (a lower next_seq is ignored). STEADY_EINVAL: not a bridge ingress with confirm. Any
 * thread. */
STEADY_API steady_err steady_bridge_confirm(steady_actor *ingress, uint64_t next_seq);

/* Fills *out for a bridge actor. STEADY_EINVAL when bridge is NULL or not a bridge actor, or
 * out is NULL. Any thread. */
STEADY_API steady_err steady_bridge_stats_get(const steady_actor *bridge, steady_bridge_stats *out);

#ifdef __cplusplus
}
#endif
#endif
