/* telemetry/pub.c — the latest rendered blob of each route (pub.h).
 *
 * The mutex guards only the route table's pointers; blob lifetimes are atomic reference
 * counts, so a response in flight (which holds its own reference) outlives a newer
 * publication without any lock held during I/O. */
#include "telemetry/pub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct tm_blob {
    atomic_uint refs;
    const char *type;
    uint64_t seq;
    size_t len;
    char data[]; /* len bytes, then a NUL so text routes are C strings too */
};

struct tm_pub {
    pthread_mutex_t lock;
    tm_blob *route[TM_N_ROUTES];
};

tm_blob *tm_blob_new(const char *content_type, const void *data, size_t len, uint64_t seq)
{
    if (len > SIZE_MAX - sizeof(tm_blob) - 1 || (len && !data))
        return NULL;
    tm_blob *b = malloc(sizeof *b + len + 1);
    if (!b)
        return NULL;
    atomic_init(&b->refs, 1);
    b->type = content_type;
    b->seq = seq;
    b->len = len;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = '\0';
    return b;
}

void tm_blob_ref(tm_blob *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

/* acq_rel: the thread that frees must see every other holder's reads finished. */
void tm_blob_unref(tm_blob *b)
{
    if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
        free(b);
}

const void *tm_blob_data(const tm_blob *b)
{
    return b ? b->data : NULL;
}
size_t tm_blob_len(const tm_blob *b)
{
    return b ? b->len : 0;
}
const char *tm_blob_type(const tm_blob *b)
{
    return b ? b->type : NULL;
}
uint64_t tm_blob_seq(const tm_blob *b)
{
    return b ? b->seq : 0;
}

tm_pub *tm_pub_new(void)
{
    tm_pub *p = calloc(1, sizeof *p);
    if (p && pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void tm_pub_free(tm_pub *p)
{
    if (!p)
        return;
    for (int r = 0; r < TM_N_ROUTES; r++)
        tm_blob_unref(p->route[r]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void tm_pub_set(tm_pub *p, tm_route r, tm_blob *b)
{
    if (!p || (unsigned)r >= TM_N_ROUTES) {
        tm_blob_unref(b);
        return;
    }
    pthread_mutex_lock(&p->lock);
    tm_blob *old = p->route[r];
    p->route[r] = b;
    pthread_mutex_unlock(&p->lock);
    tm_blob_unref(old);
}

tm_blob *tm_pub_get(tm_pub *p, tm_route r)
{
    if (!p || (unsigned)r >= TM_N_ROUTES)
        return NULL;
    pthread_mutex_lock(&p->lock);
    tm_blob *b = p->route[r];
    tm_blob_ref(b);
    pthread_mutex_unlock(&p->lock);
    return b;
}
