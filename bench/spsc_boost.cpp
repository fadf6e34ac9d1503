// spsc_boost.cpp — boost::lockfree::spsc_queue between two pinned threads (a peer).
//
// Capacity 65536 fixed at compile time (boost's fastest form). Modes:
//   msg        push(v) / pop(v), one message per call
//   range64    push(const T*, 64) / pop(T*, 64): boost copies a whole range per call
//   range4096  the same with 4096
// The producer sends 1..n, the consumer sums; the sum is checked exactly. Waits are busy spins
// with pause.
#include <boost/lockfree/spsc_queue.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>

#include "bench_common.h"

namespace
{

using queue = boost::lockfree::spsc_queue<uint64_t, boost::lockfree::capacity<65536>>;

struct ctx {
    queue q;
    uint64_t n = 0;
    uint64_t b = 1;
    uint64_t sum = 0;
};

void produce_msg(void *arg)
{
    ctx *c = static_cast<ctx *>(arg);
    for (uint64_t i = 1; i <= c->n; i++)
        while (!c->q.push(i))
            bench_relax();
}

void consume_msg(void *arg)
{
    ctx *c = static_cast<ctx *>(arg);
    uint64_t sum = 0, v;
    for (uint64_t i = 0; i < c->n; i++) {
        while (!c->q.pop(v))
            bench_relax();
        sum += v;
    }
    c->sum = sum;
}

void produce_range(void *arg)
{
    ctx *c = static_cast<ctx *>(arg);
    uint64_t buf[4096], next = 1;
    while (next <= c->n) {
        uint64_t k = c->n - next + 1 < c->b ? c->n - next + 1 : c->b;
        for (uint64_t j = 0; j < k; j++)
            buf[j] = next + j;
        for (uint64_t sent = 0; sent < k;) {
            size_t s = c->q.push(buf + sent, k - sent);
            if (s == 0)
                bench_relax();
            sent += s;
        }
        next += k;
    }
}

void consume_range(void *arg)
{
    ctx *c = static_cast<ctx *>(arg);
    uint64_t buf[4096], got = 0, sum = 0;
    while (got < c->n) {
        size_t k = c->q.pop(buf, c->b);
        if (k == 0) {
            bench_relax();
            continue;
        }
        for (size_t j = 0; j < k; j++)
            sum += buf[j];
        got += k;
    }
    c->sum = sum;
}

} // namespace

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"msg", 50000000}, {"range64", 200000000}, {"range4096", 500000000}, {nullptr, 0}};
    static const uint64_t batch[] = {1, 64, 4096};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    std::snprintf(config, sizeof config, "boost/%s", modes[m].name);

    std::unique_ptr<ctx> c(new ctx);
    c->n = n;
    c->b = batch[m];
    bench_result r = {};
    r.config = config;
    r.n = n;
    r.probe_before = bench_probe_ns();
    if (m == 0)
        bench_run_pair(produce_msg, consume_msg, c.get(), &r.wall_ns, &r.cpu_ns);
    else
        bench_run_pair(produce_range, consume_range, c.get(), &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c->sum, bench_sum_1_to_n(n));
    bench_print(&r);
    return 0;
}
