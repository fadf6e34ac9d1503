/* steady/log.h — levelled logging.
 *
 * Lines go to stderr (or a sink set with steady_log_set_sink) in the form
 *   [2026-11-24 10:00:00.123456] T[worker] INFO [worker.c:42] message
 * T[...] names the actor running on the calling thread (also inside a troupe), else the
 * thread's name. The level comes from steady_log_set_level() when it was called, otherwise
 * from the STEADY_LOG environment variable (off, error, warn, info, debug, trace), otherwise
 * info. Thread-safe: a line is written whole with one write.
 */
#ifndef STEADY_LOG_H
#define STEADY_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum steady_log_level {
    STEADY_LOG_OFF = 0,
    STEADY_LOG_ERROR,
    STEADY_LOG_WARN,
    STEADY_LOG_INFO,
    STEADY_LOG_DEBUG,
    STEADY_LOG_TRACE,
} steady_log_level;

/* Sets the level; wins over STEADY_LOG from now on. Any thread. */
STEADY_API void steady_log_set_level(steady_log_level level);
STEADY_API steady_log_level steady_log_get_level(void);
/* Parses "off".."trace" (case-insensitive; "warning" too); STEADY_EINVAL for anything else. */
STEADY_API steady_err steady_log_parse_level(const char *text, steady_log_level *out);
STEADY_API const char *steady_log_level_name(steady_log_level level);

/* Receives each formatted line (without the trailing newline; line[len] is '\0', so it may be
 * read as a C string; valid only during the call). NULL restores stderr. The sink is
 * called on the logging thread, serialised by the library under a lock: it must not log
 * through steady itself (that would deadlock). */
typedef void (*steady_log_sink)(void *ctx, steady_log_level level, const char *line, size_t len);
STEADY_API void steady_log_set_sink(steady_log_sink sink, void *ctx);

STEADY_API void steady_log_write(steady_log_level level, const char *file, int line,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
STEADY_API void steady_log_vwrite(steady_log_level level, const char *file, int line,
                                  const char *fmt, va_list ap);
STEADY_API int steady__log_enabled(steady_log_level level);

#define STEADY_LOG(level, ...)                                                                     \
    do {                                                                                           \
        if (steady__log_enabled(level))                                                            \
            steady_log_write((level), __FILE__, __LINE__, __VA_ARGS__);                            \
    } while (0)
#define STEADY_ERROR(...) STEADY_LOG(STEADY_LOG_ERROR, __VA_ARGS__)
#define STEADY_WARN(...) STEADY_LOG(STEADY_LOG_WARN, __VA_ARGS__)
#define STEADY_INFO(...) STEADY_LOG(STEADY_LOG_INFO, __VA_ARGS__)
#define STEADY_DEBUG(...) STEADY_LOG(STEADY_LOG_DEBUG, __VA_ARGS__)
#define STEADY_TRACE(...) STEADY_LOG(STEADY_LOG_TRACE, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
