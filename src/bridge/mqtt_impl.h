/* bridge/mqtt_impl.h — the MQTT bridges (mqtt.c) and the client they share (mqtt_conn.c), on
 * libmosquitto. Private to libsteady-bridge.
 *
 * The client runs on the actor's thread: no libmosquitto thread is started. The actor waits
 * on the client's socket with STEADY_FD and calls mosquitto_loop_read / loop_write / loop_misc
 * itself, so every libmosquitto callback runs on the actor's thread, inside those calls, and
 * the record below needs no lock. A lost server is tried again with backoff and jitter, by the
 * actor, between its other work.
 *
 * Ownership: one mqtt_client per generation of the actor, in its arena; the mosquitto object
 * is destroyed by an arena defer, so a failed generation leaks nothing. */
#ifndef STEADY_BRIDGE_MQTT_IMPL_H
#define STEADY_BRIDGE_MQTT_IMPL_H

#include <mosquitto.h>

#include "bridge_impl.h"

#define MQTT_WINDOW 32 /* egress: frames published and not yet completed */
/* The MQTT keepalive, seconds: each side takes the other as lost after 1.5x this in silence
 * (the client pings when it has nothing else to send). */
#define MQTT_KEEPALIVE_S 10
/* QoS 2 messages the client lets the broker hold unfinished; the rest of the window waits in
 * the client. mosquitto's default max_inflight_messages: past it, mosquitto 2.0 queues an
 * incoming QoS 2 message without a PUBREC, and a publisher that has more in flight waited for
 * one that never came (lesson 03 over QoS 2 hung in 2 runs of 8). QoS 1 past it is still
 * acknowledged, so QoS 1 keeps the whole window. MQTT 3.1.1 has no way to learn the broker's
 * figure. */
#define MQTT_BROKER_INFLIGHT 20

typedef enum mqtt_state {
    MQTT_DOWN,       /* no connection: the next attempt at retry_at */
    MQTT_CONNECTING, /* a socket, no CONNACK yet */
    MQTT_UP          /* CONNACK accepted */
} mqtt_state;

/* An egress frame in flight: elements [first, first + count) still at the channel's front. */
typedef struct mqtt_slot {
    uint64_t first;
    uint32_t count;
    int mid;   /* libmosquitto's message id of its latest publish */
    bool sent; /* published on the current connection */
    bool done; /* completed: QoS 0 written, QoS 1 PUBACK, QoS 2 PUBCOMP */
    bool end;
} mqtt_slot;

/* An ingress frame received while the channel had no room for all of it: a copy. */
typedef struct mqtt_pending {
    unsigned char *bytes;
    size_t cap;
    held h; /* h.f.elems points into bytes */
} mqtt_pending;

typedef struct mqtt_client {
    bridge *b;
    struct mosquitto *mosq;
    mqtt_state state;
    uint64_t retry_at, backoff_ns, misc_at;
    uint64_t connect_at;  /* the current attempt began (MQTT_CONNECTING) */
    int connect_errno;    /* errno as connect_async left it (over TLS it may have failed) */
    unsigned failures;    /* attempts failed in a row: logged at 1, 2, 4, 8, ... */
    unsigned ups;         /* CONNACKs accepted */
    bool session_present; /* the last CONNACK found the broker's session of this client id */
    bool tried;           /* connect_async was called: later attempts are reconnects */
    bool fatal;           /* the broker refused what the bridge needs (logged): it fails */
    bool progressed;      /* egress: a frame completed since the last CONNACK */
    unsigned refusals;    /* egress: connections lost in a row with frames and none completed */
    /* Egress: the window, oldest first. */
    mqtt_slot win[MQTT_WINDOW];
    unsigned w_head, w_len;
    unsigned char *frame; /* the encode buffer: a header and max_batch elements */
    uint64_t progress_at; /* the last frame completed (or the window's first frame sent) */
    bool stall_told;      /* the stall was logged (once per stall) */
    /* Ingress: frames not wholly delivered, oldest first (a ring that grows). */
    mqtt_pending *pend;
    unsigned p_head, p_len, p_cap;
    bool ended;           /* ingress: the end of the stream was applied */
    bool stopping;        /* ingress: its graph is stopping; it reads no more (what it reads
                             is acknowledged to the broker at once) */
    uint64_t held_at;     /* ingress: since when it holds frames (p_len > 0) */
    bool hold_told;       /* ingress: this hold was said to be long */
    uint64_t other_topic; /* ingress: messages on another topic, dropped */
} mqtt_client;

/* Makes c's client for b (a mosquitto object with its options and callbacks, destroyed with
 * the generation): false when it cannot be (logged: the actor fails). The first connection
 * attempt is made by the first steady__mqtt_service. */
bool steady__mqtt_open(steady_actor *a, bridge *b, mqtt_client *c);
/* Connects when due, and runs the client's reads, writes and keepalive that are due now:
 * callbacks run inside it. Never blocks on the network. */
void steady__mqtt_service(mqtt_client *c);
/* What to wait on for the client: its socket, or the time of the next attempt. */
steady_cond steady__mqtt_cond(mqtt_client *c);
/* Writes what the client holds, and a DISCONNECT, within about ms milliseconds. */
void steady__mqtt_flush_close(mqtt_client *c, uint32_t ms);

/* The transports' callbacks (mqtt.c), called by mqtt_conn.c on the actor's thread. */
void steady__mqtt_on_up(mqtt_client *c);                                 /* a CONNACK accepted */
void steady__mqtt_on_down(mqtt_client *c);                               /* the connection lost */
void steady__mqtt_on_published(mqtt_client *c, int mid);                 /* egress: completed */
void steady__mqtt_on_message(mqtt_client *c, const void *p, size_t len); /* ingress */
void steady__mqtt_on_subscribed(mqtt_client *c);                         /* ingress: SUBACK */
/* Egress: a frame completed since the last connection (the broker takes them). */
void steady__mqtt_progress(mqtt_client *c);

/* Network time is real time, whatever clock the graph runs on. */
uint64_t steady__mqtt_mono(void);

#endif
