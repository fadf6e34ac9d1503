/* mqtt_broker.h — a real mosquitto for the bridge tests and benchmarks: started on 127.0.0.1
 * and a free port with a configuration file it writes, ready when it accepts a connection,
 * killed (SIGKILL) and started again on the same port, stopped at the end. Never a fixed
 * delay: readiness is checked. */
#ifndef STEADY_TEST_MQTT_BROKER_H
#define STEADY_TEST_MQTT_BROKER_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct mqtt_broker {
    pid_t pid;
    int port;
    char url[64];     /* mqtt://127.0.0.1:PORT */
    char dir[128];    /* its configuration (and log), removed at the end */
    char extra[2048]; /* lines added to its listener's configuration (TLS, passwords), or "" */
    bool quiet;       /* its log to a file in dir, not stderr */
} mqtt_broker;

/* The path of mosquitto, or NULL when it is not installed. */
const char *mqtt_broker_path(void);
/* Starts a broker on a free port (port 0) or the given one: anonymous clients allowed unless
 * extra says otherwise, no limit on the messages it queues for a client (max_queued_messages
 * 0: a slow or absent persistent subscriber loses nothing). true once it accepts connections
 * (within 10 s). */
bool mqtt_broker_start(mqtt_broker *m, int port);
/* SIGKILL (hard) or SIGTERM, and reaps it; the files stay (a restart uses them). */
void mqtt_broker_stop(mqtt_broker *m, bool hard);
/* Stops it and removes its directory. */
void mqtt_broker_remove(mqtt_broker *m);

#endif
