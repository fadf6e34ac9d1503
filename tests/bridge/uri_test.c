/* uri_test.c — steady/bridge_uri.h: every form of each transport parses into its fields, the
 * defaults are the schemes', and each kind of malformation is refused naming the part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <steady/bridge_uri.h>

static steady_uri parse_ok(const char *text)
{
    steady_uri u;
    if (steady_uri_parse(text, &u) != STEADY_OK)
        fail_msg("'%s' refused: %s", text, steady_last_error());
    return u;
}

static void refused(const char *text, const char *detail)
{
    steady_uri u;
    memset(&u, 0x5a, sizeof u);
    if (steady_uri_parse(text, &u) != STEADY_EINVAL)
        fail_msg("'%s' was accepted", text);
    if (!strstr(steady_last_error(), detail))
        fail_msg("'%s': detail '%s' lacks '%s'", text, steady_last_error(), detail);
    assert_int_equal(u.transport, 0); /* zeroed */
    assert_string_equal(u.host, "");
}

static void each_transport_parses_with_its_defaults(void **state)
{
    (void)state;
    steady_uri u = parse_ok("shm:/lesson03");
    assert_int_equal(u.transport, STEADY_TRANSPORT_SHM);
    assert_string_equal(u.subject, "/lesson03");
    assert_int_equal(u.port, 0);
    u = parse_ok("nats://127.0.0.1/readings");
    assert_int_equal(u.transport, STEADY_TRANSPORT_NATS);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 4222);
    assert_string_equal(u.subject, "readings");
    assert_int_equal(u.qos, -1);
    assert_false(u.tls);
    u = parse_ok("nats+js://nats.example.com:4333/ORDERS/orders.new?durable=billing");
    assert_int_equal(u.transport, STEADY_TRANSPORT_NATS_JS);
    assert_int_equal(u.port, 4333);
    assert_string_equal(u.stream, "ORDERS");
    assert_string_equal(u.subject, "orders.new");
    assert_string_equal(u.durable, "billing");
    assert_int_equal(u.replicas, 1);
    u = parse_ok("nats+js://h/S/x?replicas=3&durable=d");
    assert_int_equal(u.replicas, 3);
    assert_string_equal(u.durable, "d");
    assert_int_equal(parse_ok("nats://h/x").replicas, 0);
    u = parse_ok("mqtt://broker/sensors/room1");
    assert_int_equal(u.transport, STEADY_TRANSPORT_MQTT);
    assert_int_equal(u.port, 1883);
    assert_int_equal(u.qos, 1);
    assert_string_equal(u.subject, "sensors/room1");
    u = parse_ok("mqtts://broker:9999/a?qos=2");
    assert_true(u.tls);
    assert_int_equal(u.port, 9999);
    assert_int_equal(u.qos, 2);
    assert_int_equal(parse_ok("mqtts://broker/a").port, 8883);
    u = parse_ok("mqtt://h/a/b?session=plant-7.sub_1&qos=0");
    assert_string_equal(u.durable, "plant-7.sub_1"); /* the persistent session's client id */
    assert_int_equal(u.qos, 0);
    assert_string_equal(parse_ok("mqtt://h/a").durable, "");
    u = parse_ok("nats+tls://[::1]:4223/x.y?queue=workers");
    assert_true(u.tls);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 4223);
    assert_string_equal(u.queue, "workers");
    assert_true(parse_ok("nats+js+tls://h/S/s").tls);
}

static void credentials_are_decoded_and_wildcards_noted(void **state)
{
    (void)state;
    steady_uri u = parse_ok("nats://svc%40corp:p%3Ass%2Fw@10.0.0.1:4222/a.*.c");
    assert_string_equal(u.user, "svc@corp");
    assert_string_equal(u.password, "p:ss/w");
    assert_true(u.wildcard);
    u = parse_ok("mqtt://me@h/home/+/temp");
    assert_string_equal(u.user, "me");
    assert_string_equal(u.password, "");
    assert_true(u.wildcard);
    assert_true(parse_ok("mqtt://h/home/#").wildcard);
    assert_true(parse_ok("nats://h/orders.>").wildcard);
    assert_false(parse_ok("nats://h/orders.new").wildcard);
}

