/* join_json.c — top_join_json (join.h): the joined pods as JSON, with jansson. */
#include "join.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *num(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

/* s as a JSON string. jansson refuses a string that is not UTF-8 (a URL or an error text from
 * the command line or the network), and the pod holding it vanished from /pods.json: such a
 * string is given with each of its non-ASCII bytes as '?'. */
static json_t *str(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t)
        return json_null();
    for (size_t i = 0; i <= n; i++)
        t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    j = json_string(t);
    free(t);
    return j ? j : json_null();
}

static json_t *actor_json(const top_actor *a)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)a->id, "label", str(a->label),
                     "link_kind", str(a->link_kind), "link_endpoint", str(a->link_endpoint),
                     "link_state", str(a->link_state));
}

static json_t *channel_json(const top_channel *c)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "from",
                     c->from == TOP_NO_ID ? json_null() : json_integer((json_int_t)c->from), "to",
                     c->to == TOP_NO_ID ? json_null() : json_integer((json_int_t)c->to), "name",
                     str(c->name), "rate", num(c->rate), "fill", num(c->fill));
}

static json_t *pod_json(const top_pod *pod, size_t p)
{
    json_t *actors = json_array(), *channels = json_array();
    const top_snapshot *s = &pod->snap;
    for (size_t i = 0; pod->ok && i < s->n_actors; i++)
        json_array_append_new(actors, actor_json(&s->actors[i]));
    for (size_t i = 0; pod->ok && i < s->n_channels; i++)
        json_array_append_new(channels, channel_json(&s->channels[i]));
    return json_pack("{s:o, s:b, s:o, s:o, s:o, s:s, s:o, s:o}", "url", str(pod->shown), "ok",
                     pod->ok, "why", str(pod->ok ? NULL : pod->why), "name",
                     str(pod->ok ? s->graph_name : NULL), "state",
                     str(pod->ok ? s->graph_state : NULL), "colour", top_join_colour(p), "actors",
                     actors, "channels", channels);
}

static bool up(const top_actor *a)
{
    return a->link_state && !strcmp(a->link_state, "up");
}

char *top_join_json(const top_pod *pods, size_t n, const top_bridge *b, size_t nb)
{
    json_t *jp = json_array(), *jb = json_array();
    for (size_t p = 0; p < n; p++)
        json_array_append_new(jp, pod_json(&pods[p], p));
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(
            jb, json_pack("{s:I, s:I, s:I, s:I, s:o, s:b, s:o, s:o}", "from_pod",
                          (json_int_t)b[i].from_pod, "to_pod", (json_int_t)b[i].to_pod, "egress",
                          (json_int_t)b[i].egress->id, "ingress", (json_int_t)b[i].ingress->id,
                          "endpoint", str(b[i].egress->link_endpoint), "up",
                          up(b[i].egress) && up(b[i].ingress), "rate", num(b[i].rate), "lag",
                          num(b[i].lag)));
    json_t *root = json_pack("{s:o, s:o}", "pods", jp, "bridges", jb);
    char *text = root ? json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(root);
    return text;
}
