/* bridge/uri.c — transport URIs (steady/bridge_uri.h): a strict parser that names what is wrong.
 *
 * The text is read left to right in parts: scheme ":", then for shm the name, else "//", an
 * optional userinfo "@", the host (bracketed for IPv6), an optional ":port", "/" and the path,
 * and an optional "?key=value&..." query. Each part is copied into its field whole or refused:
 * nothing is truncated silently. */
#include <steady/bridge_uri.h>
#include <steady/ipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scheme {
    const char *name;
    steady_transport transport;
    bool tls;
    uint16_t port;
} scheme;

static const scheme schemes[] = {
    {"shm", STEADY_TRANSPORT_SHM, false, 0},
    {"nats", STEADY_TRANSPORT_NATS, false, 4222},
    {"nats+tls", STEADY_TRANSPORT_NATS, true, 4222},
    {"nats+js", STEADY_TRANSPORT_NATS_JS, false, 4222},
    {"nats+js+tls", STEADY_TRANSPORT_NATS_JS, true, 4222},
    {"mqtt", STEADY_TRANSPORT_MQTT, false, 1883},
    {"mqtts", STEADY_TRANSPORT_MQTT, true, 8883},
};

#define FORMS                                                                                      \
    "shm:/NAME, nats://HOST[:PORT]/SUBJECT, nats+js://HOST[:PORT]/STREAM/SUBJECT or "              \
    "mqtt://HOST[:PORT]/TOPIC[?qos=N]"

static steady_err bad(steady_uri *out, const char *text, const char *what)
{
    memset(out, 0, sizeof *out);
    return steady_error_set(STEADY_EINVAL, "transport URI '%.120s%s': %s", text,
                            strlen(text) > 120 ? "..." : "", what);
}

/* Copies [s, s+n) into dst (STEADY_URI_MAX bytes), decoding %XX when `decode`. False when it
 * does not fit or an escape is malformed. */
static bool copy_part(char *dst, const char *s, size_t n, bool decode)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (decode && c == '%') {
            char hex[3] = {0};
            if (i + 2 >= n)
                return false;
            hex[0] = s[i + 1];
            hex[1] = s[i + 2];
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end || end != hex + 2 || v == 0)
                return false;
            c = (char)v;
            i += 2;
        }
        if (k + 1 >= STEADY_URI_MAX || c == '\0')
            return false;
        dst[k++] = c;
    }
    dst[k] = '\0';
    return true;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* A NATS subject: tokens of printable characters without spaces, separated by '.'; '*' a
 * whole token, '>' the whole last token. */
static const char *check_subject(const char *s, bool *wild)
{
    size_t n = strlen(s), start = 0;
    if (n == 0)
        return "the subject is empty; give one after the host, e.g. nats://HOST/orders.new";
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == '.' || c == '\0') {
            size_t len = i - start;
            if (len == 0)
                return "the subject has an empty token (a leading, trailing or doubled '.')";
            if ((len > 1 && (memchr(s + start, '*', len) || memchr(s + start, '>', len))) ||
                (s[start] == '>' && c != '\0'))
                return "a wildcard must be a whole token ('*'), or the last one ('>')";
            *wild |= s[start] == '*' || s[start] == '>';
            start = i + 1;
            continue;
        }
        if (c <= ' ' || c > '~')
            return "the subject has a space or a control or non-ASCII character";
    }
    return NULL;
}

/* An MQTT topic: levels separated by '/'; '+' a whole level, '#' the whole last level. */
static const char *check_topic(const char *s, bool *wild)
{
    size_t n = strlen(s), start = 0;
    if (n == 0)
        return "the topic is empty; give one after the host, e.g. mqtt://HOST/sensors/room1";
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == '/' || c == '\0') {
            size_t len = i - start;
            if ((len > 1 && (memchr(s + start, '+', len) || memchr(s + start, '#', len))) ||
                (len == 1 && s[start] == '#' && c != '\0'))
                return "a wildcard must be a whole level ('+'), or the last one ('#')";
            *wild |= len == 1 && (s[start] == '+' || s[start] == '#');
            start = i + 1;
            continue;
        }
        if (c < ' ' || c > '~')
            return "the topic has a control or non-ASCII character";
    }
    return NULL;
}

