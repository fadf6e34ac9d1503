/* core/log.c — levelled log lines.
 *
 * Format: "[YYYY-MM-DD HH:MM:SS.uuuuuu] T[<actor or thread>] LEVEL [file.c:line] message".
 * The level is an atomic read on every call site (steady__log_enabled), so a disabled level
 * costs one load. The explicit API level wins over STEADY_LOG, which is read once. A line is
 * formatted into a stack buffer and written with one write(2) (or handed to the sink under
 * a mutex), so lines from different threads never interleave.
 */
#include "core/internal.h"

#include "platform/fdio.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static _Atomic int level = -1; /* -1: not decided yet */
static _Atomic int level_explicit;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static steady_log_sink sink_fn;
static void *sink_ctx;
/* An ISOLATED child's (or a zygote's) ring to its parent (logring.c), or NULL. Set once per
 * process, before its threads start. Its writers take forward_lock. */
static struct steady__logrings *_Atomic forward_rings;
static size_t forward_slot;
static pthread_mutex_t forward_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

const char *steady_log_level_name(steady_log_level l)
{
    return (unsigned)l <= STEADY_LOG_TRACE ? level_names[l] : "?";
}

steady_err steady_log_parse_level(const char *text, steady_log_level *out)
{
    /* Bad input is an error, never a crash (STYLE.md rule 3): out may not be NULL. */
    if (!out)
        return steady__fail(STEADY_EINVAL, "steady_log_parse_level: out must not be NULL");
    for (int i = 0; text && i <= STEADY_LOG_TRACE; i++) {
        if (strcasecmp(text, level_names[i]) == 0 ||
            (i == STEADY_LOG_WARN && strcasecmp(text, "warning") == 0)) {
            *out = (steady_log_level)i;
            return STEADY_OK;
        }
    }
    return steady__fail(STEADY_EINVAL,
                        "log level '%s' is not one of off, error, warn, info, "
                        "debug, trace",
                        text ? text : "(null)");
}

static void read_env(void)
{
    steady_log_level l = STEADY_LOG_INFO;
    const char *env = getenv("STEADY_LOG");
    if (env && *env && steady_log_parse_level(env, &l) != STEADY_OK) {
        fprintf(stderr,
                "steady: STEADY_LOG=%s is not a level (off, error, warn, info, debug, "
                "trace); using info\n",
                env);
        l = STEADY_LOG_INFO;
    }
    int expected = -1;
    /* relaxed: the level is an independent flag; a racing set_level simply wins. */
    atomic_compare_exchange_strong_explicit(&level, &expected, (int)l, memory_order_relaxed,
                                            memory_order_relaxed);
}

void steady_log_set_level(steady_log_level l)
{
    if ((unsigned)l > STEADY_LOG_TRACE) {
        steady__fail(STEADY_EINVAL,
                     "steady_log_set_level: %d is not a level; give STEADY_LOG_OFF .. "
                     "STEADY_LOG_TRACE (the level is unchanged)",
                     (int)l);
        return;
    }
    atomic_store_explicit(&level_explicit, 1, memory_order_relaxed);
    atomic_store_explicit(&level, (int)l, memory_order_relaxed);
}

steady_log_level steady_log_get_level(void)
{
    int l = atomic_load_explicit(&level, memory_order_relaxed);
    if (l < 0) {
        pthread_once(&env_once, read_env);
        l = atomic_load_explicit(&level, memory_order_relaxed);
    }
    return (steady_log_level)l;
}

int steady__log_enabled(steady_log_level l)
{
    /* OFF and values outside the enum are never logged. */
    return l != STEADY_LOG_OFF && (unsigned)l <= STEADY_LOG_TRACE &&
           (int)l <= (int)steady_log_get_level();
}

void steady_log_set_sink(steady_log_sink fn, void *ctx)
{
    pthread_mutex_lock(&sink_lock);
    sink_fn = fn;
    sink_ctx = ctx;
    pthread_mutex_unlock(&sink_lock);
}

static size_t format_prefix(char *buf, size_t cap, steady_log_level l, const char *file, int line)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    char who[64];
    steady_actor *self = steady_actor_current();
    if (self)
        snprintf(who, sizeof who, "%s", steady_actor_label(self));
    else if (pthread_getname_np(pthread_self(), who, sizeof who) != 0)
        snprintf(who, sizeof who, "?");
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    int n = snprintf(buf, cap, "[%04d-%02d-%02d %02d:%02d:%02d.%06ld] T[%s] %s [%s:%d] ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (long)tv.tv_usec, who, steady_log_level_name(l), base, line);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void steady_log_vwrite(steady_log_level l, const char *file, int line, const char *fmt, va_list ap)
{
    if (!steady__log_enabled(l))
        return;
    char buf[1024];
    size_t n = format_prefix(buf, sizeof buf, l, file ? file : "?", line);
    int m = fmt ? vsnprintf(buf + n, sizeof buf - n, fmt, ap)
                : snprintf(buf + n, sizeof buf - n, "(NULL format)");
    if (m > 0)
        n += (size_t)m < sizeof buf - n ? (size_t)m : sizeof buf - n - 1;
    /* acquire: pairs with the release in steady__log_forward_to (the slot is set before). */
    struct steady__logrings *r = atomic_load_explicit(&forward_rings, memory_order_acquire);
    if (r) {
        pthread_mutex_lock(&forward_lock);
        steady__logring_write(r, forward_slot, l, buf, n);
        pthread_mutex_unlock(&forward_lock);
        return;
    }
    steady__log_emit_line(l, buf, n);
}

void steady__log_emit_line(steady_log_level l, const char *line, size_t n)
{
    char buf[1024];
    if (n > sizeof buf - 2)
        n = sizeof buf - 2;
    memcpy(buf, line, n);
    buf[n] = '\0'; /* a sink may read its line as a C string */
    pthread_mutex_lock(&sink_lock);
    if (sink_fn) {
        sink_fn(sink_ctx, l, buf, n);
    } else {
        buf[n] = '\n';
        ssize_t w = steady__write_quiet(STDERR_FILENO, buf, n + 1);
        (void)w;
    }
    pthread_mutex_unlock(&sink_lock);
}

void steady__log_forward_to(struct steady__logrings *r, size_t slot)
{
    forward_slot = slot;
    /* release: pairs with the acquire load in steady_log_vwrite (the slot is set before). */
    atomic_store_explicit(&forward_rings, r, memory_order_release);
}

void steady__log_after_fork(void)
{
    /* Either lock may have been held by a thread that does not exist in this process. */
    pthread_mutex_init(&sink_lock, NULL);
    pthread_mutex_init(&forward_lock, NULL);
}

void steady_log_write(steady_log_level l, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    steady_log_vwrite(l, file, line, fmt, ap);
    va_end(ap);
}
