/* join.c — see join.h. */
#include "join.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

void top_pod_read(top_pod *pod, const char *arg, const char *cacert, long timeout_ms, char **shown)
{
    char *url = NULL;
    if (!top_url_normalize(arg, &url, shown, pod->why, sizeof pod->why)) {
        pod->shown = arg;
        return;
    }
    pod->shown = *shown;
    top_fetch_opts fo = {url, NULL, cacert, timeout_ms, NULL};
    top_fetch *f = top_fetch_new(&fo, pod->why, sizeof pod->why);
    const char *body = NULL;
    size_t len = 0;
    if (f && top_fetch_get(f, &body, &len, pod->why, sizeof pod->why) == TOP_FETCH_OK)
        pod->ok =
            top_snapshot_parse(body, len, &pod->snap, pod->why, sizeof pod->why) == TOP_PARSE_OK;
    top_fetch_free(f);
    free(url);
}

/* The place a link names, for matching: the endpoint without "user@" and "?query". */
static void place_of(const char *endpoint, char *dst, size_t cap)
{
    const char *at = strchr(endpoint, '@'), *scheme = strstr(endpoint, "://");
    size_t n = 0;
    if (scheme && at && at > scheme) { /* "nats://user@host..." -> "nats://host..." */
        n = (size_t)(scheme + 3 - endpoint);
        if (n >= cap)
            n = cap - 1;
        memcpy(dst, endpoint, n);
        endpoint = at + 1;
    }
    snprintf(dst + n, cap - n, "%s", endpoint);
    char *q = strchr(dst, '?');
    if (q)
        *q = 0;
}

static bool kind_is(const top_actor *a, const char *what)
{
    const char *k = a->link_kind;
    size_t lk = k ? strlen(k) : 0, lw = strlen(what);
    return lk > lw && k[lk - lw - 1] == ' ' && !strcmp(k + lk - lw, what);
}

/* The channel of s that ends (to) or starts (from) at actor id. */
static const top_channel *channel_at(const top_snapshot *s, int64_t id, bool to)
{
    for (size_t i = 0; i < s->n_channels; i++)
        if ((to ? s->channels[i].to : s->channels[i].from) == id)
            return &s->channels[i];
    return NULL;
}

size_t top_join_bridges(const top_pod *pods, size_t n, top_bridge **out)
{
    size_t nb = 0, cap = 0;
    *out = NULL;
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; pods[p].ok && i < pods[p].snap.n_actors; i++) {
            const top_actor *e = &pods[p].snap.actors[i];
            if (!kind_is(e, "egress") || !e->link_endpoint)
                continue;
            char pe[512], pi[512];
            place_of(e->link_endpoint, pe, sizeof pe);
            for (size_t q = 0; q < n; q++)
                for (size_t j = 0; q != p && pods[q].ok && j < pods[q].snap.n_actors; j++) {
                    const top_actor *g = &pods[q].snap.actors[j];
                    if (!kind_is(g, "ingress") || !g->link_endpoint)
                        continue;
                    place_of(g->link_endpoint, pi, sizeof pi);
                    if (strcmp(pe, pi))
                        continue;
                    if (nb == cap) {
                        cap = cap ? cap * 2 : 8;
                        top_bridge *grown = realloc(*out, cap * sizeof **out);
                        if (!grown) {
                            free(*out);
                            *out = NULL;
                            return 0;
                        }
                        *out = grown;
                    }
                    top_bridge *b = &(*out)[nb++];
                    *b = (top_bridge){.from_pod = p, .to_pod = q, .egress = e, .ingress = g};
                    b->in = channel_at(&pods[p].snap, e->id, true);
                    b->out = channel_at(&pods[q].snap, g->id, false);
                    b->rate = b->in ? b->in->rate : NAN;
                    b->lag =
                        b->in && b->out ? fmax(0, b->in->taken_total - b->out->sent_total) : NAN;
                }
        }
    return nb;
}

static const char * or (const char *s, const char *dflt)
{
    return s ? s : dflt;
}

