/* tls_test.c — bridges across machines for real: TLS and credentials. A certificate authority,
 * a server certificate (for 127.0.0.1) and a client certificate are made by the test with
 * openssl; a nats-server (JetStream on) requires TLS, verifies client certificates and checks a
 * user and password. Streams cross over nats+tls:// and nats+js+tls:// exactly; a wrong
 * password, a missing client certificate, an authority the server's certificate does not chain
 * to, and a plain connection to the TLS server never connect (a stop stays bounded). The same
 * over MQTT (mqtts://) against a mosquitto that requires TLS, client certificates and a
 * password (its password file made with mosquitto_passwd), when the MQTT bridge is built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nats_server.h"
#include "pods.h"
#include "test_ports.h"
#ifdef STEADY_TEST_MQTT
#include "mqtt_broker.h"
static mqtt_broker broker = {.quiet = true};
#endif

static nats_server server;
static char dir[64]; /* the certificates and the server's configuration */

static void path(char *dst, size_t cap, const char *file)
{
    snprintf(dst, cap, "%s/%s", dir, file);
}

static bool sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd) == 0;
}

/* A CA, then a key and a certificate signed by it for `name` (SAN: 127.0.0.1). */
static bool make_certs(void)
{
    return sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=steady-ca "
              "-keyout ca-key.pem -out ca.pem 2>/dev/null",
              dir) &&
           sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca "
              "-keyout other-key.pem -out other.pem 2>/dev/null",
              dir) &&
           sh("cd %s && for who in server client; do openssl req -newkey rsa:2048 -nodes "
              "-subj /CN=$who -keyout $who-key.pem -out $who.csr 2>/dev/null && printf "
              "'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' >$who.ext && openssl x509 -req "
              "-in $who.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile "
              "$who.ext -out $who.pem 2>/dev/null || exit 1; done",
              dir);
}

static int start_server(void **state)
{
    (void)state;
    if (!nats_server_path())
        fail_msg("nats-server is not installed; run make deps-test");
    snprintf(dir, sizeof dir, "/tmp/steady-js-tls-XXXXXX");
    if (!mkdtemp(dir) || !make_certs())
        fail_msg("cannot make the test's certificates with openssl in %s", dir);
    path(server.config, sizeof server.config, "server.conf");
    FILE *f = fopen(server.config, "w");
    fprintf(f,
            "tls {\n  cert_file: \"%s/server.pem\"\n  key_file: \"%s/server-key.pem\"\n"
            "  ca_file: \"%s/ca.pem\"\n  verify: true\n}\n"
            "authorization {\n  user: steady\n  password: \"pa ss:w@rd\"\n}\n",
            dir, dir, dir);
    fclose(f);
    path(server.store, sizeof server.store, "store");
#ifdef STEADY_TEST_MQTT
    if (!mqtt_broker_path())
        fail_msg("mosquitto is not installed; run make deps-test");
    if (!sh("mosquitto_passwd -c -b %s/mqtt.passwd steady 'pa ss:w@rd'", dir))
        fail_msg("cannot make the broker's password file with mosquitto_passwd in %s", dir);
    /* As root, mosquitto would drop to its own user, who cannot read this test's files. */
    snprintf(broker.extra, sizeof broker.extra,
             "cafile %s/ca.pem\ncertfile %s/server.pem\nkeyfile %s/server-key.pem\n"
             "require_certificate true\nallow_anonymous false\npassword_file %s/mqtt.passwd\n"
             "%s",
             dir, dir, dir, dir, geteuid() == 0 ? "user root\n" : "");
    if (!mqtt_broker_start(&broker, 0))
        fail_msg("mosquitto with TLS did not start (its configuration: %s)", broker.dir);
#endif
    return nats_server_start(&server, 0) ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    nats_server_stop(&server, false);
#ifdef STEADY_TEST_MQTT
    mqtt_broker_remove(&broker);
#endif
    sh("rm -rf '%s'", dir);
    return 0;
}

/* The options every test's bridges use: this test's CA and client certificate. */
static steady_bridge_opts tls_opts(const char *uri, char *ca, char *cert, char *key)
{
    path(ca, 256, "ca.pem");
    path(cert, 256, "client.pem");
    path(key, 256, "client-key.pem");
    return (steady_bridge_opts){.uri = uri, .tls_ca = ca, .tls_cert = cert, .tls_key = key};
}

/* A subscriber and a publisher with these options: how many values of n arrived, in order. */
static uint64_t cross(const steady_bridge_opts *in_o, const steady_bridge_opts *out_o, uint64_t n)
{
    sink k = {0};
    source s = {.n = n};
    steady_actor *in, *out;
    steady_graph *sub = subscriber_opts(in_o, &k, &in), *pub = publisher_opts(out_o, &s, &out);
    assert_int_equal(steady_graph_start(sub), STEADY_OK);
    await_ready(in);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(pub, 20000), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(sub, 20000), STEADY_OK);
    assert_int_equal(stats(out).elems, n);
    assert_int_equal(stats(in).elems, k.count); /* the sink saw what the ingress delivered */
    assert_int_equal(stats(in).gaps + stats(in).duplicates, 0);
    steady_graph_free(pub);
    steady_graph_free(sub);
    return k.out_of_order == 0 ? k.count : 0;
}

