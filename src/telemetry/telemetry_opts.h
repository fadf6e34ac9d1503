/* telemetry/telemetry_opts.h — steady_telemetry_opts checked, completed with the defaults and
 * the environment (STEADY_TELEMETRY_ADDR, STEADY_TELEMETRY_PORT), and deep-copied, so the
 * caller's strings and arrays need not outlive steady_telemetry_start.
 * Main's thread (start/stop). Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_OPTS_H
#define STEADY_TELEMETRY_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "steady/telemetry.h"

#define TM_DEFAULT_PORT 9900
#define TM_MIN_FRAME_MS 10u
#define TM_MAX_FRAME_MS 60000u
#define TM_MAX_WINDOW_MS (24u * 3600u * 1000u)

typedef struct tm_opts {
    char *addr;
    int port;       /* -1: no server */
    bool port_walk; /* the default port: walk to the next free one */
    char **allowed_hosts;
    size_t n_allowed_hosts;
    char *tls_cert_path, *tls_key_path, *basic_user, *basic_password;
    uint32_t frame_ms, refresh_ms, window_ms;
    char **hidden; /* NULL-terminated */
    steady_trigger *triggers;
    size_t n_triggers;
    char *dot_path;
    bool quiet;
    char *history_path; /* NULL: none */
    uint64_t history_max_bytes;
    bool dot_failed; /* the DOT file could not be written (logged once) */
} tm_opts;

/* Fills *o from in (NULL: defaults). STEADY_EINVAL with a detail naming the option and the fix,
 * or STEADY_ENOMEM; *o is then freed already. */
steady_err tm_opts_resolve(tm_opts *o, const steady_telemetry_opts *in);
void tm_opts_free(tm_opts *o);

#endif
