/* model.c — /snapshot.json (jansson) to top_snapshot (model.h).
 *
 * Every field goes through one of four readers (num, id, str, flag) that turn anything
 * unexpected into "absent", so a document with nulls, wrong types or missing parts still gives a
 * snapshot. Numbers are decoded as reals (JSON_DECODE_INT_AS_REAL): an integer too big for
 * 64 bits is then a number like any other instead of a parse error of the whole document.
 * jansson bounds the nesting depth and guarantees valid UTF-8 in strings.
 */
#include "model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field readers: anything unexpected is "absent" ---- */

static double num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return NAN;
    double d = json_number_value(v);
    return isfinite(d) ? d : NAN;
}

/* Ids are whole numbers in [0, 2^53): exact in a double. */
static int64_t id_of(const json_t *v)
{
    if (!json_is_number(v))
        return TOP_NO_ID;
    double d = json_number_value(v);
    if (!(d >= 0 && d < 9007199254740992.0) || d != floor(d))
        return TOP_NO_ID;
    return (int64_t)d;
}

static int64_t id(const json_t *obj, const char *key)
{
    return id_of(json_object_get(obj, key));
}

static bool flag(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

/* A safe copy of a string field; NULL when absent. *oom is set when the copy failed. */
static char *str(const json_t *obj, const char *key, bool *oom)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return NULL;
    char *copy = top_safe_strdup(s);
    if (!copy)
        *oom = true;
    return copy;
}

/* ---- safe strings ---- */

/* Length of the UTF-8 sequence at p and its code point in *cp; 0 when invalid. */
static size_t utf8_decode(const unsigned char *p, uint32_t *cp)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xE0) == 0xC0 ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n <= 1) {
        *cp = p[0];
        return n;
    }
    uint32_t c = p[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

static bool unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

char *top_safe_strdup(const char *src)
{
    size_t len = strlen(src);
    char *out = malloc(len + 1); /* '?' replaces at least one byte: never longer */
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)src;
    size_t o = 0;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0 || unsafe(cp)) {
            out[o++] = '?';
            p += n ? n : 1;
            continue;
        }
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* ---- actors and channels ---- */

/* The lints array joined with ","; NULL when absent or empty. Non-string items are skipped. */
static char *lints(const json_t *obj, bool *oom)
{
    const json_t *arr = json_object_get(obj, "lints");
    size_t need = 0, i;
    const json_t *item;
    json_array_foreach(arr, i, item) need +=
        json_is_string(item) ? strlen(json_string_value(item)) + 1 : 0;
    if (need == 0)
        return NULL;
    char *joined = malloc(need);
    if (!joined) {
        *oom = true;
        return NULL;
    }
    joined[0] = '\0';
    json_array_foreach(arr, i, item)
    {
        if (!json_is_string(item))
            continue;
        if (joined[0])
            strcat(joined, ",");
        strcat(joined, json_string_value(item));
    }
    char *safe = top_safe_strdup(joined);
    free(joined);
    if (!safe)
        *oom = true;
    return safe;
}

static void read_actor(const json_t *o, top_actor *a, bool *oom)
{
    a->id = id(o, "id");
    a->label = str(o, "label", oom);
    a->placement = str(o, "placement", oom);
    a->phase = str(o, "phase", oom);
    a->color = str(o, "color", oom);
    a->last_failure = str(o, "last_failure", oom);
    a->lints = lints(o, oom);
    a->troupe = num(o, "troupe");
    a->regeneration = num(o, "regeneration");
    a->failures = num(o, "failures");
    a->mcpu = num(o, "mcpu");
    a->load = num(o, "load");
    a->bottleneck = flag(o, "bottleneck");
    const json_t *link = json_object_get(o, "link");
    if (json_is_object(link)) {
        a->link_kind = str(link, "kind", oom);
        a->link_endpoint = str(link, "endpoint", oom);
        a->link_state = str(link, "state", oom);
    }
}

static void read_channel(const json_t *o, top_channel *c, bool *oom)
{
    c->id = id(o, "id");
    c->from = id(o, "from");
    c->to = id(o, "to");
    c->name = str(o, "name", oom);
    c->color = str(o, "color", oom);
    c->capacity = num(o, "capacity");
    c->inflight = num(o, "inflight");
    c->sent_total = num(o, "sent_total");
    c->taken_total = num(o, "taken_total");
    c->fill = num(o, "fill");
    c->rate = num(o, "rate");
    c->latency_s = num(o, "latency_s");
    c->backpressure = flag(o, "backpressure");
}

/* The objects of array `key`, each read by `read` into an element of `size` bytes; items that
 * are not objects are skipped. Returns false when out of memory. */
static bool read_array(const json_t *doc, const char *key, size_t size, void **out, size_t *n,
                       void (*read)(const json_t *, void *, bool *))
{
    const json_t *arr = json_object_get(doc, key);
    size_t len = json_array_size(arr), i;
    const json_t *item;
    *n = 0;
    if (len == 0)
        return true;
    unsigned char *items = calloc(len, size);
    if (!items)
        return false;
    *out = items;
    bool oom = false;
    json_array_foreach(arr, i, item)
    {
        if (json_is_object(item))
            read(item, items + size * (*n)++, &oom);
    }
    return !oom;
}