/* "host", "host:port", "[v6]" or "[v6]:port" in [s, s+n). */
static const char *parse_host(const char *s, size_t n, steady_uri *u)
{
    const char *port = NULL;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close == s + 1)
            return "an IPv6 host needs its closing ']', e.g. nats://[::1]:4222/SUBJECT";
        for (const char *p = s + 1; p < close; p++)
            if (!(is_name_char(*p) || *p == ':') || *p == '_')
                return "the IPv6 host has a character that is not hex, ':' or '.'";
        if (!copy_part(u->host, s + 1, (size_t)(close - s - 1), false))
            return "the host is too long";
        if (close + 1 < s + n && close[1] != ':')
            return "after an IPv6 host's ']' only ':PORT' may follow";
        port = close + 1 < s + n ? close + 2 : NULL;
    } else {
        const char *colon = memchr(s, ':', n);
        size_t hl = colon ? (size_t)(colon - s) : n;
        if (hl == 0)
            return "the host is empty; give one, e.g. 127.0.0.1";
        for (size_t i = 0; i < hl; i++)
            if (!is_name_char(s[i]) || s[i] == '_')
                return "the host has a character that is not a letter, digit, '-' or '.'";
        if (!copy_part(u->host, s, hl, false))
            return "the host is too long";
        port = colon ? colon + 1 : NULL;
    }
    if (port) {
        size_t pl = (size_t)(s + n - port);
        unsigned long v = 0;
        if (pl == 0 || pl > 5)
            return "the port must be a number from 1 to 65535";
        for (size_t i = 0; i < pl; i++) {
            if (port[i] < '0' || port[i] > '9')
                return "the port must be a number from 1 to 65535";
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return "the port must be a number from 1 to 65535";
        u->port = (uint16_t)v;
    }
    return NULL;
}

/* "user[:password]" in [s, s+n). */
static const char *parse_userinfo(const char *s, size_t n, steady_uri *u)
{
    const char *colon = memchr(s, ':', n);
    size_t ul = colon ? (size_t)(colon - s) : n;
    if (ul == 0)
        return "the user before '@' is empty";
    if (!copy_part(u->user, s, ul, true))
        return "the user is too long or has a bad %XX escape";
    if (colon && !copy_part(u->password, colon + 1, (size_t)(s + n - colon - 1), true))
        return "the password is too long or has a bad %XX escape";
    return NULL;
}

/* One "key=value" of the query. */
static const char *parse_param(const char *s, size_t n, steady_uri *u)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s || eq == s + n - 1)
        return "a query parameter must be KEY=VALUE";
    size_t kl = (size_t)(eq - s), vl = (size_t)(s + n - eq - 1);
    const char *v = eq + 1;
    if (kl == 3 && !memcmp(s, "qos", 3)) {
        if (u->transport != STEADY_TRANSPORT_MQTT)
            return "qos is an MQTT parameter; NATS takes queue= (core) or durable= (JetStream)";
        if (vl != 1 || v[0] < '0' || v[0] > '2')
            return "qos must be 0, 1 or 2";
        u->qos = v[0] - '0';
        return NULL;
    }
    if (kl == 5 && !memcmp(s, "queue", 5)) {
        if (u->transport != STEADY_TRANSPORT_NATS)
            return "queue= (a queue group) is a core NATS parameter";
        for (size_t i = 0; i < vl; i++)
            if (!is_name_char(v[i]))
                return "the queue group has a character that is not a letter, digit, '-', '.' "
                       "or '_'";
        return copy_part(u->queue, v, vl, false) ? NULL : "the queue group is too long";
    }
    if (kl == 7 && !memcmp(s, "durable", 7)) {
        if (u->transport != STEADY_TRANSPORT_NATS_JS)
            return "durable= (a durable consumer) is a JetStream (nats+js) parameter";
        for (size_t i = 0; i < vl; i++)
            if (!is_name_char(v[i]) || v[i] == '.')
                return "the durable name has a character that is not a letter, digit, '-' or "
                       "'_'";
        return copy_part(u->durable, v, vl, false) ? NULL : "the durable name is too long";
    }
    if (kl == 7 && !memcmp(s, "session", 7)) {
        if (u->transport != STEADY_TRANSPORT_MQTT)
            return "session= (a persistent MQTT session) is an MQTT parameter";
        for (size_t i = 0; i < vl; i++)
            if (!is_name_char(v[i]))
                return "the session name has a character that is not a letter, digit, '-', '.' "
                       "or '_'";
        return copy_part(u->durable, v, vl, false) ? NULL : "the session name is too long";
    }
    if (kl == 8 && !memcmp(s, "replicas", 8)) {
        if (u->transport != STEADY_TRANSPORT_NATS_JS)
            return "replicas= (copies of a stream) is a JetStream (nats+js) parameter";
        if (vl != 1 || v[0] < '1' || v[0] > '5')
            return "replicas must be 1 to 5 (JetStream's limit; 3 survives one server lost)";
        u->replicas = v[0] - '0';
        return NULL;
    }
    return "unknown query parameter; the parameters are qos and session (mqtt), queue (nats), "
           "durable and replicas (nats+js)";
}

