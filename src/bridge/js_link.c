/* bridge/js_link.c — a JetStream bridge generation's client and its helper thread
 * (js_link.h): connecting, the stream and the consumer, the pull, and the publish acks.
 *
 * The publish ack callback runs on libnats's threads and may run after the generation ended
 * (a reply read just before the context was destroyed): its closure is therefore not a pointer
 * but the link's id, looked up in a registry under its lock; a link is removed from the
 * registry before its memory goes, so a late ack finds nothing and is dropped. */
#include "js_link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define API_WAIT_MS 2000                      /* one JetStream management request */
#define FETCH_WAIT_MS 250                     /* one pull; bounds the helper's stop */
#define ACK_WAIT_NS ((int64_t)10000000000)    /* unacknowledged frames come again after */
#define DUPLICATES_NS ((int64_t)120000000000) /* the stream drops a MsgId seen within */

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static js_link *registry;
static uint64_t registry_ids;

static void enrol(js_link *l)
{
    pthread_mutex_lock(&registry_mu);
    l->id = ++registry_ids;
    l->next = registry;
    registry = l;
    pthread_mutex_unlock(&registry_mu);
}

static void withdraw(js_link *l)
{
    pthread_mutex_lock(&registry_mu);
    for (js_link **p = &registry; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    pthread_mutex_unlock(&registry_mu);
}

void steady__js_notify(js_link *l)
{
    uint64_t one = 1;
    ssize_t r = write(l->efd, &one, sizeof one); /* EAGAIN: already signalled */
    (void)r;
}

void steady__js_drain(js_link *l)
{
    uint64_t v;
    ssize_t r = read(l->efd, &v, sizeof v);
    (void)r;
}

/* The 1st, 2nd, 4th, ... of a repeating condition is logged. */
static bool worth_logging(uint64_t n)
{
    return (n & (n - 1)) == 0;
}

void steady__js_on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    (void)js;
    uint64_t id = (uint64_t)(uintptr_t)closure;
    pthread_mutex_lock(&registry_mu);
    js_link *l = registry;
    while (l && l->id != id)
        l = l->next;
    steady_frame f;
    if (l && steady_frame_decode(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg),
                                 l->b->elem_size, l->b->type_id, &f) == STEADY_FRAME_OK) {
        /* A frame refused sends every frame not yet acknowledged again, in order: each
         * expects the one before it as the stream's last (ExpectLastMsgId), so the frames after
         * a lost one were refused too, and the stream keeps the publisher's order. */
        pthread_mutex_lock(&l->mu);
        for (unsigned i = 0; i < l->w_len; i++) {
            js_slot *s = &l->win[(l->w_head + i) % JS_WINDOW];
            if (pa && s->first == f.first_seq && s->end == !!(f.flags & STEADY_FRAME_END))
                s->state = JS_ACKED;
            else if (!pa && s->state == JS_SENT)
                s->state = JS_FAILED;
        }
        pthread_mutex_unlock(&l->mu);
        if (!pa) {
            uint64_t n = atomic_fetch_add(&l->b->resent, 1) + 1;
            if (worth_logging(n))
                STEADY_WARN("bridge %s: JetStream did not take the frame from %llu: %s (%s); "
                            "publishing it again (%llu so far)",
                            l->b->text, (unsigned long long)f.first_seq,
                            pae && pae->ErrText ? pae->ErrText : "no reply",
                            natsStatus_GetText(pae ? pae->Err : NATS_ERR), (unsigned long long)n);
        }
        steady__js_notify(l);
    }
    pthread_mutex_unlock(&registry_mu);
    natsMsg_Destroy(msg);
}

/* ---- the helper thread ---- */

static bool stopping(js_link *l)
{
    pthread_mutex_lock(&l->mu);
    bool s = l->stop;
    pthread_mutex_unlock(&l->mu);
    return s;
}

/* Sleeps up to ms, or until the stop. */
static void nap(js_link *l, unsigned ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&l->mu);
    while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &t) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&l->mu);
}

/* What went wrong in the last libnats call, for a log line. */
static void why(natsStatus s, jsErrCode e, char *buf, size_t cap)
{
    const char *text = nats_GetLastError(NULL);
    if (!text || !*text)
        text = natsStatus_GetText(s);
    if (e)
        snprintf(buf, cap, "%s (JetStream error %d)", text, (int)e);
    else
        snprintf(buf, cap, "%s", text);
}