static void read_actor_v(const json_t *o, void *a, bool *oom)
{
    read_actor(o, a, oom);
}
static void read_channel_v(const json_t *o, void *c, bool *oom)
{
    read_channel(o, c, oom);
}

/* ---- the actor index ---- */

static int by_id(const void *x, const void *y)
{
    const top_actor_ref *a = x, *b = y;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos; /* the first of equal ids wins */
}

static bool build_index(top_snapshot *s)
{
    if (s->n_actors == 0)
        return true;
    s->actor_index = malloc(s->n_actors * sizeof *s->actor_index);
    if (!s->actor_index)
        return false;
    for (size_t i = 0; i < s->n_actors; i++)
        if (s->actors[i].id != TOP_NO_ID)
            s->actor_index[s->n_indexed++] = (top_actor_ref){s->actors[i].id, i};
    qsort(s->actor_index, s->n_indexed, sizeof *s->actor_index, by_id);
    return true;
}

const top_actor *top_snapshot_actor(const top_snapshot *s, int64_t want)
{
    if (want == TOP_NO_ID)
        return NULL;
    if ((uint64_t)want < s->n_actors && s->actors[want].id == want)
        return &s->actors[want];
    size_t lo = 0, hi = s->n_indexed;
    while (lo < hi) { /* the first position whose id is >= want */
        size_t mid = lo + (hi - lo) / 2;
        if (s->actor_index[mid].id < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n_indexed && s->actor_index[lo].id == want)
        return &s->actors[s->actor_index[lo].pos];
    return NULL;
}

/* ---- the document ---- */

static void not_json(const char *body, size_t len, const json_error_t *e, char *err, size_t n)
{
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len)
        snprintf(err, n, "not JSON: the body is empty");
    else if (body[i] == '<')
        snprintf(err, n, "not JSON: the body starts with '<' (an HTML page?)");
    else if (e)
        snprintf(err, n, "not JSON: %s (line %d, column %d)", e->text, e->line, e->column);
    else
        snprintf(err, n, "not a snapshot: the top level is not a JSON object");
}

static top_parse_result check_version(const json_t *doc, top_snapshot *s, char *err, size_t n)
{
    const json_t *v = json_object_get(doc, "v");
    s->v = id_of(v);
    if (s->v == TOP_SCHEMA_VERSION)
        return TOP_PARSE_OK;
    if (s->v == TOP_NO_ID)
        snprintf(err, n,
                 "not a snapshot: no schema version (\"v\") in the document; "
                 "steady-top understands version %d",
                 TOP_SCHEMA_VERSION);
    else
        snprintf(err, n,
                 "schema version %lld; steady-top understands version %d "
                 "(use the steady-top that comes with the served graph's steady)",
                 (long long)s->v, TOP_SCHEMA_VERSION);
    return TOP_PARSE_BAD_VERSION;
}

static bool read_document(const json_t *doc, top_snapshot *s)
{
    bool oom = false;
    const json_t *graph = json_object_get(doc, "graph"); /* NULL or not an object: all absent */
    const json_t *bn = json_object_get(doc, "bottleneck");
    s->seq = num(doc, "seq");
    s->unix_ms = num(doc, "unix_ms");
    s->frame_ms = num(doc, "frame_ms");
    s->window_s = num(doc, "window_s");
    s->total_rate = num(doc, "total_rate");
    s->graph_name = str(graph, "name", &oom);
    s->graph_state = str(graph, "state", &oom);
    s->bottleneck_actor = id(bn, "actor");
    s->bottleneck_channel = id(bn, "channel");
    if (oom || !read_array(doc, "actors", sizeof(top_actor), (void **)&s->actors, &s->n_actors,
                           read_actor_v))
        return false;
    if (!read_array(doc, "channels", sizeof(top_channel), (void **)&s->channels, &s->n_channels,
                    read_channel_v))
        return false;
    return build_index(s);
}

top_parse_result top_snapshot_parse(const char *body, size_t len, top_snapshot *out, char *err,
                                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->bottleneck_actor = out->bottleneck_channel = TOP_NO_ID;
    json_error_t e;
    json_t *doc = json_loadb(body, len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &e);
    if (!doc || !json_is_object(doc)) {
        not_json(body, len, doc ? NULL : &e, err, errlen);
        json_decref(doc);
        return TOP_PARSE_NOT_JSON;
    }
    top_parse_result r = check_version(doc, out, err, errlen);
    if (r == TOP_PARSE_OK && !read_document(doc, out)) {
        snprintf(err, errlen, "out of memory reading the snapshot");
        r = TOP_PARSE_OUT_OF_MEMORY;
    }
    json_decref(doc);
    return r;
}

void top_snapshot_free(top_snapshot *s)
{
    for (size_t i = 0; i < s->n_actors; i++) {
        top_actor *a = &s->actors[i];
        free(a->label), free(a->placement), free(a->phase), free(a->color);
        free(a->last_failure), free(a->lints);
        free(a->link_kind), free(a->link_endpoint), free(a->link_state);
    }
    for (size_t i = 0; i < s->n_channels; i++)
        free(s->channels[i].name), free(s->channels[i].color);
    free(s->actors), free(s->channels), free(s->actor_index);
    free(s->graph_name), free(s->graph_state);
    memset(s, 0, sizeof *s);
    s->bottleneck_actor = s->bottleneck_channel = TOP_NO_ID;
}
