/*
 * api_misuse_test.c: every public function of include/steady/, given bad input — NULL for each
 * pointer, zero, huge values, another owner's object (another actor's end, an end used from a
 * thread outside the graph), the wrong lifecycle state, a second call — gets its documented
 * error with a detail naming the problem and the fix, or, inside a running actor, fails that
 * actor with such a reason. Nothing crashes, nothing aborts (docs/reference/error.md).
 *
 * The table has one row per exported symbol, public inline function and macro that takes
 * arguments (api_misuse.h). `api_misuse --list` prints the row names, one per line, for
 * api_symbols_test.sh, which fails when an exported symbol has no row or a row names nothing.
 * `api_misuse <pattern>` runs the matching rows only (a cmocka filter).
 */
#include "api_misuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- expectations --------------------------------------------------------------------------- */

void expect_err_at(const char *file, int line, const char *call, int got, int want,
                   const char *frag)
{
    if (got != want)
        fail_msg("%s:%d: %s returned %s, expected %s (detail: %s)", file, line, call,
                 steady_strerror((steady_err)got), steady_strerror((steady_err)want),
                 steady_last_error());
    if (frag)
        expect_text_at(file, line, call, steady_last_error(), frag);
}

void expect_text_at(const char *file, int line, const char *what, const char *text,
                    const char *frag)
{
    if (!text || !strstr(text, frag))
        fail_msg("%s:%d: %s: \"%s\" lacks \"%s\"", file, line, what, text ? text : "(null)", frag);
}

/* ---- the fixture ---------------------------------------------------------------------------- */

static int idle_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int probe_run(steady_actor *a, void *arg)
{
    fx *f = arg;
    if (!f->body)
        return idle_run(a, arg);
    const char *note = f->body(a, f);
    snprintf(f->note, sizeof f->note, "%s", note ? note : "(returned)");
    steady_actor_request_shutdown(a);
    return 0;
}

void fx_make(fx *f, body_fn body)
{
    memset(f, 0, sizeof *f);
    f->body = body;
    f->g = new_graph_no_restart("misuse");
    assert_int_equal(u64ch_new(f->g, "mine", 4, &f->tx, &f->rx), STEADY_OK);
    assert_int_equal(u64ch_new(f->g, "theirs", 4, &f->otx, &f->orx), STEADY_OK);
    steady_channel_opts lanes = {.name = "lanes", .capacity = 4, .elem_size = sizeof(uint64_t)};
    assert_int_equal(steady_bundle_new(f->g, &lanes, 2, &f->txb, &f->rxb), STEADY_OK);
    steady_actor_opts p = {.name = "probe",
                           .run = probe_run,
                           .arg = f,
                           .txs = STEADY_TXS(f->tx),
                           .rxs = STEADY_RXS(f->rx),
                           .tx_bundles = (steady_tx_bundle *const[]){f->txb, NULL},
                           .rx_bundles = (steady_rx_bundle *const[]){f->rxb, NULL}};
    steady_actor_opts o = {
        .name = "other", .run = idle_run, .txs = STEADY_TXS(f->otx), .rxs = STEADY_RXS(f->orx)};
    assert_int_equal(steady_actor_spawn(f->g, &p, &f->probe), STEADY_OK);
    assert_int_equal(steady_actor_spawn(f->g, &o, &f->other), STEADY_OK);
}

void fx_start(fx *f)
{
    assert_int_equal(steady_graph_start(f->g), STEADY_OK);
}

steady_err fx_stop(fx *f)
{
    steady_graph_request_shutdown(f->g);
    return steady_graph_block_until_stopped(f->g, 10000);
}

const char *in_actor(body_fn body)
{
    static char out[512];
    fx f;
    fx_make(&f, body);
    fx_start(&f);
    /* The probe asks for the stop once its body is done (a failure shuts the graph down): asking
     * here could let the other actor end before the body runs. */
    steady_err e = steady_graph_block_until_stopped(f.g, 10000);
    bool failed = steady_actor_failures(f.probe) > 0;
    snprintf(out, sizeof out, "%s", failed ? steady_actor_last_failure(f.probe) : f.note);
    steady_graph_free(f.g);
    /* A failure stops the probe for good: the stop says so. Anything else is not this test's. */
    if (e != (failed ? STEADY_EDEGRADED : STEADY_OK))
        fail_msg("the fixture stopped with %s after \"%s\"", steady_strerror(e), out);
    return out;
}