static void streams_cross_over_tls_with_credentials(void **state)
{
    (void)state;
    char core[160], js[160], ca[256], cert[256], key[256];
    snprintf(core, sizeof core, "nats+tls://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls.core",
             server.port);
    snprintf(js, sizeof js, "nats+js+tls://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/TLS/tls.js",
             server.port);
    steady_bridge_opts c = tls_opts(core, ca, cert, key);
    assert_int_equal(cross(&c, &c, 200000), 200000);
    steady_bridge_opts j = tls_opts(js, ca, cert, key);
    assert_int_equal(cross(&j, &j, 200000), 200000);
#ifdef STEADY_TEST_MQTT
    char mq[160];
    snprintf(mq, sizeof mq, "mqtts://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls/mqtt?qos=1",
             broker.port);
    steady_bridge_opts m = tls_opts(mq, ca, cert, key);
    assert_int_equal(cross(&m, &m, 200000), 200000);
#endif
}

/* An egress that can never connect: its stop is bounded and unclean, and it never said
 * connected. */
static void never_connects(const steady_bridge_opts *o)
{
    source s = {.n = 10};
    steady_actor *out;
    steady_graph *pub = publisher_opts(o, &s, &out);
    assert_int_equal(steady_graph_start(pub), STEADY_OK);
    sleep_ms(1500); /* several attempts */
    assert_false(stats(out).connected);
    steady_actor_info info[2]; /* and the egress never failed (a retry's wait once did) */
    assert_int_equal(steady_inspect_actors(pub, info, 2), 2);
    assert_int_equal(info[0].failures + info[1].failures, 0);
    uint64_t t0 = now_ns();
    assert_int_equal(steady_graph_block_until_stopped(pub, 500), STEADY_EUNCLEAN);
    assert_true(ms_since(t0) < 8000);
    steady_graph_free(pub);
}

static void wrong_credentials_and_certificates_never_connect(void **state)
{
    (void)state;
    char uri[160], ca[256], cert[256], key[256], other[256];
    snprintf(uri, sizeof uri, "nats+tls://steady:wrong@127.0.0.1:%d/tls.bad", server.port);
    steady_bridge_opts o = tls_opts(uri, ca, cert, key);
    never_connects(&o); /* the password */
    snprintf(uri, sizeof uri, "nats+tls://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls.bad",
             server.port);
    steady_bridge_opts nocert = {.uri = uri, .tls_ca = ca};
    never_connects(&nocert); /* the server verifies client certificates */
    path(other, sizeof other, "other.pem");
    steady_bridge_opts stranger = tls_opts(uri, ca, cert, key);
    stranger.tls_ca = other;
    never_connects(&stranger); /* the server's certificate does not chain to this authority */
    snprintf(uri, sizeof uri, "nats://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls.bad",
             server.port);
    steady_bridge_opts plain = {.uri = uri};
    never_connects(&plain); /* the server requires TLS */
#ifdef STEADY_TEST_MQTT
    snprintf(uri, sizeof uri, "mqtts://steady:wrong@127.0.0.1:%d/tls/bad", broker.port);
    steady_bridge_opts mo = tls_opts(uri, ca, cert, key);
    never_connects(&mo); /* the password */
    snprintf(uri, sizeof uri, "mqtts://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls/bad",
             broker.port);
    steady_bridge_opts mnocert = {.uri = uri, .tls_ca = ca};
    never_connects(&mnocert); /* the broker verifies client certificates */
    steady_bridge_opts mstranger = tls_opts(uri, ca, cert, key);
    mstranger.tls_ca = other;
    never_connects(&mstranger); /* the broker's certificate does not chain to this authority */
    snprintf(uri, sizeof uri, "mqtt://steady:pa%%20ss%%3Aw%%40rd@127.0.0.1:%d/tls/bad",
             broker.port);
    steady_bridge_opts mplain = {.uri = uri};
    never_connects(&mplain); /* the broker requires TLS */
    /* No broker on the port: over TLS each attempt ends at once ("Connection refused"), not at
     * libmosquitto's keepalive (it took about 10 s an attempt): the 4th is logged within the
     * 1.5 s never_connects gives it. */
    snprintf(uri, sizeof uri, "mqtts://127.0.0.1:%d/tls/none", test_free_port());
    steady_bridge_opts none = tls_opts(uri, ca, cert, key);
    capture_start();
    never_connects(&none); /* 1.5 s of attempts; the graph is freed when it returns */
    capture_stop();
    if (!strstr(captured, "(4 tries in a row)") || !strstr(captured, "Connection refused"))
        fail_msg("log:\n%s", captured);
#endif
}

static void tls_options_refuse_misuse(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bad");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "c", 8, &tx, &rx), STEADY_OK);
    char ca[256], cert[256], key[256];
    steady_bridge_opts o = tls_opts("nats://127.0.0.1/x", ca, cert, key);
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "which is not TLS; use the scheme nats+tls://"));
    o.uri = "mqtt://127.0.0.1/x";
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "which is not TLS; use the scheme mqtts://"));
    o.uri = "nats+js://127.0.0.1/S/x";
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "use the scheme nats+js+tls://"));
    o.uri = "nats+tls://127.0.0.1/x";
    o.tls_key = NULL;
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "go together"));
    o.tls_key = key;
    o.tls_ca = "";
    assert_int_equal(steady_bridge_egress(g, rx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "opts.tls_ca is empty"));
    o.tls_ca = "/nonexistent/ca.pem";
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "cannot read opts.tls_ca '/nonexistent/ca.pem'"));
    static char huge[4096];
    memset(huge, 'a', sizeof huge - 1);
    o.tls_ca = huge;
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &o, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "too long"));
    o.tls_ca = ca;
    assert_int_equal(steady_bridge_ingress(g, tx.raw, &o, NULL), STEADY_OK);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_cross_over_tls_with_credentials),
        cmocka_unit_test(wrong_credentials_and_certificates_never_connect),
        cmocka_unit_test(tls_options_refuse_misuse),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