/* The stream, made if it is not there (either pod may come first). */
static natsStatus ensure_stream(js_link *l, char *err, size_t cap)
{
    const steady_uri *u = &l->b->uri;
    const char *subjects[1] = {u->subject};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = u->stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = u->replicas;
    sc.Duplicates = DUPLICATES_NS;
    jsStreamInfo *si = NULL;
    jsErrCode e = 0;
    natsStatus s = js_AddStream(&si, l->js, &sc, NULL, &e);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK && e == JSStreamNameExistErr)
        return NATS_OK; /* made by another pod with other limits: use it as it is */
    if (s != NATS_OK)
        why(s, e, err, cap);
    return s;
}

/* Where the ingress's consumer starts: from `from` (a stream sequence number) when given, else
 * just after the existing consumer's ack floor (what this subscriber acknowledged, in a former
 * process or generation), else the stream's start. */
static uint64_t start_of(js_link *l, uint64_t from)
{
    if (from)
        return from;
    jsConsumerInfo *ci = NULL;
    uint64_t start = 1;
    if (js_GetConsumerInfo(&ci, l->js, l->b->uri.stream, l->durable, NULL, NULL) == NATS_OK)
        start = ci->AckFloor.Stream + 1;
    jsConsumerInfo_Destroy(ci);
    return start;
}

/* The ingress's durable pull consumer, made anew to deliver from stream sequence `from` (0: see
 * start_of), and the subscription bound to it. Made anew because a pull consumer hands out
 * each message once: one that never reached us (lost with a server, or with a killed pod)
 * comes again only after its ack wait and after later ones, and an ack of a later one (acks
 * cover everything before them) would drop it. The library never made the consumer, so it
 * never deletes it. */
static natsStatus ensure_consumer(js_link *l, uint64_t from, char *err, size_t cap)
{
    const steady_uri *u = &l->b->uri;
    uint64_t start = start_of(l, from);
    if (l->sub) {
        natsSubscription_Destroy(l->sub);
        l->sub = NULL;
    }
    jsErrCode e = 0;
    natsStatus s = js_DeleteConsumer(l->js, u->stream, l->durable, NULL, &e);
    if (s != NATS_OK && e != JSConsumerNotFoundErr) {
        why(s, e, err, cap);
        return s;
    }
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = l->durable;
    cc.AckPolicy = js_AckAll;
    cc.AckWait = ACK_WAIT_NS;
    cc.MaxAckPending = JS_UNACKED;
    cc.DeliverPolicy = start > 1 ? js_DeliverByStartSequence : js_DeliverAll;
    cc.OptStartSeq = start > 1 ? start : 0;
    cc.FilterSubject = u->subject;
    cc.Replicas = u->replicas;
    jsConsumerInfo *ci = NULL;
    s = js_AddConsumer(&ci, l->js, u->stream, &cc, NULL, &e);
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK) {
        why(s, e, err, cap);
        return s;
    }
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = u->stream;
    so.Consumer = l->durable;
    s = js_PullSubscribe(&l->sub, l->js, u->subject, l->durable, NULL, &so, &e);
    if (s != NATS_OK) {
        why(s, e, err, cap);
        return s;
    }
    pthread_mutex_lock(&l->mu);
    l->start = start;
    pthread_mutex_unlock(&l->mu);
    return NATS_OK;
}

static natsStatus set_up(js_link *l, char *err, size_t cap)
{
    natsStatus s = NATS_OK;
    if (!l->js) {
        jsOptions o;
        jsOptions_Init(&o);
        o.Wait = API_WAIT_MS;
        o.PublishAsync.MaxPending = 4 * JS_WINDOW; /* never reached: js_PublishAsync never stalls */
        o.PublishAsync.AckHandler = steady__js_on_ack;
        o.PublishAsync.AckHandlerClosure = (void *)(uintptr_t)l->id;
        if ((s = natsConnection_JetStream(&l->js, l->nc, &o)) != NATS_OK) {
            why(s, 0, err, cap);
            return s;
        }
    }
    if ((s = ensure_stream(l, err, cap)) != NATS_OK)
        return s;
    return l->b->egress ? NATS_OK : ensure_consumer(l, 0, err, cap);
}

