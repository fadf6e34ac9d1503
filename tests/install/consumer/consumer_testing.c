/*
 * An installed-package consumer of the testing kit (steady/testing.h, libsteady-testing): a
 * test of a doubling actor, built by tests/install/install_test.sh against the installed
 * headers and libraries only (pkg-config steady-testing, and find_package's steady::testing).
 */
#include <steady/steady.h>
#include <steady/testing.h>

#include <stdint.h>
#include <stdio.h>

STEADY_CHANNEL_TYPE(num, uint64_t);

static num_rx in_rx;
static num_tx out_tx;

static int doubler(steady_actor *a, void *arg)
{
    (void)arg;
    uint64_t v;
    while (num_rx_take_wait(a, in_rx, &v) == STEADY_OK)
        if (num_tx_send_wait(a, out_tx, 2 * v) != STEADY_OK)
            return 1;
    return 0;
}

/* One run of the test on a deterministic graph of this seed: the doubler doubles 1, 2, 3. */
static bool run_doubler(uint64_t seed)
{
    steady_graph *g;
    num_tx in;
    num_rx out;
    steady_test_drain *d;
    static const uint64_t values[] = {1, 2, 3}, doubled[] = {2, 4, 6};
    if (steady_test_graph_new(&g, &(steady_test_opts){.name = "consumer", .seed = seed}) ||
        num_new(g, "in", 4, &in, &in_rx) || num_new(g, "out", 4, &out_tx, &out) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "doubler",
                                                .run = doubler,
                                                .rxs = STEADY_RXS(in_rx),
                                                .txs = STEADY_TXS(out_tx)},
                           NULL) ||
        steady_test_inject_new(g, "feed", in.raw, values, 3, true, NULL) ||
        steady_test_drain_new(g, "sink", out.raw, &d) || steady_graph_start(g) ||
        !steady_test_until_stopped(g, 10000))
        return false;
    bool ok = steady_graph_block_until_stopped(g, 1000) == STEADY_OK &&
              steady_test_expect_equal(d, doubled, 3, NULL) && steady_test_seed(g) == seed;
    steady_test_graph_free(g);
    return ok;
}

/* The same test under a search's schedule. */
static bool one_run(void *ctx, uint64_t seed)
{
    (void)ctx;
    return run_doubler(seed);
}

int main(void)
{
    steady_test_search_result r;
    bool ok = steady_test_search(one_run, NULL, &(steady_test_search_opts){.schedules = 20}, &r) &&
              r.schedules == 20 && run_doubler(5);
    printf("%s\n", ok ? "success" : "failure");
    return ok ? 0 : 1;
}
