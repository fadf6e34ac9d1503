/* term.c — signals, raw keys and the screen (term.h).
 *
 * The wait, step by step:
 *   1. top_term_signals blocks SIGINT, SIGTERM and SIGWINCH for good, then installs handlers;
 *   2. top_term_wait checks the flags, then sleeps in ppoll with the mask from before step 1,
 *      which unblocks the three signals atomically with the sleep: a signal sent after the check
 *      is delivered inside ppoll (EINTR), never lost between the check and the sleep;
 *   3. the handler only sets its flag; ppoll returns and the flags are read again.
 */
#define _GNU_SOURCE /* ppoll */
#include "term.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Written by the handlers, read by the loop on the same thread: volatile sig_atomic_t is the one
 * type C11 (7.14.1.1) lets a handler write; not used for synchronisation between threads. */
static volatile sig_atomic_t got_quit, got_winch;

static sigset_t old_mask; /* the mask before step 1; ppoll sleeps with it */
static bool signals_on, keys_on, screen_on, restore_registered;
static bool poll_stdin; /* keys_on, until stdin hangs up */
static struct termios saved_termios;

static void on_quit(int sig)
{
    (void)sig;
    got_quit = 1;
}

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

bool top_term_signals(void)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGWINCH);
    if (sigprocmask(SIG_BLOCK, &block, &old_mask) != 0)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit;
    bool ok = sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0;
    sa.sa_handler = on_winch;
    ok = ok && sigaction(SIGWINCH, &sa, NULL) == 0;
    signals_on = ok;
    return ok;
}

static void write_all(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w, n -= (size_t)w;
    }
}

void top_term_restore(void)
{
    if (keys_on)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    if (screen_on)
        write_all("\x1b[0m\x1b[?25h\x1b[?1049l"); /* attributes off, cursor on, main screen */
    keys_on = screen_on = false;
}

void top_term_take(bool screen, bool keys)
{
    if (!restore_registered)
        restore_registered = atexit(top_term_restore) == 0;
    if (keys && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
        struct termios raw = saved_termios;
        raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO); /* ISIG stays: Ctrl-C is SIGINT */
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        keys_on = poll_stdin = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
    }
    if (screen) {
        write_all("\x1b[?1049h\x1b[?25l"); /* alternate screen, cursor off */
        screen_on = true;
    }
}

void top_term_size(int *cols, int *rows)
{
    struct winsize ws;
    *cols = *rows = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One key from stdin; -1 when none. */
static int read_key(void)
{
    unsigned char c;
    return read(STDIN_FILENO, &c, 1) == 1 ? c : -1;
}

top_event top_term_wait(long ms, int *key)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (got_quit)
            return TOP_EVENT_QUIT;
        if (got_winch) {
            got_winch = 0;
            return TOP_EVENT_RESIZE;
        }
        long left = ms - ms_since(&t0);
        if (left <= 0)
            return TOP_EVENT_TIMEOUT;
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        struct timespec ts = {left / 1000, (left % 1000) * 1000000};
        int n = ppoll(&pfd, poll_stdin ? 1 : 0, &ts, signals_on ? &old_mask : NULL);
        if (n <= 0)
            continue; /* the timeout or a signal: checked at the top */
        int c = (pfd.revents & POLLIN) ? read_key() : -1;
        if (c == 'q' || c == 'Q' || c == 3 /* Ctrl-C without ISIG */)
            return TOP_EVENT_QUIT;
        if (c >= 0) {
            *key = c;
            return TOP_EVENT_KEY;
        }
        poll_stdin = false; /* stdin hung up or ended: keep the timer, stop reading it */
    }
}

bool top_term_interrupted(void)
{
    sigset_t pending;
    if (got_quit)
        return true;
    if (sigpending(&pending) != 0)
        return false;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}
