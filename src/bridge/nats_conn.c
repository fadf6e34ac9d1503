/* bridge/nats_conn.c — what every NATS bridge connection shares (nats_impl.h): the callback
 * context that outlives the actor's generation, and the options. */
#include "nats_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IO_BUFFER (256 * 1024) /* the client's socket read and write buffers */

conn_ctx *steady__nats_ctx_new(bridge *b)
{
    conn_ctx *c = calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        STEADY_ERROR("bridge %s: out of memory for its client", b->text);
        return NULL;
    }
    c->b = b;
    c->refs = 2;
    return c;
}

void steady__nats_ctx_free(conn_ctx *c)
{
    pthread_mutex_destroy(&c->mu);
    free(c);
}

bridge *steady__nats_enter(conn_ctx *c)
{
    pthread_mutex_lock(&c->mu);
    if (c->b)
        return c->b;
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

void steady__nats_leave(conn_ctx *c)
{
    pthread_mutex_unlock(&c->mu);
}

void steady__nats_forget(conn_ctx *c)
{
    pthread_mutex_lock(&c->mu);
    c->b = NULL;
    pthread_mutex_unlock(&c->mu);
}

/* The event loop callbacks can come from the actor's own close after the closed callback ran
 * on libnats's thread, so neither side alone may free the context. */
void steady__nats_release(conn_ctx *c)
{
    pthread_mutex_lock(&c->mu);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        steady__nats_ctx_free(c);
}

/* libnats's own threads take the name of the thread that started the library (an actor's, say
 * "ingress"), so their log lines would be labelled T[ingress] even for another bridge's
 * events: a callback running outside any actor names its thread for what it is. */
static void label_thread(void)
{
    char name[16] = "";
    if (steady_actor_current() || pthread_getname_np(pthread_self(), name, sizeof name) != 0 ||
        !strcmp(name, "steady-js") || !strcmp(name, "libnats"))
        return;
    pthread_setname_np(pthread_self(), "libnats");
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    label_thread();
    bridge *b = steady__nats_enter(closure);
    if (b) {
        steady__bridge_set_connected(b, false);
        STEADY_WARN("bridge %s: lost its server; retrying with backoff", b->text);
        steady__nats_leave(closure);
    }
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    label_thread();
    bridge *b = steady__nats_enter(closure);
    if (b) {
        atomic_fetch_add(&b->reconnects, 1);
        steady__bridge_set_connected(b, true);
        STEADY_INFO("bridge %s: connected again", b->text);
        steady__nats_leave(closure);
    }
}

static void on_connected(natsConnection *nc, void *closure)
{
    (void)nc;
    label_thread();
    bridge *b = steady__nats_enter(closure);
    if (b) {
        steady__bridge_set_connected(b, true);
        STEADY_INFO("bridge %s: connected", b->text);
        steady__nats_leave(closure);
    }
}

/* The last callback libnats's own threads make for a connection. */
static void on_closed(natsConnection *nc, void *closure)
{
    (void)nc;
    steady__nats_release(closure);
}

natsStatus steady__nats_options(bridge *b, conn_ctx *c, natsOptions *o)
{
    char url[STEADY_URI_MAX + 16];
    const steady_uri *u = &b->uri;
    bool v6 = strchr(u->host, ':') != NULL;
    snprintf(url, sizeof url, "%s://%s%s%s:%u", u->tls ? "tls" : "nats", v6 ? "[" : "", u->host,
             v6 ? "]" : "", (unsigned)u->port);
    natsStatus s = natsOptions_SetURL(o, url);
    if (s == NATS_OK && u->user[0])
        s = natsOptions_SetUserInfo(o, u->user, u->password);
    if (s == NATS_OK && u->tls)
        s = natsOptions_SetSecure(o, true);
    if (s == NATS_OK && b->tls_ca[0])
        s = natsOptions_LoadCATrustedCertificates(o, b->tls_ca);
    if (s == NATS_OK && b->tls_cert[0])
        s = natsOptions_LoadCertificatesChain(o, b->tls_cert, b->tls_key);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, b->connect_timeout_ms);
    if (s == NATS_OK) /* a 64 KiB frame in one read or write, not two (the default: 32 KiB) */
        s = natsOptions_SetIOBufSize(o, IO_BUFFER);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, 250);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectJitter(o, 250, 1000);
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, c);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(o, on_disconnected, c);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(o, on_reconnected, c);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(o, on_closed, c);
    return s;
}

natsConnection *steady__nats_connect(bridge *b, conn_ctx *c, natsOptions *o)
{
    natsConnection *nc = NULL;
    natsStatus s = natsConnection_Connect(&nc, o);
    if (s == NATS_OK)
        on_connected(nc, c);
    else if (s == NATS_NOT_YET_CONNECTED) {
        const char *text = NULL;
        if (natsConnection_GetLastError(nc, &text) == NATS_OK || !text || !*text)
            text = nats_GetLastError(NULL); /* what the attempt left on this thread */
        STEADY_WARN("bridge %s: not connected (%s); retrying with backoff", b->text,
                    text && *text ? text : "no server yet");
        s = NATS_OK;
    }
    if (s != NATS_OK || !nc) {
        STEADY_ERROR("bridge %s: cannot set up its NATS client: %s", b->text,
                     nats_GetLastError(&s));
        return NULL;
    }
    return nc;
}

uint64_t steady__nats_mono(void)
{
    return steady_clock_monotonic_ns(NULL);
}
