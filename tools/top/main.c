/* main.c — steady-top: the command line, the refresh loop and what reaches the screen.
 *
 *   steady-top [--interval MS] [--once] [--count N] [--sort load|mcpu|name] [--user U:P]
 *              [--cacert FILE] [--timeout MS] [--no-color] URL
 *   steady-top --replay [--speed X] [--at SEQ] [--once] [--count N] [...] FILE
 *
 * Each refresh fetches URL's /snapshot.json (fetch.c), reads it (model.c) and draws it (view.c):
 * on a terminal in place on the alternate screen, elsewhere one frame after another. A refresh
 * that fails keeps the last frame and says since when and why under it. --once prints one frame
 * without escape codes and fails (1) when there is none.
 * Exit: 0 ok, 1 runtime error (no answer with --once, not a snapshot, another schema version),
 * 2 usage error.
 */
#define _GNU_SOURCE /* getopt_long, localtime_r */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "model.h"
#include "replay.h"
#include "term.h"
#include "view.h"

typedef struct top_cli {
    long interval_ms, timeout_ms, count; /* count 0: no limit */
    bool once, no_color, replay;
    double speed; /* --replay: 1 = as recorded */
    uint64_t at;  /* --replay: the first frame shown (its seq); 0: the first recorded */
    top_sort sort;
    const char *user, *cacert, *url;
} top_cli;

/* What the loop keeps between refreshes. */
typedef struct top_state {
    top_snapshot snap;
    bool have_snap;
    time_t snap_at; /* when snap was fetched (local clock) */
    char status[768];
    bool has_status;
} top_state;

enum { EXIT_USAGE = 2 };

/* ---- command line ---- */