/* The actor found a gap: the consumer is made anew from l->rewind, and what was fetched after
 * the gap is dropped (it comes again, in order). Retried until done or the stop. */
static void rewind_consumer(js_link *l)
{
    char err[512];
    pthread_mutex_lock(&l->mu);
    uint64_t from = l->rewind;
    for (; l->q_len; l->q_len--, l->q_head = (l->q_head + 1) % JS_QUEUE)
        natsMsg_Destroy(l->q[l->q_head]);
    pthread_mutex_unlock(&l->mu);
    for (uint64_t tries = 1; !stopping(l); tries++) {
        natsStatus s = ensure_consumer(l, from, err, sizeof err);
        if (s == NATS_OK)
            break;
        if (worth_logging(tries))
            STEADY_WARN("bridge %s: cannot restart its consumer at %llu: %s; trying again "
                        "(%llu %s)",
                        l->b->text, (unsigned long long)from, err, (unsigned long long)tries,
                        tries == 1 ? "try" : "tries so far");
        nap(l, tries < 4 ? 100u << tries : 1000u);
    }
    pthread_mutex_lock(&l->mu);
    for (; l->q_len; l->q_len--, l->q_head = (l->q_head + 1) % JS_QUEUE)
        natsMsg_Destroy(l->q[l->q_head]);
    l->rewind = 0;
    pthread_mutex_unlock(&l->mu);
    steady__js_notify(l);
}

/* Pulls what the actor asked for (want), until the stop. */
static void fetch_loop(js_link *l)
{
    for (;;) {
        pthread_mutex_lock(&l->mu);
        while (!l->stop && l->want <= 0 && !l->rewind)
            pthread_cond_wait(&l->cv, &l->mu);
        if (l->rewind && !l->stop) {
            pthread_mutex_unlock(&l->mu);
            rewind_consumer(l);
            continue;
        }
        int n = l->want;
        l->fetching = n;
        l->want = 0;
        bool stop = l->stop;
        pthread_mutex_unlock(&l->mu);
        if (stop)
            return;
        /* libnats 3.4.1's Fetch takes the messages already pending first, then asks the server
         * for the batch less those, but keeps collecting until its total equals that smaller
         * figure: with more than half the batch pending it writes past its own array (ASan:
         * a heap overflow in fetch_loop; a double free once, after a server restart). Asking
         * for no more than is pending takes them without a request. (A message arriving
         * between the two calls still could, in a window of microseconds.) */
        int pending = 0;
        if (natsSubscription_GetPending(l->sub, &pending, NULL) == NATS_OK && pending > 0 &&
            pending < n)
            n = pending;
        natsMsgList list = {0};
        jsErrCode e = 0;
        natsStatus s = natsSubscription_Fetch(&list, l->sub, n, FETCH_WAIT_MS, &e);
        pthread_mutex_lock(&l->mu);
        for (int i = 0; i < list.Count && !l->rewind; i++) { /* else dropped: they come again */
            l->q[(l->q_head + l->q_len++) % JS_QUEUE] = list.Msgs[i];
            list.Msgs[i] = NULL;
        }
        l->fetching = 0;
        pthread_mutex_unlock(&l->mu);
        if (list.Count)
            steady__js_notify(l);
        natsMsgList_Destroy(&list);
        if (s != NATS_OK && s != NATS_TIMEOUT && !list.Count)
            nap(l, 100); /* no server now: libnats reconnects meanwhile */
    }
}

