/* telemetry/telemetry_opts.c — see telemetry_opts.h. */
#include "telemetry/telemetry_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steady/log.h"

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* A NULL-terminated copy of a NULL-terminated list (NULL: an empty list). */
static char **dup_list(const char *const *in, size_t *n_out, bool *oom)
{
    size_t n = 0;
    while (in && in[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = dup_or_null(in[i], oom);
    if (n_out)
        *n_out = n;
    return out;
}

static void free_list(char **l)
{
    for (size_t i = 0; l && l[i]; i++)
        free(l[i]);
    free(l);
}

void tm_opts_free(tm_opts *o)
{
    free(o->addr);
    free_list(o->allowed_hosts);
    free(o->tls_cert_path);
    free(o->tls_key_path);
    free(o->basic_user);
    free(o->basic_password);
    free_list(o->hidden);
    for (size_t i = 0; o->triggers && i < o->n_triggers; i++)
        free((char *)o->triggers[i].target);
    free(o->triggers);
    free(o->dot_path);
    free(o->history_path);
    *o = (tm_opts){0};
}

/* ---- checks ---- */

static bool known_percentile(double p)
{
    static const double ok[] = {0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (p > ok[i] - 1e-9 && p < ok[i] + 1e-9)
            return true;
    return false;
}

static steady_err check_trigger(const steady_trigger *t, size_t i)
{
    if (!t->target || !t->target[0])
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu has no target; name an actor label, a "
                                "channel name, or \"*\"",
                                i);
    if (t->metric < STEADY_METRIC_RATE || t->metric > STEADY_METRIC_LOAD)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu ('%s'): metric %d is not a "
                                "steady_metric (RATE, FILL, LATENCY, MCPU or LOAD)",
                                i, t->target, (int)t->metric);
    if (t->rule < STEADY_AVG_ABOVE || t->rule > STEADY_STDDEV_BELOW)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu ('%s'): rule %d is not a "
                                "steady_trigger_rule",
                                i, t->target, (int)t->rule);
    if (t->color < STEADY_ALERT_YELLOW || t->color > STEADY_ALERT_RED)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu ('%s'): colour %d; give "
                                "STEADY_ALERT_YELLOW, _ORANGE or _RED",
                                i, t->target, (int)t->color);
    bool pct = t->rule == STEADY_PERCENTILE_ABOVE || t->rule == STEADY_PERCENTILE_BELOW;
    if (pct && !known_percentile(t->percentile))
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu ('%s'): percentile %g; give 0.25, 0.5, "
                                "0.75, 0.9, 0.95 or 0.99",
                                i, t->target, t->percentile);
    bool sd = t->rule == STEADY_STDDEV_ABOVE || t->rule == STEADY_STDDEV_BELOW;
    if (sd && !(t->stddevs > 0 && t->stddevs <= 10))
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: trigger %zu ('%s'): %g standard deviations; give "
                                "more than 0 and at most 10",
                                i, t->target, t->stddevs);
    if (t->threshold != t->threshold)
        return steady_error_set(STEADY_EINVAL, "telemetry: trigger %zu ('%s'): threshold is NaN", i,
                                t->target);
    return STEADY_OK;
}

static steady_err check_periods(const steady_telemetry_opts *in)
{
    if (in->frame_ms && (in->frame_ms < TM_MIN_FRAME_MS || in->frame_ms > TM_MAX_FRAME_MS))
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: frame_ms %u is outside %u..%u; give a frame period "
                                "in that range (0: 100 ms)",
                                in->frame_ms, TM_MIN_FRAME_MS, TM_MAX_FRAME_MS);
    if (in->window_ms > TM_MAX_WINDOW_MS || in->refresh_ms > TM_MAX_WINDOW_MS)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: refresh_ms %u / window_ms %u: at most a day (%u ms)",
                                in->refresh_ms, in->window_ms, TM_MAX_WINDOW_MS);
    if (in->window_ms && in->refresh_ms && in->window_ms < in->refresh_ms)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: window_ms %u is shorter than refresh_ms %u; the window "
                                "must hold at least one refresh",
                                in->window_ms, in->refresh_ms);
    return STEADY_OK;
}

