/* lesson03.c — what both pods of lesson 03 share: defaults and the transport's endpoint. */
#include "lesson03.h"
#include "lesson_telemetry.h"

#include <stdio.h>
#include <string.h>

void lesson03_defaults(lesson03_args *a)
{
    *a = (lesson03_args){
        .transport = "shm",
        .url = NULL, /* per transport: nats://127.0.0.1:4222, mqtt://127.0.0.1:1883, or the shm
                        name "lesson-03" */
        .subject = "lesson03.values",
        .stream = "LESSON03",
        .state = "lesson-03-subscriber.state",
        .rate_ms = 100,
        .beats = 100,
        .batch = 10000,
        .capacity = 65536,
        .replicas = 1,
        .qos = 1,
    };
}

bool lesson03_endpoint(const lesson03_args *a, char *dst, size_t cap)
{
    const char *t = a->transport;
    const char *url = a->url;
    int n = -1;
    if (!strcmp(t, "shm")) {
        url = url ? url : "lesson-03";
        n = snprintf(dst, cap, "%s%s", url[0] == '/' ? "" : "/", url);
    } else if (!strcmp(t, "nats")) {
        url = url ? url : "nats://127.0.0.1:4222";
        if (strncmp(url, "nats://", 7) && strncmp(url, "nats+tls://", 11)) {
            fprintf(stderr,
                    "lesson-03: --url for nats is the server, nats://HOST:PORT (or "
                    "nats+tls://), not '%s'\n",
                    url);
            return false;
        }
        n = snprintf(dst, cap, "%s/%s", url, a->subject);
    } else if (!strcmp(t, "nats-js")) {
        url = url ? url : "nats://127.0.0.1:4222";
        if (strncmp(url, "nats://", 7) && strncmp(url, "nats+tls://", 11)) {
            fprintf(stderr,
                    "lesson-03: --url for nats-js is the server, nats://HOST:PORT, not '%s'\n",
                    url);
            return false;
        }
        bool tls = !strncmp(url, "nats+tls://", 11);
        n = snprintf(dst, cap, "nats+js%s://%s/%s/%s?replicas=%u", tls ? "+tls" : "",
                     url + (tls ? 11 : 7), a->stream, a->subject, (unsigned)a->replicas);
    } else if (!strcmp(t, "mqtt")) {
        url = url ? url : "mqtt://127.0.0.1:1883";
        if (strncmp(url, "mqtt://", 7) && strncmp(url, "mqtts://", 8)) {
            fprintf(stderr,
                    "lesson-03: --url for mqtt is the broker, mqtt://HOST:PORT (or mqtts://), "
                    "not '%s'\n",
                    url);
            return false;
        }
        bool named = a->session && a->session[0];
        n = snprintf(dst, cap, "%s/%s?qos=%u%s%s", url, a->subject, (unsigned)a->qos,
                     named ? "&session=" : "", named ? a->session : "");
    } else {
        fprintf(stderr,
                "lesson-03: --transport '%s' is not a transport; give shm, nats, nats-js or "
                "mqtt\n",
                t);
        return false;
    }
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "lesson-03: --url '%s' is too long\n", url);
        return false;
    }
    return true;
}

int lesson03_run_pod(const lesson03_pod *p, const char *where, const lesson_telemetry_args *tele)
{
    steady_graph *g = NULL;
    steady_err e = steady_graph_new(&g, &(steady_graph_opts){.name = p->name});
    if (e == STEADY_OK)
        e = p->build(g, p->pod, where);
    if (e != STEADY_OK) {
        fprintf(stderr, "%s: %s\n", p->name, steady_last_error());
        steady_graph_free(g);
        return e == STEADY_EINVAL ? 2 : 1;
    }
    p->announce(p->pod, where);
    lesson_telemetry *t = lesson_telemetry_start(g, tele);
    if ((e = steady_graph_start(g)) == STEADY_OK) {
        if (p->started)
            p->started(p->pod);
        e = steady_graph_block_until_stopped(g, 5000);
    }
    if (e != STEADY_OK)
        fprintf(stderr, "%s: %s\n", p->name, steady_last_error());
    lesson_telemetry_stop(t);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}