static void *helper_main(void *arg)
{
    js_link *l = arg;
    bridge *b = l->b;
    prctl(PR_SET_NAME, "steady-js");
    char err[512];
    l->nc = steady__nats_connect(b, l->ctx, l->opts); /* NULL: logged, the actor fails */
    natsStatus s = NATS_ERR;
    for (uint64_t tries = 1; l->nc && !stopping(l); tries++) {
        if ((s = set_up(l, err, sizeof err)) == NATS_OK)
            break;
        if (worth_logging(tries))
            STEADY_WARN("bridge %s: JetStream not ready: %s; trying again (%llu %s)", b->text, err,
                        (unsigned long long)tries, tries == 1 ? "try" : "tries so far");
        nap(l, tries < 4 ? 100u << tries : 1000u);
    }
    pthread_mutex_lock(&l->mu);
    l->ready = s == NATS_OK && l->nc;
    l->broken = !l->nc;
    bool go = l->ready && !l->stop;
    pthread_mutex_unlock(&l->mu);
    if (go)
        atomic_store(&b->ready, true);
    steady__js_notify(l);
    if (go && !b->egress)
        fetch_loop(l);
    pthread_mutex_lock(&l->mu);
    while (!l->stop)
        pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* ---- open and close ---- */

static void close_link(void *p)
{
    js_link *l = p;
    if (l->started) {
        pthread_mutex_lock(&l->mu);
        l->stop = true;
        pthread_cond_broadcast(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->helper, NULL);
    }
    withdraw(l);                                /* no ack callback reaches the link from here on */
    for (; l->q_len; l->q_len--, l->q_head++) { /* fetched, never delivered: send them again */
        natsMsg *m = l->q[l->q_head % JS_QUEUE];
        natsMsg_Nak(m, NULL);
        natsMsg_Destroy(m);
    }
    if (l->nc && natsConnection_Status(l->nc) == NATS_CONN_STATUS_CONNECTED)
        natsConnection_FlushTimeout(l->nc, 500); /* the acks and naks */
    steady__nats_forget(l->ctx);
    if (l->sub)
        natsSubscription_Destroy(l->sub);
    jsCtx_Destroy(l->js);
    if (l->nc) {
        natsConnection_Close(l->nc);
        natsConnection_Destroy(l->nc);
        steady__nats_release(l->ctx);
    } else
        steady__nats_ctx_free(l->ctx);
    natsOptions_Destroy(l->opts);
    close(l->efd);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    steady__bridge_set_connected(l->b, false);
    atomic_store(&l->b->ready, false);
}

/* The durable consumer's name: the URI's, or one made from the subject ('.', '*' and '>' are
 * not allowed in it). */
static void durable_name(char *dst, size_t cap, const steady_uri *u)
{
    if (u->durable[0]) {
        snprintf(dst, cap, "%s", u->durable);
        return;
    }
    int n = snprintf(dst, cap, "steady-%s", u->subject);
    for (int i = 0; i < n && (size_t)i < cap; i++)
        if (dst[i] == '.' || dst[i] == '*' || dst[i] == '>' || dst[i] == ' ')
            dst[i] = '_';
}

js_link *steady__js_open(steady_actor *a, bridge *b)
{
    js_link *l = steady__bridge_alloc(a, b, sizeof *l);
    if (!l)
        return NULL;
    l->b = b;
    if (getrandom(&l->nonce, sizeof l->nonce, 0) != sizeof l->nonce)
        l->nonce = steady__nats_mono() ^ (uint64_t)getpid() << 32;
    durable_name(l->durable, sizeof l->durable, &b->uri);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    l->ctx = steady__nats_ctx_new(b);
    natsStatus s = l->ctx && l->efd >= 0 ? natsOptions_Create(&l->opts) : NATS_NO_MEMORY;
    if (s == NATS_OK)
        s = steady__nats_options(b, l->ctx, l->opts);
    if (s == NATS_OK) /* publishes kept while reconnecting: the window, resent once */
        s = natsOptions_SetReconnectBufSize(l->opts, 2 * JS_WINDOW * (64 * 1024 + 512));
    if (s != NATS_OK || !l->ctx || l->efd < 0) {
        STEADY_ERROR("bridge %s: cannot set up its NATS client: %s", b->text,
                     l->efd < 0 ? strerror(errno) : nats_GetLastError(&s));
        if (l->ctx)
            steady__nats_ctx_free(l->ctx);
        natsOptions_Destroy(l->opts);
        if (l->efd >= 0)
            close(l->efd);
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
        return NULL;
    }
    enrol(l);
    if (!steady__bridge_defer(a, b, close_link, l))
        return NULL;
    l->started = pthread_create(&l->helper, NULL, helper_main, l) == 0;
    if (!l->started) {
        STEADY_ERROR("bridge %s: cannot start its JetStream thread", b->text);
        return NULL;
    }
    return l;
}