static void malformed_uris_are_refused_naming_the_part(void **state)
{
    (void)state;
    refused("", "unknown scheme");
    refused("http://h/x", "unknown scheme; the forms are shm:/NAME");
    refused("nats:h/x", "expected '//' after the scheme");
    refused("nats://h", "no path after the host");
    refused("nats://h?queue=q/x", "no path after the host");
    refused("nats:///x", "the host is empty");
    refused("nats://h_1/x", "the host has a character");
    refused("nats://h:0/x", "the port must be a number from 1 to 65535");
    refused("nats://h:65536/x", "the port must be a number");
    refused("nats://h:42a/x", "the port must be a number");
    refused("nats://[::1/x", "closing ']'");
    refused("nats://[::1]x/y", "only ':PORT' may follow");
    refused("nats://@h/x", "the user before '@' is empty");
    refused("nats://u%4@h/x", "bad %XX escape");
    refused("nats://u%00@h/x", "bad %XX escape");
    refused("nats://h/", "the subject is empty");
    refused("nats://h/a..b", "empty token");
    refused("nats://h/a.b.", "empty token");
    refused("nats://h/a b", "a space");
    refused("nats://h/a/b", "a NATS subject has no '/'");
    refused("nats://h/a*.b", "a wildcard must be a whole token");
    refused("nats://h/>.b", "a wildcard must be a whole token");
    refused("nats+js://h/onlyone", "nats+js takes STREAM/SUBJECT");
    refused("nats+js://h/OR.DERS/x", "the stream name has a character");
    refused("mqtt://h/", "the topic is empty");
    refused("mqtt://h/a/#/b", "a wildcard must be a whole level");
    refused("mqtt://h/a?qos=3", "qos must be 0, 1 or 2");
    refused("nats://h/a?qos=1", "qos is an MQTT parameter");
    refused("mqtt://h/a?queue=w", "queue= (a queue group) is a core NATS parameter");
    refused("nats://h/a?durable=d", "durable= (a durable consumer) is a JetStream");
    refused("nats://h/a?colour=red", "unknown query parameter");
    refused("nats+js://h/S/a?session=s", "session= (a persistent MQTT session) is an MQTT");
    refused("mqtt://h/a?session=a/b", "the session name has a character");
    refused("mqtt://h/a?session=a%20b", "the session name has a character");
    refused("nats://h/a?replicas=3", "replicas= (copies of a stream) is a JetStream");
    refused("nats+js://h/S/a?replicas=0", "replicas must be 1 to 5");
    refused("nats+js://h/S/a?replicas=6", "replicas must be 1 to 5");
    refused("nats+js://h/S/a?replicas=33", "replicas must be 1 to 5");
    refused("nats://h/a?queue", "KEY=VALUE");
    refused("nats://h/a?", "the query after '?' is empty");
    refused("nats://h/a?queue=w&", "the query ends with '&'");
    refused("shm:lesson03", "shm takes shm:/NAME");
    refused("shm:/a/b", "shm takes shm:/NAME");
    refused("shm:/..", "shm takes shm:/NAME");
    char longhost[400] = "nats://";
    memset(longhost + 7, 'a', 300);
    strcpy(longhost + 307, "/x");
    refused(longhost, "the host is too long");
    steady_uri u;
    assert_int_equal(steady_uri_parse(NULL, &u), STEADY_EINVAL);
    assert_int_equal(steady_uri_parse("shm:/x", NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "must not be NULL"));
}

static void transport_names_are_the_schemes(void **state)
{
    (void)state;
    assert_string_equal(steady_transport_name(STEADY_TRANSPORT_SHM), "shm");
    assert_string_equal(steady_transport_name(STEADY_TRANSPORT_NATS), "nats");
    assert_string_equal(steady_transport_name(STEADY_TRANSPORT_NATS_JS), "nats+js");
    assert_string_equal(steady_transport_name(STEADY_TRANSPORT_MQTT), "mqtt");
    assert_string_equal(steady_transport_name((steady_transport)0), "?");
    assert_string_equal(steady_transport_name((steady_transport)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_transport_parses_with_its_defaults),
        cmocka_unit_test(credentials_are_decoded_and_wildcards_noted),
        cmocka_unit_test(malformed_uris_are_refused_naming_the_part),
        cmocka_unit_test(transport_names_are_the_schemes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