static void usage(FILE *out)
{
    fputs("usage: steady-top [OPTION]... URL\n"
          "A live terminal view of a steady graph served by libsteady-telemetry.\n"
          "URL is the telemetry address (http://127.0.0.1:9900) or its /snapshot.json.\n\n"
          "  --interval MS     refresh every MS milliseconds (default 1000, at least 100)\n"
          "  --once            print one frame without escape codes and exit\n"
          "  --count N         stop after N refreshes\n"
          "  --sort KEY        order the actors by load (default), mcpu or name\n"
          "  --user U:P        HTTP basic authentication\n"
          "  --cacert FILE     trust the CA certificates in FILE (PEM) for https\n"
          "  --timeout MS      give up on one request after MS milliseconds (default 5000)\n"
          "  --no-color        no colours (also when NO_COLOR is set or output is no terminal)\n"
          "  --replay          play a history file (history_path) instead: FILE, not URL\n"
          "  --speed X         replay at X times the recorded pace (default 1; 0.01 to 1000)\n"
          "  --at SEQ          replay from the frame numbered SEQ\n"
          "  --help            this text\n"
          "  --version         the version\n\n"
          "Keys: q quits, s changes the actors' order; replaying: space pauses, n and p step,\n"
          "] and [ seek 10 s, + and - change the speed. Exit status: 0 ok, 1 runtime error,\n"
          "2 usage error. docs/reference/steady-top.md has the details.\n",
          out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("steady-top: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'steady-top --help' for the options.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* A whole number in [min, max] from s, or -1. */
static long number(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    return v;
}

/* An option with a value: 0 when taken, EXIT_USAGE when its value is wrong, -1 when opt is
 * not one of them. */
static int parse_option(int opt, const char *arg, top_cli *c)
{
    switch (opt) {
    case 'i':
        c->interval_ms = number(arg, 100, 86400000);
        if (c->interval_ms < 0)
            return usage_error("--interval wants milliseconds from 100 to 86400000 (got '%s'); "
                               "e.g. --interval 500",
                               arg);
        return 0;
    case 't':
        c->timeout_ms = number(arg, 100, 600000);
        if (c->timeout_ms < 0)
            return usage_error("--timeout wants milliseconds from 100 to 600000 (got '%s'); "
                               "e.g. --timeout 2000",
                               arg);
        return 0;
    case 'n':
        c->count = number(arg, 1, 1000000000);
        if (c->count < 0)
            return usage_error("--count wants a number of refreshes, 1 or more (got '%s')", arg);
        return 0;
    case 's':
        if (strcmp(arg, "load") == 0)
            c->sort = TOP_SORT_LOAD;
        else if (strcmp(arg, "mcpu") == 0)
            c->sort = TOP_SORT_MCPU;
        else if (strcmp(arg, "name") == 0)
            c->sort = TOP_SORT_NAME;
        else
            return usage_error("--sort wants load, mcpu or name (got '%s')", arg);
        return 0;
    case 'u':
        if (!strchr(arg, ':'))
            return usage_error("--user wants USER:PASSWORD (got '%s', no ':')", arg);
        c->user = arg;
        return 0;
    case 'x': {
        char *end;
        errno = 0;
        c->speed = strtod(arg, &end);
        if (errno || end == arg || *end || !(c->speed >= 0.01 && c->speed <= 1000))
            return usage_error("--speed wants a factor from 0.01 to 1000 (got '%s'); e.g. "
                               "--speed 4",
                               arg);
        return 0;
    }
    case 'a': {
        char *end;
        errno = 0;
        c->at = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || c->at == 0)
            return usage_error("--at wants a frame number, 1 or more (got '%s')", arg);
        return 0;
    }
    case 'c':
        if (access(arg, R_OK) != 0)
            return usage_error("--cacert %s: %s (a PEM file of CA certificates)", arg,
                               strerror(errno));
        c->cacert = arg;
        return 0;
    }
    return -1;
}

/* Fills c from argv. Returns -1 to go on, else the exit status (0 after --help/--version). */
static int parse_cli(int argc, char **argv, top_cli *c)
{
    static const struct option longs[] = {
        {"interval", required_argument, NULL, 'i'}, {"once", no_argument, NULL, 'o'},
        {"count", required_argument, NULL, 'n'},    {"sort", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'},     {"cacert", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},  {"no-color", no_argument, NULL, 'C'},
        {"replay", no_argument, NULL, 'r'},         {"speed", required_argument, NULL, 'x'},
        {"at", required_argument, NULL, 'a'},       {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
    *c = (top_cli){.interval_ms = 1000, .timeout_ms = 5000, .speed = 1};
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int rc = parse_option(opt, optarg, c);
        if (rc == EXIT_USAGE)
            return rc;
        if (rc == 0)
            continue;
        if (opt == 'o')
            c->once = true;
        else if (opt == 'C')
            c->no_color = true;
        else if (opt == 'r')
            c->replay = true;
        else if (opt == 'h')
            return usage(stdout), 0;
        else if (opt == 'V')
            return puts("steady-top " TOP_VERSION " (snapshot schema version 1)"), 0;
        else if (optopt && strncmp(argv[optind - 1], "--", 2) == 0)
            return usage_error("option '%s' wants a value", argv[optind - 1]);
        else
            return usage_error("unknown option '%s'", argv[optind - 1]);
    }
    if (optind == argc && c->replay)
        return usage_error("--replay wants a history file; e.g. steady-top --replay "
                           "logs/history.gz");
    if (optind == argc)
        return usage_error("no URL given; e.g. steady-top http://127.0.0.1:9900");
    if (optind < argc - 1)
        return usage_error("one URL only (got '%s' and '%s')", argv[optind], argv[optind + 1]);
    c->url = argv[optind];
    return -1;
}

/* ---- one refresh ---- */

typedef enum refresh_result { REFRESH_OK, REFRESH_FAILED, REFRESH_FATAL } refresh_result;

static void set_status(top_state *st, const char *shown, const char *what, const char *why)
{
    char when[64] = "?";
    if (st->have_snap) {
        struct tm tm;
        if (localtime_r(&st->snap_at, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        snprintf(st->status, sizeof st->status, "Snapshot at %s — %s%s%s%s", when, what ? what : "",
                 what ? " (" : "", why, what ? ")" : "");
    } else {
        snprintf(st->status, sizeof st->status, "No snapshot yet from %s — %s%s%s%s", shown,
                 what ? what : "", what ? " (" : "", why, what ? ")" : "");
    }
    st->has_status = true;
}

/* Fetches and reads one snapshot into st. On failure st->status (for the screen) and err (for
 * stderr, naming the URL) say why; REFRESH_FATAL when retrying cannot help. */
static refresh_result refresh(top_fetch *f, const char *shown, top_state *st, char *err,
                              size_t errlen)
{
    const char *body = NULL;
    size_t len = 0;
    char why[512];
    top_fetch_result r = top_fetch_get(f, &body, &len, why, sizeof why);
    if (r != TOP_FETCH_OK) {
        bool silent = r == TOP_FETCH_FAILED;
        set_status(st, shown, silent ? "server not answering" : NULL, why);
        snprintf(err, errlen, "%s: %s%s%s%s", shown, silent ? "server not answering (" : "", why,
                 silent ? ")" : "", r == TOP_FETCH_WAITING ? "; try again in a moment" : "");
        return REFRESH_FAILED;
    }
    top_snapshot next;
    top_parse_result p = top_snapshot_parse(body, len, &next, why, sizeof why);
    if (p != TOP_PARSE_OK) {
        top_snapshot_free(&next);
        set_status(st, shown, NULL, why);
        snprintf(err, errlen, "%s: %s", shown, why);
        return p == TOP_PARSE_BAD_VERSION ? REFRESH_FATAL : REFRESH_FAILED;
    }
    top_snapshot_free(&st->snap);
    st->snap = next;
    st->have_snap = true;
    st->snap_at = time(NULL);
    st->has_status = false;
    return REFRESH_OK;
}

/* ---- drawing ---- */

/* One frame to stdout: on the terminal (`screen`) in place, from the top left, without the last
 * newline (which would scroll a full screen); elsewhere after a blank line from the previous. */
static void draw(const top_cli *c, const top_state *st, bool screen, bool color, bool first)
{
    int cols = 0, rows = 0;
    top_term_size(&cols, &rows);
    top_view_opts o = {.width = cols,
                       .height = screen ? rows : 0,
                       .color = color,
                       .sort = c->sort,
                       .status = st->has_status ? st->status : NULL};
    top_text t = {0};
    top_view_render(st->have_snap ? &st->snap : NULL, &o, &t);
    if (screen) {
        fputs("\x1b[H\x1b[2J", stdout);
        if (t.len && t.buf[t.len - 1] == '\n')
            t.len--;
    } else if (!first) {
        fputs("\n", stdout);
    }
    if (t.oom)
        fputs("steady-top: out of memory drawing the frame\n", stdout);
    else if (t.len)
        fwrite(t.buf, 1, t.len, stdout);
    fflush(stdout);
    top_text_free(&t);
}

/* ---- the two ways to run ---- */

static int run_once(const top_cli *c, top_fetch *f, const char *shown)
{
    top_state st = {0};
    char err[1024];
    int rc = 0;
    if (refresh(f, shown, &st, err, sizeof err) == REFRESH_OK)
        draw(c, &st, false, false, true);
    else
        rc = 1, fprintf(stderr, "steady-top: %s\n", err);
    top_snapshot_free(&st.snap);
    return rc;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits out the interval, redrawing on a resize or a sort key. False when told to quit. */
static bool wait_interval(top_cli *c, const top_state *st, bool screen, bool color)
{
    long deadline = now_ms() + c->interval_ms;
    for (;;) {
        int key = 0;
        long left = deadline - now_ms();
        top_event ev = top_term_wait(left > 0 ? left : 0, &key);
        if (ev == TOP_EVENT_QUIT)
            return false;
        if (ev == TOP_EVENT_TIMEOUT)
            return true;
        if (ev == TOP_EVENT_KEY && key != 's')
            continue;
        if (ev == TOP_EVENT_KEY)
            c->sort = (top_sort)((c->sort + 1) % 3);
        if (screen)
            draw(c, st, screen, color, false);
    }
}

static int run_loop(top_cli *c, top_fetch *f, const char *shown, bool screen, bool color)
{
    top_state st = {0};
    char err[1024];
    int rc = 0;
    if (screen) {
        setvbuf(stdout, NULL, _IOFBF, 1 << 18); /* one write per frame: no flicker */
        top_term_take(true, true);
    }
    for (long done = 0;;) {
        refresh_result r = refresh(f, shown, &st, err, sizeof err);
        if (r == REFRESH_FATAL) {
            rc = 1;
            break;
        }
        if (top_term_interrupted())
            break;
        draw(c, &st, screen, color, done == 0);
        if ((c->count && ++done >= c->count) || !wait_interval(c, &st, screen, color))
            break;
    }
    fflush(stdout);
    top_term_restore();
    if (rc)
        fprintf(stderr, "steady-top: %s\n", err);
    top_snapshot_free(&st.snap);
    return rc;
}

/* ---- replaying a history file ---- */

/* Shows frame i of h: parsed into st, with a status line saying where the replay is. */
static bool show_frame(const top_cli *c, const top_history *h, size_t i, bool paused, top_state *st,
                       char *err, size_t errlen)
{
    top_snapshot next;
    char why[512];
    if (top_snapshot_parse(h->line[i], h->len[i], &next, why, sizeof why) != TOP_PARSE_OK) {
        top_snapshot_free(&next);
        snprintf(err, errlen, "%s: frame %zu: %s", c->url, i + 1, why);
        return false;
    }
    top_snapshot_free(&st->snap);
    st->snap = next;
    st->have_snap = true;
    snprintf(st->status, sizeof st->status, "Replay of %s: frame %zu of %zu (seq %llu) at %gx%s",
             c->url, i + 1, h->n, (unsigned long long)h->seq[i], c->speed,
             paused          ? " — paused (space plays)"
             : i + 1 == h->n ? " — end of the recording"
                             : "");
    st->has_status = true;
    return true;
}

/* The next frame to show after a key (or the timer: key 0); *paused and c->speed may change.
 * h->n means quit. */
static size_t replay_step(top_cli *c, const top_history *h, size_t i, int key, bool *paused)
{
    switch (key) {
    case 0: return i + 1 < h->n ? i + 1 : i;
    case ' ': *paused = !*paused; return i;
    case 'n': *paused = true; return i + 1 < h->n ? i + 1 : i;
    case 'p': *paused = true; return i ? i - 1 : 0;
    case ']': return top_history_seek(h, i, 10);
    case '[': return top_history_seek(h, i, -10);
    case '+': c->speed = c->speed * 2 > 1000 ? 1000 : c->speed * 2; return i;
    case '-': c->speed = c->speed / 2 < 0.01 ? 0.01 : c->speed / 2; return i;
    case 's': c->sort = (top_sort)((c->sort + 1) % 3); return i;
    }
    return i;
}

static int replay_loop(top_cli *c, const top_history *h, size_t i, top_state *st)
{
    const char *no_color = getenv("NO_COLOR");
    bool screen = isatty(STDOUT_FILENO) == 1;
    bool color = screen && !c->no_color && !(no_color && *no_color), paused = false;
    char err[1024];
    if (screen) {
        setvbuf(stdout, NULL, _IOFBF, 1 << 18);
        top_term_take(true, true);
    }
    int rc = 0;
    for (long done = 0;;) {
        if (!show_frame(c, h, i, paused, st, err, sizeof err)) {
            rc = 1;
            break;
        }
        draw(c, st, screen, color, done == 0);
        bool at_end = i + 1 == h->n;
        if ((c->count && ++done >= c->count) || (at_end && !screen))
            break;
        int key = 0;
        top_event ev =
            top_term_wait(paused || at_end ? 3600000 : top_history_gap_ms(h, i, c->speed), &key);
        if (ev == TOP_EVENT_QUIT || top_term_interrupted())
            break;
        i = replay_step(c, h, i, ev == TOP_EVENT_KEY ? key : 0, &paused);
    }
    fflush(stdout);
    top_term_restore();
    if (rc)
        fprintf(stderr, "steady-top: %s\n", err);
    return rc;
}

static int run_replay(top_cli *c)
{
    top_history h;
    char err[1024];
    if (!top_history_load(c->url, &h, err, sizeof err)) {
        fprintf(stderr, "steady-top: %s\n", err);
        return 1;
    }
    size_t i = c->at ? top_history_find(&h, c->at) : 0;
    int rc = 0;
    top_state st = {0};
    if (i == h.n || (c->at && h.seq[i] != c->at)) {
        fprintf(stderr, "steady-top: %s holds no frame %llu (its frames are %llu to %llu)\n",
                c->url, (unsigned long long)c->at, (unsigned long long)h.seq[0],
                (unsigned long long)h.seq[h.n - 1]);
        rc = 1;
    } else if (c->once) {
        rc = show_frame(c, &h, i, false, &st, err, sizeof err) ? 0 : 1;
        if (rc == 0)
            draw(c, &st, false, false, true);
        else
            fprintf(stderr, "steady-top: %s\n", err);
    } else {
        if (!top_term_signals())
            fprintf(stderr, "steady-top: cannot catch signals (%s)\n", strerror(errno));
        rc = replay_loop(c, &h, i, &st);
    }
    top_snapshot_free(&st.snap);
    top_history_free(&h);
    return rc;
}

int main(int argc, char **argv)
{
    top_cli c;
    int rc = parse_cli(argc, argv, &c);
    if (rc >= 0)
        return rc;
    if (c.replay)
        return run_replay(&c);
    char err[1024], *url = NULL, *shown = NULL;
    if (!top_url_normalize(c.url, &url, &shown, err, sizeof err))
        return usage_error("%s", err);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "steady-top: libcurl could not start\n");
        return 1;
    }
    if (!c.once && !top_term_signals())
        fprintf(stderr, "steady-top: cannot catch signals (%s); Ctrl-C ends without cleanup\n",
                strerror(errno));
    top_fetch_opts fo = {url, c.user, c.cacert, c.timeout_ms, c.once ? NULL : top_term_interrupted};
    top_fetch *f = top_fetch_new(&fo, err, sizeof err);
    if (!f) {
        fprintf(stderr, "steady-top: %s\n", err);
        rc = 1;
    } else if (c.once) {
        rc = run_once(&c, f, shown);
    } else {
        const char *no_color = getenv("NO_COLOR");
        bool screen = isatty(STDOUT_FILENO) == 1;
        bool color = screen && !c.no_color && !(no_color && *no_color);
        rc = run_loop(&c, f, shown, screen, color);
    }
    top_fetch_free(f);
    curl_global_cleanup();
    free(url), free(shown);
    return rc;
}
