/* The history file (history_path): every frame served is recorded, byte for byte, in order;
 * the file is a gzip stream of JSON lines that stays within its bound by rotating; a torn tail
 * loses only its last frame; bad paths are refused naming the option. curl fetches the served
 * frames (skipped without it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "steady_test_support.h"
#include "telemetry/history.h"
#include <steady/telemetry.h>

/* ---- a working graph: source -> sink, a few thousand messages a second ---- */

typedef struct {
    u64ch_tx out;
    u64ch_rx in;
} ends;

static int source(steady_actor *a, void *arg)
{
    ends *e = arg;
    uint64_t v = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(e->out)))) {
        for (int i = 0; i < 16; i++)
            if (u64ch_tx_try_send(e->out, v) == STEADY_OK)
                v++;
        steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(2)));
    }
    return 0;
}

static int sink(steady_actor *a, void *arg)
{
    ends *e = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(e->in))))
        if (steady_wait_avail(a, e->in, 1) == STEADY_READY)
            while (u64ch_rx_try_take(e->in, &v) == STEADY_OK)
                ;
    return 0;
}

static steady_graph *working_graph(ends *e)
{
    steady_graph *g = new_graph("recorded");
    assert_int_equal(u64ch_new(g, "a", 256, &e->out, &e->in), STEADY_OK);
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){
                             .name = "source", .run = source, .arg = e, .txs = STEADY_TXS(e->out)},
                         NULL),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "sink", .run = sink, .arg = e, .rxs = STEADY_RXS(e->in)},
            NULL),
        STEADY_OK);
    return g;
}

/* ---- reading a history file ---- */

typedef struct {
    char **line;
    size_t n;
} lines;

/* Every complete line of the gzip stream at path (a torn tail is not a line). */
static lines read_history(const char *path)
{
    lines l = {0};
    gzFile f = gzopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while (gzgets(f, buf, (int)cap)) {
        size_t n = strlen(buf);
        if (n == 0 || buf[n - 1] != '\n')
            break; /* torn: the writer died inside this frame */
        buf[n - 1] = '\0';
        assert_non_null(l.line = realloc(l.line, (l.n + 1) * sizeof *l.line));
        assert_non_null(l.line[l.n++] = strdup(buf));
    }
    free(buf);
    gzclose(f);
    return l;
}

static void free_lines(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
}