void top_join_text(FILE *out, const top_pod *pods, size_t n, const top_bridge *b, size_t nb)
{
    for (size_t p = 0; p < n; p++) {
        if (!pods[p].ok) {
            fprintf(out, "pod %zu  %s  unreachable: %s\n", p + 1, pods[p].shown, pods[p].why);
            continue;
        }
        const top_snapshot *s = &pods[p].snap;
        fprintf(out, "pod %zu  %s  graph '%s' %s, %zu actors, %zu channels\n", p + 1, pods[p].shown,
                or (s->graph_name, "?"), or (s->graph_state, "?"), s->n_actors, s->n_channels);
        for (size_t i = 0; i < s->n_actors; i++)
            if (s->actors[i].link_kind)
                fprintf(out, "        %s: %s %s (%s)\n", or (s->actors[i].label, "?"),
                        s->actors[i].link_kind, or (s->actors[i].link_endpoint, "?"),
                        or (s->actors[i].link_state, "?"));
    }
    for (size_t i = 0; i < nb; i++)
        fprintf(out, "bridge  pod %zu %s (%s) -> pod %zu %s (%s)  %s  %.0f/s  lag %.0f\n",
                b[i].from_pod + 1, or (b[i].egress->label, "?"), or (b[i].egress->link_state, "?"),
                b[i].to_pod + 1, or (b[i].ingress->label, "?"), or (b[i].ingress->link_state, "?"),
                or (b[i].egress->link_endpoint, "?"), isnan(b[i].rate) ? 0 : b[i].rate,
                isnan(b[i].lag) ? 0 : b[i].lag);
    if (!nb)
        fprintf(out, "no bridge joins these pods (an egress and an ingress naming one place)\n");
}

/* A DOT string: quotes and backslashes escaped, a newline a line break, other control
 * characters dropped. */
static void q(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '"' || *s == '\\')
            fputc('\\', out), fputc(*s, out);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, out);
    }
    fputc('"', out);
}

static const char *const palette[] = {"#4f8fd8", "#d89a4f", "#5fb86a",
                                      "#b65fb8", "#c9c94f", "#4fc9c9"};

const char *top_join_colour(size_t p)
{
    return palette[p % (sizeof palette / sizeof palette[0])];
}

static void pod_cluster(FILE *out, const top_pod *pod, size_t p)
{
    const top_snapshot *s = &pod->snap;
    const char *colour = top_join_colour(p);
    fprintf(out, "  subgraph cluster_pod%zu {\n    label=", p);
    char title[512];
    snprintf(title, sizeof title, "pod %zu: %s (%s)", p + 1, or (s->graph_name, "?"), pod->shown);
    q(out, title);
    fprintf(out, ";\n    color=\"%s\"; fontcolor=\"%s\"; penwidth=2;\n", colour, colour);
    for (size_t i = 0; i < s->n_actors; i++) {
        const top_actor *a = &s->actors[i];
        char label[600];
        snprintf(label, sizeof label, "%s%s%s%s%s", or (a->label, "?"), a->link_kind ? "\n" : "",
                 or (a->link_kind, ""), a->link_kind ? " · " : "", or (a->link_state, ""));
        fprintf(out, "    \"p%zu_a%lld\" [label=", p, (long long)a->id);
        q(out, label);
        bool down = a->link_state && !strcmp(a->link_state, "down");
        fprintf(out, ", color=\"%s\"];\n", down ? "red" : colour);
    }
    for (size_t i = 0; i < s->n_channels; i++) {
        const top_channel *c = &s->channels[i];
        if (c->from == TOP_NO_ID || c->to == TOP_NO_ID)
            continue; /* an end in another process (a shared-memory channel) */
        fprintf(out, "    \"p%zu_a%lld\" -> \"p%zu_a%lld\" [label=", p, (long long)c->from, p,
                (long long)c->to);
        char label[300];
        snprintf(label, sizeof label, "%s\n%.0f/s", or (c->name, "?"),
                 isnan(c->rate) ? 0 : c->rate);
        q(out, label);
        fprintf(out, ", color=\"%s\"];\n", colour);
    }
    fputs("  }\n", out);
}

void top_join_dot(FILE *out, const top_pod *pods, size_t n, const top_bridge *b, size_t nb)
{
    fputs("digraph pods {\n  rankdir=LR; compound=true; fontname=\"Helvetica\";\n"
          "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10];\n",
          out);
    for (size_t p = 0; p < n; p++)
        if (pods[p].ok)
            pod_cluster(out, &pods[p], p);
    for (size_t i = 0; i < nb; i++) {
        char label[700];
        snprintf(label, sizeof label, "%s\n%.0f/s · lag %.0f", or (b[i].egress->link_endpoint, "?"),
                 isnan(b[i].rate) ? 0 : b[i].rate, isnan(b[i].lag) ? 0 : b[i].lag);
        fprintf(out, "  \"p%zu_a%lld\" -> \"p%zu_a%lld\" [label=", b[i].from_pod,
                (long long)b[i].egress->id, b[i].to_pod, (long long)b[i].ingress->id);
        q(out, label);
        fputs(", style=\"bold,dashed\", penwidth=2.5, class=\"bridge\"];\n", out);
    }
    fputs("}\n", out);
}
