/* steady/bridge_uri.h — transport URIs: where a bridge sends or receives (libsteady-bridge).
 *
 *   shm:/NAME                                  a channel between processes on this host
 *                                              (steady/ipc.h; NAME as it names)
 *   nats://[USER[:PASS]@]HOST[:PORT]/SUBJECT[?queue=GROUP]
 *                                              core NATS (at most once); port 4222
 *   nats+js://[USER[:PASS]@]HOST[:PORT]/STREAM/SUBJECT[?durable=NAME][&replicas=N]
 *                                              NATS JetStream (no loss, no duplicate); a
 *                                              stream the bridge creates keeps N copies (1)
 *   mqtt://[USER[:PASS]@]HOST[:PORT]/TOPIC[?qos=0|1|2][&session=NAME]
 *                                              MQTT 3.1.1; port 1883, qos 1 by default;
 *                                              session: a persistent one with client id NAME
 * TLS: nats+tls, nats+js+tls (port 4222) and mqtts (port 8883); the certificates are bridge
 * options, not URI parts. HOST is a name, an IPv4 address or [an IPv6 address]. USER and PASS
 * may use %XX escapes. SUBJECT is NATS tokens separated by '.', each of printable characters
 * without spaces ('*' and '>' wildcards are for receiving); a TOPIC is MQTT levels separated by
 * '/' ('+' and '#' wildcards are for receiving). A parameter that the transport does not take
 * is an error, as is any other malformation: the detail names the part and the fix.
 *
 * Thread-safety: no state; any thread.
 */
#ifndef STEADY_BRIDGE_URI_H
#define STEADY_BRIDGE_URI_H

#include <stdbool.h>
#include <stdint.h>

#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum steady_transport {
    STEADY_TRANSPORT_SHM = 1,
    STEADY_TRANSPORT_NATS,
    STEADY_TRANSPORT_NATS_JS,
    STEADY_TRANSPORT_MQTT
} steady_transport;

#define STEADY_URI_MAX 256 /* bytes of each text part, its terminating NUL included */

typedef struct steady_uri {
    steady_transport transport;
    bool tls;
    char host[STEADY_URI_MAX]; /* without brackets; "" for shm */
    uint16_t port;             /* the default of the scheme when the URI gives none; 0 for shm */
    char user[STEADY_URI_MAX]; /* decoded; "" when none */
    char password[STEADY_URI_MAX];
    char stream[STEADY_URI_MAX];  /* nats+js: the stream; else "" */
    char subject[STEADY_URI_MAX]; /* the subject, the topic, or shm's "/NAME" */
    char queue[STEADY_URI_MAX];   /* nats: the queue group; "" when none */
    char durable[STEADY_URI_MAX]; /* nats+js: the durable consumer's name; mqtt: the persistent
                                     session's client id (session=); "" when none */
    int qos;                      /* mqtt: 0, 1 or 2; else -1 */
    int replicas;                 /* nats+js: 1 to 5 (1 when not given); else 0 */
    bool wildcard;                /* the subject or topic has a wildcard (receive only) */
} steady_uri;

/* Parses text into *out. STEADY_OK, or STEADY_EINVAL (out zeroed) with a detail naming the
 * part that is wrong and the form expected. NULL text or out: STEADY_EINVAL. */
STEADY_API steady_err steady_uri_parse(const char *text, steady_uri *out);

/* The scheme's name as written in a URI ("shm", "nats", "nats+js", "mqtt"; "?" for another
 * value). */
STEADY_API const char *steady_transport_name(steady_transport t);

#ifdef __cplusplus
}
#endif
#endif
