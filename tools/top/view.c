/* view.c — lays out a snapshot (view.h): header, bottleneck, actors, channels, status.
 *
 * Text goes through a line builder that knows the columns left on the line: visible text is
 * cut there, escape sequences take no column, and padding is held back until something visible
 * follows it, so no line ends in spaces. Column widths follow the longest value of each column
 * (within bounds), over all rows, so the layout does not jump when rows are cut.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

/* ---- text buffer ---- */

void top_text_free(top_text *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static void text_add(top_text *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *buf = realloc(t->buf, cap);
        if (!buf) {
            t->oom = true;
            return;
        }
        t->buf = buf, t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

/* ---- line builder ---- */

typedef struct line {
    top_text *t;
    int left;    /* display columns left on this line */
    int pending; /* spaces owed before the next visible text */
    bool color;  /* escapes allowed */
    bool open;   /* an SGR attribute is in effect */
} line;

static line line_start(top_text *t, const top_view_opts *o)
{
    return (line){.t = t, .left = o->width > 0 ? o->width : INT_MAX, .color = o->color};
}

/* The first n bytes of s (whole characters), cut at the line's last column. */
static void put_n(line *l, const char *s, size_t n)
{
    if (n == 0)
        return;
    while (l->pending > 0 && l->left > 0) {
        text_add(l->t, " ", 1);
        l->pending--, l->left--;
    }
    l->pending = 0;
    char *copy = malloc(n + 1);
    if (!copy) {
        l->t->oom = true;
        return;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    int used;
    text_add(l->t, copy, top__fit_bytes(copy, l->left, &used));
    l->left -= used;
    free(copy);
}

static void put(line *l, const char *s)
{
    put_n(l, s, strlen(s));
}

static void pad(line *l, int n)
{
    l->pending += n > 0 ? n : 0;
}

/* s in exactly w columns (then `gap` spaces): cut with "…" when wider, padded when narrower. */
static void cell(line *l, const char *s, int w, bool right, int gap)
{
    int width = top_display_width(s);
    if (width > w) {
        int used;
        put_n(l, s, top__fit_bytes(s, w - 1, &used));
        pad(l, w - 1 - used);
        put(l, "…");
        pad(l, gap);
        return;
    }
    if (right)
        pad(l, w - width);
    put(l, s);
    pad(l, right ? gap : w - width + gap);
}

static void sgr(line *l, const char *code)
{
    if (!l->color || !code)
        return;
    char esc[32];
    int n = snprintf(esc, sizeof esc, "\x1b[%sm", code);
    text_add(l->t, esc, (size_t)n);
    l->open = true;
}

static void sgr_reset(line *l)
{
    if (l->open)
        text_add(l->t, "\x1b[0m", 4);
    l->open = false;
}

static void line_end(line *l)
{
    sgr_reset(l);
    text_add(l->t, "\n", 1);
    l->t->lines++;
}

/* The SGR code for a colour field; NULL for none/unknown. */
static const char *sgr_of(const char *color)
{
    static const struct {
        const char *name, *code;
    } map[] = {{"ok", "32"}, {"yellow", "33"}, {"orange", "38;5;208"}, {"red", "31"}};
    for (size_t i = 0; color && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(color, map[i].name) == 0)
            return map[i].code;
    return NULL;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* ---- sorting ---- */

typedef struct row {
    size_t pos;
    double key;       /* descending, NAN last */
    const char *name; /* ascending, NULL last (TOP_SORT_NAME) */
} row;

static int by_key(const void *x, const void *y)
{
    const row *a = x, *b = y;
    if (!isnan(a->key) || !isnan(b->key)) {
        if (isnan(a->key) != isnan(b->key))
            return isnan(a->key) ? 1 : -1;
        if (a->key != b->key)
            return a->key > b->key ? -1 : 1;
    }
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int by_name(const void *x, const void *y)
{
    const row *a = x, *b = y;
    if (a->name && b->name) {
        int c = strcmp(a->name, b->name);
        if (c)
            return c;
    } else if (a->name || b->name) {
        return a->name ? -1 : 1;
    }
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static row *actor_rows(const top_snapshot *s, top_sort sort)
{
    row *rows = malloc((s->n_actors ? s->n_actors : 1) * sizeof *rows);
    for (size_t i = 0; rows && i < s->n_actors; i++) {
        const top_actor *a = &s->actors[i];
        rows[i] = (row){i, sort == TOP_SORT_MCPU ? a->mcpu : a->load, a->label};
    }
    if (rows)
        qsort(rows, s->n_actors, sizeof *rows, sort == TOP_SORT_NAME ? by_name : by_key);
    return rows;
}

static row *channel_rows(const top_snapshot *s)
{
    row *rows = malloc((s->n_channels ? s->n_channels : 1) * sizeof *rows);
    for (size_t i = 0; rows && i < s->n_channels; i++)
        rows[i] = (row){i, s->channels[i].rate, s->channels[i].name};
    if (rows)
        qsort(rows, s->n_channels, sizeof *rows, by_key);
    return rows;
}

/* ---- header ---- */

static const char *actor_name(const top_snapshot *s, int64_t id, char *buf)
{
    const top_actor *a = top_snapshot_actor(s, id);
    if (a && a->label)
        return a->label;
    snprintf(buf, TOP_FMT_LEN, "#%lld", (long long)id);
    return buf;
}

static const char *channel_name(const top_snapshot *s, int64_t id, char *buf)
{
    for (size_t i = 0; i < s->n_channels; i++)
        if (s->channels[i].id == id && s->channels[i].name)
            return s->channels[i].name;
    snprintf(buf, TOP_FMT_LEN, "#%lld", (long long)id);
    return buf;
}

static double total_rate(const top_snapshot *s)
{
    if (!isnan(s->total_rate))
        return s->total_rate;
    double sum = NAN;
    for (size_t i = 0; i < s->n_channels; i++)
        if (!isnan(s->channels[i].rate))
            sum = (isnan(sum) ? 0 : sum) + s->channels[i].rate;
    return sum;
}

static void header(const top_snapshot *s, const top_view_opts *o, top_text *t)
{
    char seq[TOP_FMT_LEN], rate[TOP_FMT_LEN], win[TOP_FMT_LEN], buf[512];
    if (isnan(s->window_s))
        strcpy(win, "-");
    else
        snprintf(win, sizeof win, "%g s", s->window_s);
    snprintf(buf, sizeof buf, "graph %s  state %s  frame %s  total %s  window %s",
             or_dash(s->graph_name), or_dash(s->graph_state), top_fmt_count(s->seq, seq),
             top_fmt_rate(total_rate(s), rate), win);
    line l = line_start(t, o);
    put(&l, buf);
    line_end(&l);

    char a[TOP_FMT_LEN], c[TOP_FMT_LEN];
    bool has_a = s->bottleneck_actor != TOP_NO_ID, has_c = s->bottleneck_channel != TOP_NO_ID;
    if (has_a && has_c)
        snprintf(buf, sizeof buf, "* bottleneck: %s, back-pressure starts at %s",
                 actor_name(s, s->bottleneck_actor, a), channel_name(s, s->bottleneck_channel, c));
    else if (has_a)
        snprintf(buf, sizeof buf, "* bottleneck: %s", actor_name(s, s->bottleneck_actor, a));
    else if (has_c)
        snprintf(buf, sizeof buf, "* bottleneck: back-pressure starts at %s",
                 channel_name(s, s->bottleneck_channel, c));
    else
        snprintf(buf, sizeof buf, "  bottleneck: none");
    l = line_start(t, o);
    sgr(&l, has_a || has_c ? "1" : NULL);
    put(&l, buf);
    line_end(&l);
}

static void text_line(top_text *t, const top_view_opts *o, const char *text)
{
    line l = line_start(t, o);
    put(&l, text);
    line_end(&l);
}

/* ---- actors ---- */

typedef struct actor_cols {
    int label, place, phase, color;
} actor_cols;

static void placement(const top_actor *a, char *buf, size_t n)
{
    if (isnan(a->troupe))
        snprintf(buf, n, "%s", or_dash(a->placement));
    else
        snprintf(buf, n, "%s t%.0f", or_dash(a->placement), a->troupe);
}

static actor_cols measure_actors(const top_snapshot *s)
{
    actor_cols w = {5, 9, 5, 6};
    char place[128];
    for (size_t i = 0; i < s->n_actors; i++) {
        const top_actor *a = &s->actors[i];
        placement(a, place, sizeof place);
        w.label = clampi(top_display_width(or_dash(a->label)), w.label, 24);
        w.place = clampi(top_display_width(place), w.place, 16);
        w.phase = clampi(top_display_width(or_dash(a->phase)), w.phase, 12);
        w.color = clampi(top_display_width(or_dash(a->color)), w.color, 8);
    }
    return w;
}

static void actor_line(const top_snapshot *s, const top_actor *a, const actor_cols *w,
                       const top_view_opts *o, top_text *t)
{
    char place[128], mcpu[TOP_FMT_LEN], load[TOP_FMT_LEN], restarts[TOP_FMT_LEN];
    bool bn = a->bottleneck || (a->id != TOP_NO_ID && a->id == s->bottleneck_actor);
    placement(a, place, sizeof place);
    line l = line_start(t, o);
    cell(&l, bn ? "*" : " ", 1, false, 1);
    sgr(&l, sgr_of(a->color));
    cell(&l, or_dash(a->label), w->label, false, 0);
    sgr_reset(&l);
    pad(&l, 2);
    cell(&l, place, w->place, false, 2);
    cell(&l, or_dash(a->phase), w->phase, false, 2);
    cell(&l, top_fmt_mcpu(a->mcpu, mcpu), 6, true, 2);
    cell(&l, top_fmt_load(a->load, load), 5, true, 2);
    cell(&l, top_fmt_count(a->regeneration, restarts), 8, true, 2);
    sgr(&l, sgr_of(a->color));
    cell(&l, or_dash(a->color), w->color, false, 0);
    sgr_reset(&l);
    pad(&l, 2);
    put(&l, or_dash(a->lints));
    line_end(&l);
}

static void actor_heading(const actor_cols *w, const top_view_opts *o, top_text *t)
{
    line l = line_start(t, o);
    cell(&l, " ", 1, false, 1);
    cell(&l, "ACTOR", w->label, false, 2);
    cell(&l, "PLACEMENT", w->place, false, 2);
    cell(&l, "PHASE", w->phase, false, 2);
    cell(&l, "MCPU", 6, true, 2);
    cell(&l, "LOAD", 5, true, 2);
    cell(&l, "RESTARTS", 8, true, 2);
    cell(&l, "COLOUR", w->color, false, 2);
    put(&l, "LINTS");
    line_end(&l);
}

/* ---- channels ---- */

typedef struct channel_cols {
    int name, from, to, color;
} channel_cols;

static channel_cols measure_channels(const top_snapshot *s)
{
    channel_cols w = {7, 4, 2, 6};
    char id[TOP_FMT_LEN];
    for (size_t i = 0; i < s->n_channels; i++) {
        const top_channel *c = &s->channels[i];
        const char *from = c->from == TOP_NO_ID ? "-" : actor_name(s, c->from, id);
        w.from = clampi(top_display_width(from), w.from, 20);
        const char *to = c->to == TOP_NO_ID ? "-" : actor_name(s, c->to, id);
        w.to = clampi(top_display_width(to), w.to, 20);
        w.name = clampi(top_display_width(or_dash(c->name)), w.name, 24);
        w.color = clampi(top_display_width(or_dash(c->color)), w.color, 8);
    }
    return w;
}

static void channel_line(const top_snapshot *s, const top_channel *c, const channel_cols *w,
                         const top_view_opts *o, top_text *t)
{
    char id[TOP_FMT_LEN], rate[TOP_FMT_LEN], fill[TOP_FMT_LEN], lat[TOP_FMT_LEN];
    char in[TOP_FMT_LEN], cap[TOP_FMT_LEN], occupancy[2 * TOP_FMT_LEN + 2];
    bool bn = c->id != TOP_NO_ID && c->id == s->bottleneck_channel;
    snprintf(occupancy, sizeof occupancy, "%s/%s", top_fmt_count(c->inflight, in),
             top_fmt_count(c->capacity, cap));
    line l = line_start(t, o);
    cell(&l, bn ? "*" : c->backpressure ? "!" : " ", 1, false, 1);
    sgr(&l, sgr_of(c->color));
    cell(&l, or_dash(c->name), w->name, false, 0);
    sgr_reset(&l);
    pad(&l, 2);
    cell(&l, c->from == TOP_NO_ID ? "-" : actor_name(s, c->from, id), w->from, false, 1);
    cell(&l, "→", 1, false, 1);
    cell(&l, c->to == TOP_NO_ID ? "-" : actor_name(s, c->to, id), w->to, false, 2);
    cell(&l, top_fmt_rate(c->rate, rate), 8, true, 2);
    cell(&l, top_fmt_fill(c->fill, fill), 5, true, 2);
    cell(&l, top_fmt_seconds(c->latency_s, lat), 9, true, 2);
    cell(&l, occupancy, 13, true, 2);
    sgr(&l, sgr_of(c->color));
    put(&l, or_dash(c->color));
    line_end(&l);
}

static void channel_heading(const channel_cols *w, const top_view_opts *o, top_text *t)
{
    line l = line_start(t, o);
    cell(&l, " ", 1, false, 1);
    cell(&l, "CHANNEL", w->name, false, 2);
    cell(&l, "FROM", w->from, false, 1);
    cell(&l, "→", 1, false, 1);
    cell(&l, "TO", w->to, false, 2);
    cell(&l, "RATE", 8, true, 2);
    cell(&l, "FILL", 5, true, 2);
    cell(&l, "LATENCY", 9, true, 2);
    cell(&l, "INFLIGHT/CAP", 13, true, 2);
    put(&l, "COLOUR");
    line_end(&l);
}

/* ---- the frame ---- */

/* Rows for each section when `room` rows are left: all when both fit, else shared, a section
 * needing less than half leaving the rest to the other. */
static void share_rows(size_t na, size_t nc, long room, size_t *ra, size_t *rc)
{
    size_t r = room > 0 ? (size_t)room : 0;
    if (na + nc <= r) {
        *ra = na, *rc = nc;
        return;
    }
    size_t half = r / 2;
    *ra = na < half ? na : nc < r - half ? r - nc : half;
    *rc = r - *ra < nc ? r - *ra : nc;
}

/* Shown rows out of n in `rows` lines: the last line says "+N more" when some are cut. */
static size_t shown(size_t n, size_t rows)
{
    return n <= rows ? n : rows ? rows - 1 : 0;
}

static void more_line(size_t n, size_t shown_n, size_t rows, const char *what,
                      const top_view_opts *o, top_text *t)
{
    char buf[64];
    if (n <= shown_n || rows == 0)
        return;
    snprintf(buf, sizeof buf, "  +%zu more %s", n - shown_n, what);
    text_line(t, o, buf);
}

/* Keeps the first `rows` lines written since offset `start` (a terminal too small for even the
 * fixed lines). */
static void clip_rows(top_text *t, size_t start, size_t rows)
{
    size_t seen = 0;
    for (size_t i = start; i < t->len; i++) {
        if (t->buf[i] == '\n' && ++seen == rows) {
            size_t cut = 0;
            for (size_t j = i + 1; j < t->len; j++)
                cut += t->buf[j] == '\n';
            t->len = i + 1;
            t->buf[t->len] = '\0';
            t->lines -= cut;
            return;
        }
    }
}

void top_view_render(const top_snapshot *s, const top_view_opts *o, top_text *t)
{
    static const char *const sorts[] = {"load", "mCPU", "name"};
    size_t start = t->len;
    if (s) {
        /* fixed lines: header, bottleneck, blank, title + heading twice, blank, status */
        long room = o->height > 0 ? o->height - 8 - (o->status ? 1 : 0) : LONG_MAX;
        size_t ra, rc;
        share_rows(s->n_actors, s->n_channels, room, &ra, &rc);
        char title[64];
        header(s, o, t);
        text_line(t, o, "");
        snprintf(title, sizeof title, "ACTORS (%zu, by %s)", s->n_actors, sorts[o->sort]);
        text_line(t, o, title);
        actor_cols aw = measure_actors(s);
        actor_heading(&aw, o, t);
        row *rows = actor_rows(s, o->sort);
        size_t n = rows ? shown(s->n_actors, ra) : 0;
        for (size_t i = 0; i < n; i++)
            actor_line(s, &s->actors[rows[i].pos], &aw, o, t);
        more_line(s->n_actors, n, ra, "actors", o, t);
        free(rows);

        text_line(t, o, "");
        snprintf(title, sizeof title, "CHANNELS (%zu, by rate)", s->n_channels);
        text_line(t, o, title);
        channel_cols cw = measure_channels(s);
        channel_heading(&cw, o, t);
        rows = channel_rows(s);
        n = rows ? shown(s->n_channels, rc) : 0;
        for (size_t i = 0; i < n; i++)
            channel_line(s, &s->channels[rows[i].pos], &cw, o, t);
        more_line(s->n_channels, n, rc, "channels", o, t);
        free(rows);
    }
    if (o->status)
        text_line(t, o, o->status);
    if (o->height > 0)
        clip_rows(t, start, (size_t)o->height);
}