static steady_err check(const steady_telemetry_opts *in)
{
    steady_err e = check_periods(in);
    if (e != STEADY_OK)
        return e;
    if (in->port < -1 || in->port > 65535)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: port %d; give 1..65535, 0 for the default (9900 or "
                                "STEADY_TELEMETRY_PORT), or -1 for no server",
                                in->port);
    if (!in->tls_cert_path != !in->tls_key_path)
        return steady_error_set(STEADY_EINVAL, "telemetry: TLS needs both tls_cert_path and "
                                               "tls_key_path (PEM files)");
    if (!in->basic_user != !in->basic_password)
        return steady_error_set(STEADY_EINVAL, "telemetry: basic authentication needs both "
                                               "basic_user and basic_password");
    if (in->n_triggers && !in->triggers)
        return steady_error_set(STEADY_EINVAL, "telemetry: n_triggers %zu with triggers NULL",
                                in->n_triggers);
    for (size_t i = 0; i < in->n_triggers; i++)
        if ((e = check_trigger(&in->triggers[i], i)) != STEADY_OK)
            return e;
    return STEADY_OK;
}

/* ---- the environment ---- */

static steady_err port_from_env(tm_opts *o)
{
    const char *env = getenv("STEADY_TELEMETRY_PORT");
    if (!env || !env[0]) {
        o->port = TM_DEFAULT_PORT;
        o->port_walk = true;
        return STEADY_OK;
    }
    char *end;
    errno = 0;
    long p = strtol(env, &end, 10);
    if (errno || *end || p < 0 || p > 65535)
        return steady_error_set(STEADY_EINVAL,
                                "telemetry: STEADY_TELEMETRY_PORT='%s' is not a port; give "
                                "0..65535 (0: any free port)",
                                env);
    o->port = (int)p;
    return STEADY_OK;
}

static steady_err copy_triggers(tm_opts *o, const steady_telemetry_opts *in, bool *oom)
{
    if (!in->n_triggers)
        return STEADY_OK;
    o->triggers = calloc(in->n_triggers, sizeof *o->triggers);
    if (!o->triggers) {
        *oom = true;
        return STEADY_ENOMEM;
    }
    o->n_triggers = in->n_triggers;
    for (size_t i = 0; i < in->n_triggers; i++) {
        o->triggers[i] = in->triggers[i];
        o->triggers[i].target = dup_or_null(in->triggers[i].target, oom);
    }
    return STEADY_OK;
}

steady_err tm_opts_resolve(tm_opts *o, const steady_telemetry_opts *in)
{
    static const steady_telemetry_opts none = {0};
    if (!in)
        in = &none;
    *o = (tm_opts){0};
    steady_err e = check(in);
    if (e != STEADY_OK)
        return e;
    bool oom = false;
    const char *addr = in->addr ? in->addr : getenv("STEADY_TELEMETRY_ADDR");
    o->addr = dup_or_null(addr && addr[0] ? addr : "127.0.0.1", &oom);
    if (in->port == 0)
        e = port_from_env(o);
    else
        o->port = in->port;
    o->allowed_hosts = dup_list(in->allowed_hosts, &o->n_allowed_hosts, &oom);
    o->tls_cert_path = dup_or_null(in->tls_cert_path, &oom);
    o->tls_key_path = dup_or_null(in->tls_key_path, &oom);
    o->basic_user = dup_or_null(in->basic_user, &oom);
    o->basic_password = dup_or_null(in->basic_password, &oom);
    o->frame_ms = in->frame_ms ? in->frame_ms : 100;
    o->refresh_ms = in->refresh_ms ? in->refresh_ms : 1000;
    o->window_ms = in->window_ms ? in->window_ms : 10000;
    if (o->refresh_ms < o->frame_ms)
        o->refresh_ms = o->frame_ms;
    if (o->window_ms < o->refresh_ms)
        o->window_ms = o->refresh_ms;
    o->hidden = dup_list(in->hidden, NULL, &oom);
    copy_triggers(o, in, &oom);
    o->dot_path = dup_or_null(in->dot_path ? in->dot_path : "logs/graph.dot", &oom);
    o->quiet = in->quiet;
    o->history_path = dup_or_null(in->history_path, &oom);
    o->history_max_bytes = in->history_max_bytes ? in->history_max_bytes : (uint64_t)64 << 20;
    if (e == STEADY_OK && oom)
        e = steady_error_set(STEADY_ENOMEM, "telemetry: out of memory for its options");
    if (e == STEADY_OK && o->port >= 0 && strcmp(o->addr, "127.0.0.1") != 0 &&
        strcmp(o->addr, "::1") != 0 && !o->quiet)
        STEADY_WARN("telemetry: serving on %s, not only this machine; anyone who can reach it "
                    "sees the graph%s",
                    o->addr, o->basic_user ? " (basic authentication is on)" : "");
    if (e != STEADY_OK)
        tm_opts_free(o);
    return e;
}