int in_child(void (*fn)(void), char *err, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fds[0], err + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- one operation on an end ---------------------------------------------------------------- */

static end_call cur_call; /* the operation the bodies below make */

static const char *on_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    cur_call(NULL);
    return "went on";
}
static const char *on_other_kind_tx(steady_actor *a, fx *f)
{
    (void)a;
    cur_call(f->rx.raw); /* a receiving end where a sending end belongs */
    return "went on";
}
static const char *on_other_kind_rx(steady_actor *a, fx *f)
{
    (void)a;
    cur_call(f->tx.raw);
    return "went on";
}
static const char *on_foreign_tx(steady_actor *a, fx *f)
{
    (void)a;
    cur_call(f->otx.raw);
    return "went on";
}
static const char *on_foreign_rx(steady_actor *a, fx *f)
{
    (void)a;
    cur_call(f->orx.raw);
    return "went on";
}
static const char *on_closed_tx(steady_actor *a, fx *f)
{
    (void)a;
    steady_tx_close(f->tx.raw);
    cur_call(f->tx.raw);
    return "went on";
}
static const char *on_closed_rx(steady_actor *a, fx *f)
{
    (void)a;
    steady_rx_close(f->rx.raw);
    cur_call(f->rx.raw);
    return "went on";
}

#define EXPECT_REFUSED(call, frag)                                                                 \
    do {                                                                                           \
        uint64_t r_ = UINT64_MAX;                                                                  \
        EXPECT_DETAIL(r_ = (call), frag);                                                          \
        assert_int_equal(r_, 0);                                                                   \
    } while (0)

void check_end_call(const char *op, bool rx, end_call call, unsigned flags)
{
    const char *end = rx ? "receiving" : "sending", *other = rx ? "sending" : "receiving";
    char frag[3][160];
    cur_call = call;
    fx f;
    fx_make(&f, NULL);
    void *mine = rx ? (void *)f.rx.raw : (void *)f.tx.raw;
    snprintf(frag[0], sizeof frag[0], "%s on a NULL %s end", op, end);
    snprintf(frag[1], sizeof frag[1], "%s on channel 'mine': that is its %s end", op, other);
    EXPECT_REFUSED(call(NULL), frag[0]);
    EXPECT_REFUSED(call(rx ? (void *)f.tx.raw : (void *)f.rx.raw), frag[1]);
    fx_start(&f);
    snprintf(frag[2], sizeof frag[2],
             "%s on channel 'mine' (%s end) from outside its owner actor 'probe'", op, end);
    EXPECT_REFUSED(call(mine), frag[2]);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    snprintf(frag[2], sizeof frag[2], "%s on channel 'mine' after its %s end was closed", op, end);
    if (flags & AFTER_STOP)
        EXPECT_REFUSED(call(mine), frag[2]);
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(on_null), frag[0]);
    EXPECT_TEXT(in_actor(rx ? on_other_kind_rx : on_other_kind_tx), frag[1]);
    snprintf(frag[2], sizeof frag[2],
             "%s on channel 'theirs' (%s end), which belongs to actor 'other'", op, end);
    EXPECT_TEXT(in_actor(rx ? on_foreign_rx : on_foreign_tx), frag[2]);
    snprintf(frag[2], sizeof frag[2], "%s on channel 'mine' after closing its %s end", op, end);
    if (flags & AFTER_CLOSE)
        EXPECT_TEXT(in_actor(rx ? on_closed_rx : on_closed_tx), frag[2]);
}

/* ---- the table ------------------------------------------------------------------------------ */

static const struct {
    const api_row *rows;
    const size_t *n;
} parts[] = {{api_graph_rows, &api_n_graph_rows}, {api_build_rows, &api_n_build_rows},
             {api_run_rows, &api_n_run_rows},     {api_actor_rows, &api_n_actor_rows},
             {api_wait_rows, &api_n_wait_rows},   {api_stream_rows, &api_n_stream_rows},
             {api_tee_rows, &api_n_tee_rows},     {api_ipc_rows, &api_n_ipc_rows}};

static size_t n_rows(void)
{
    size_t n = 0;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
        n += *parts[p].n;
    return n;
}

static const api_row *row_at(size_t i)
{
    size_t p = 0;
    while (i >= *parts[p].n)
        i -= *parts[p++].n;
    return &parts[p].rows[i];
}

int main(int argc, char **argv)
{
    size_t n = n_rows();
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", row_at(i)->name);
        return 0;
    }
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    /* The failures this test provokes are logged at ERROR; STEADY_LOG=info shows them. */
    if (!getenv("STEADY_LOG"))
        steady_log_set_level(STEADY_LOG_OFF);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    assert_non_null(tests);
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){.name = row_at(i)->name, .test_func = row_at(i)->test};
    int failed = _cmocka_run_group_tests("api_misuse", tests, n, NULL, NULL);
    free(tests);
    return failed;
}