static uint64_t seq_of(const char *json)
{
    const char *s = strstr(json, "\"seq\":");
    assert_non_null(s);
    return strtoull(s + 6, NULL, 10);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Fetches url into a malloc'd string with curl (NULL when curl failed). */
static char *fetch(const char *url)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "curl -sS --max-time 5 %s", url);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    if (pclose(p) != 0 || n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

static steady_telemetry *start(steady_graph *g, const char *path, uint64_t max, uint32_t frame)
{
    setenv("STEADY_TELEMETRY_PORT", "0", 1);
    steady_telemetry *t = NULL;
    steady_telemetry_opts o = {.frame_ms = frame,
                               .refresh_ms = 100,
                               .window_ms = 1000,
                               .dot_path = "",
                               .quiet = true,
                               .history_path = path,
                               .history_max_bytes = max};
    assert_int_equal(steady_telemetry_start(g, &o, &t), STEADY_OK);
    return t;
}

static void stop(steady_graph *g, steady_telemetry *t)
{
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(steady_telemetry_stop(t), STEADY_OK);
    steady_graph_free(g);
}

/* ---- cases ---- */

static void every_frame_served_is_recorded_in_order(void **state)
{
    (void)state;
    char path[] = "/tmp/steady-history-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ends e;
    steady_graph *g = working_graph(&e);
    steady_telemetry *t = start(g, path, 0, 20);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    char url[128];
    assert_true(steady_telemetry_url(t, url, sizeof url - 16) > 0);
    strcat(url, "snapshot.json");
    char *served[6] = {0};
    bool curl = system("command -v curl >/dev/null 2>&1") == 0;
    for (int i = 0; i < 6; i++) {
        sleep_ms(250);
        served[i] = curl ? fetch(url) : NULL;
    }
    uint64_t frames = steady_telemetry_frames(t);
    stop(g, t); /* renders and records a last frame */
    lines l = read_history(path);
    assert_true(l.n >= frames);
    for (size_t i = 0; i < l.n; i++)
        assert_int_equal(seq_of(l.line[i]), i + 1); /* every frame, in order */
    for (int i = 0; i < 6; i++) {
        if (!served[i])
            continue;
        char *end = strchr(served[i], '\n');
        assert_non_null(end); /* the snapshot is one line */
        assert_null(end[1] ? end : NULL);
        *end = '\0';
        uint64_t s = seq_of(served[i]);
        assert_true(s >= 1 && s <= l.n);
        assert_string_equal(l.line[s - 1], served[i]); /* byte for byte */
        free(served[i]);
    }
    /* 2 actors + 1 channel per frame */
    double per = (double)file_size(path) / (double)l.n / 3.0;
    print_message("%zu frames, %" PRIu64 " bytes: %.1f bytes per actor or channel per frame\n", l.n,
                  file_size(path), per);
    assert_true(per <= 64);
    free_lines(&l);
    unlink(path);
}

static void the_history_rotates_within_its_bound(void **state)
{
    (void)state;
    char path[] = "/tmp/steady-history-XXXXXX", older[64];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(older, sizeof older, "%s.1", path);
    ends e;
    steady_graph *g = working_graph(&e);
    steady_telemetry *t = start(g, path, 64 * 1024, 10);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (file_size(older) == 0 && ms_since(t0) < 30000)
        sleep_ms(50);
    sleep_ms(300);
    stop(g, t);
    assert_true(file_size(older) > 0);
    print_message("rotated: %s.1 %" PRIu64 " bytes, %s %" PRIu64 " bytes\n", path, file_size(older),
                  path, file_size(path));
    assert_true(file_size(older) + file_size(path) <= 64 * 1024 + 4096); /* + one frame */
    lines a = read_history(older), b = read_history(path);
    assert_true(a.n > 0 && b.n > 0);
    for (size_t i = 1; i < a.n; i++)
        assert_int_equal(seq_of(a.line[i]), seq_of(a.line[0]) + i);
    for (size_t i = 1; i < b.n; i++)
        assert_int_equal(seq_of(b.line[i]), seq_of(b.line[0]) + i);
    assert_true(seq_of(b.line[0]) > seq_of(a.line[a.n - 1])); /* the older half first */
    free_lines(&a);
    free_lines(&b);
    unlink(path);
    unlink(older);
}

static void a_torn_tail_loses_only_its_last_frame(void **state)
{
    (void)state;
    char path[] = "/tmp/steady-history-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tm_history *h = tm_history_open(path, 0, NULL, 0);
    assert_non_null(h);
    char doc[128];
    for (int i = 1; i <= 50; i++) {
        int n = snprintf(doc, sizeof doc, "{\"v\":1,\"seq\":%d,\"pad\":\"%0*d\"}", i, 40, i);
        assert_int_equal(tm_history_write(h, doc, (size_t)n), 0);
    }
    uint64_t whole = tm_history_bytes(h);
    assert_true(whole > 0);
    /* the process dies here: no gzclose, and the last bytes never reached the disk */
    assert_int_equal(truncate(path, (off_t)whole - 3), 0);
    lines l = read_history(path);
    assert_true(l.n >= 48 && l.n <= 50);
    for (size_t i = 0; i < l.n; i++)
        assert_int_equal(seq_of(l.line[i]), i + 1);
    free_lines(&l);
    tm_history_close(h);
    unlink(path);
}

static void bad_paths_and_arguments_are_refused(void **state)
{
    (void)state;
    ends e;
    steady_graph *g = working_graph(&e);
    steady_telemetry *t = (steady_telemetry *)&t;
    steady_telemetry_opts o = {
        .port = -1, .dot_path = "", .quiet = true, .history_path = "/nonexistent-dir/history.gz"};
    assert_int_equal(steady_telemetry_start(g, &o, &t), STEADY_ESYS);
    assert_null(t);
    assert_last_error_mentions("/nonexistent-dir/history.gz", "history_path", NULL);
    steady_graph_free(g);
    char err[256];
    assert_null(tm_history_open(NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "history_path"));
    assert_null(tm_history_open("", 0, err, sizeof err));
    assert_int_equal(tm_history_write(NULL, "x", 1), -EBADF);
    assert_int_equal(tm_history_bytes(NULL), 0);
    tm_history_close(NULL);
    char path[] = "/tmp/steady-history-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    tm_history *h = tm_history_open(path, UINT64_MAX, NULL, 0); /* huge bound: fine */
    assert_non_null(h);
    assert_int_equal(tm_history_write(h, NULL, 1), -EINVAL);
    assert_int_equal(tm_history_write(h, "x", SIZE_MAX), -EINVAL);
    assert_int_equal(tm_history_write(h, "", 0), 0); /* an empty line is still a line */
    tm_history_close(h);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_frame_served_is_recorded_in_order),
        cmocka_unit_test(the_history_rotates_within_its_bound),
        cmocka_unit_test(a_torn_tail_loses_only_its_last_frame),
        cmocka_unit_test(bad_paths_and_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