static const char *parse_query(const char *q, steady_uri *u)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *why = parse_param(q, n, u);
        if (why)
            return why;
        q += n + (amp ? 1 : 0);
        if (amp && !*q)
            return "the query ends with '&'";
    }
    return NULL;
}

/* The path after the host's '/': SUBJECT, STREAM/SUBJECT or TOPIC. */
static const char *parse_path(const char *s, size_t n, steady_uri *u)
{
    char path[STEADY_URI_MAX];
    if (!copy_part(path, s, n, false))
        return "the path (subject, stream or topic) is too long";
    if (u->transport == STEADY_TRANSPORT_MQTT) {
        strcpy(u->subject, path);
        return check_topic(u->subject, &u->wildcard);
    }
    if (u->transport == STEADY_TRANSPORT_NATS_JS) {
        char *slash = strchr(path, '/');
        if (!slash || slash == path)
            return "nats+js takes STREAM/SUBJECT after the host, e.g. "
                   "nats+js://HOST/ORDERS/orders.new";
        *slash = '\0';
        for (const char *p = path; *p; p++)
            if (!is_name_char(*p) || *p == '.')
                return "the stream name has a character that is not a letter, digit, '-' or '_'";
        strcpy(u->stream, path);
        strcpy(u->subject, slash + 1);
    } else {
        strcpy(u->subject, path);
    }
    if (strchr(u->subject, '/'))
        return "a NATS subject has no '/'; separate its tokens with '.'";
    return check_subject(u->subject, &u->wildcard);
}

static steady_err parse_net(const char *text, const char *rest, steady_uri *u)
{
    if (strncmp(rest, "//", 2) != 0)
        return bad(u, text, "expected '//' after the scheme; the forms are " FORMS);
    rest += 2;
    const char *slash = strchr(rest, '/'), *query = strchr(rest, '?');
    if (!slash || (query && query < slash))
        return bad(u, text, "no path after the host; the forms are " FORMS);
    const char *at = memchr(rest, '@', (size_t)(slash - rest));
    const char *why = at ? parse_userinfo(rest, (size_t)(at - rest), u) : NULL;
    const char *host = at ? at + 1 : rest;
    if (!why)
        why = parse_host(host, (size_t)(slash - host), u);
    size_t path_len = query ? (size_t)(query - slash - 1) : strlen(slash + 1);
    if (!why)
        why = parse_path(slash + 1, path_len, u);
    if (!why && query)
        why = query[1] ? parse_query(query + 1, u) : "the query after '?' is empty";
    return why ? bad(u, text, why) : STEADY_OK;
}

steady_err steady_uri_parse(const char *text, steady_uri *out)
{
    if (!text || !out) {
        if (out)
            memset(out, 0, sizeof *out);
        return steady_error_set(STEADY_EINVAL, "steady_uri_parse: text and out must not be NULL");
    }
    memset(out, 0, sizeof *out);
    const char *colon = strchr(text, ':');
    const scheme *sc = NULL;
    for (size_t i = 0; colon && i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].name) == (size_t)(colon - text) &&
            !strncmp(text, schemes[i].name, (size_t)(colon - text)))
            sc = &schemes[i];
    if (!sc)
        return bad(out, text, "unknown scheme; the forms are " FORMS);
    out->transport = sc->transport;
    out->tls = sc->tls;
    out->port = sc->port;
    out->qos = sc->transport == STEADY_TRANSPORT_MQTT ? 1 : -1;
    out->replicas = sc->transport == STEADY_TRANSPORT_NATS_JS ? 1 : 0;
    const char *rest = colon + 1;
    if (sc->transport != STEADY_TRANSPORT_SHM)
        return parse_net(text, rest, out);
    if (!steady_ipc_name_ok(rest)) /* the rule of steady/ipc.h, where the name goes */
        return bad(
            out, text,
            "shm takes shm:/NAME: one '/', then 1 to 200 of A-Z a-z 0-9 . _ - (not . or ..)");
    strcpy(out->subject, rest);
    return STEADY_OK;
}

const char *steady_transport_name(steady_transport t)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (schemes[i].transport == t && !schemes[i].tls)
            return schemes[i].name;
    return "?";
}
