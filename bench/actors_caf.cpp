// actors_caf.cpp — CAF 0.17 actors: a producer actor streams 1..n to a sink actor (a peer).
//
// CAF mailboxes are unbounded, so the stream runs under credit-based flow control: the producer
// starts with a window of credit and the sink returns credit every quarter window. Modes:
//   msg        one uint64_t per message, window 4096 messages
//   batch4096  one std::vector<uint64_t> of 4096 values per message, window 64 vectors
// The scheduler gets 2 threads (scheduler.max-threads=2, CAF's own work-stealing placement; not
// pinned). Timed from the spawn of the producer to the sink's last message; the sum is checked
// exactly.
#include <caf/all.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench_common.h"

using ack_atom = caf::atom_constant<caf::atom("ack")>;

namespace
{

struct run {
    uint64_t n = 0;
    uint64_t b = 1;      // values per message
    uint64_t window = 0; // messages of credit
    uint64_t sum = 0;
    std::atomic<uint64_t> end_ns{0};
    std::atomic<uint64_t> end_cpu_ns{0};
};

// Sends up to `k` more messages; `next` is the next value to send.
void send_some(caf::event_based_actor *self, const caf::actor &sink, run *r, uint64_t *next,
               uint64_t k)
{
    for (uint64_t i = 0; i < k && *next <= r->n; i++) {
        if (r->b == 1) {
            self->send(sink, *next);
            ++*next;
        } else {
            uint64_t len = r->n - *next + 1 < r->b ? r->n - *next + 1 : r->b;
            std::vector<uint64_t> v(len);
            for (uint64_t j = 0; j < len; j++)
                v[j] = *next + j;
            *next += len;
            self->send(sink, std::move(v));
        }
    }
}

caf::behavior producer(caf::event_based_actor *self, caf::actor sink, run *r)
{
    auto next = std::make_shared<uint64_t>(1);
    send_some(self, sink, r, next.get(), r->window);
    return {
        [=](ack_atom, uint64_t k) {
            send_some(self, sink, r, next.get(), k);
            if (*next > r->n)
                self->quit();
        },
    };
}

caf::behavior sink(caf::event_based_actor *self, run *r)
{
    struct tally {
        uint64_t got = 0, msgs = 0, sum = 0;
    };
    auto t = std::make_shared<tally>();
    auto account = [=](uint64_t values, uint64_t sum) {
        t->got += values;
        t->sum += sum;
        if (++t->msgs == r->window / 4) {
            if (auto src = caf::actor_cast<caf::actor>(self->current_sender()))
                self->send(src, ack_atom::value, t->msgs);
            t->msgs = 0;
        }
        if (t->got == r->n) {
            r->sum = t->sum;
            r->end_cpu_ns.store(bench_cpu_ns(), std::memory_order_relaxed);
            r->end_ns.store(bench_now_ns(), std::memory_order_release);
            self->quit();
        }
    };
    return {
        [=](uint64_t v) { account(1, v); },
        [=](const std::vector<uint64_t> &v) {
            uint64_t s = 0;
            for (uint64_t x : v)
                s += x;
            account(v.size(), s);
        },
    };
}

} // namespace

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"msg", 3000000}, {"batch4096", 100000000}, {nullptr, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    std::snprintf(config, sizeof config, "caf/%s", modes[m].name);

    run r;
    r.n = n;
    r.b = m == 0 ? 1 : 4096;
    r.window = m == 0 ? 4096 : 64;
    bench_result res = {};
    res.config = config;
    res.n = n;
    res.probe_before = bench_probe_ns();
    uint64_t c0, t0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", static_cast<size_t>(2));
        caf::actor_system sys{cfg};
        auto s = sys.spawn(sink, &r);
        c0 = bench_cpu_ns();
        t0 = bench_now_ns();
        sys.spawn(producer, s, &r);
        sys.await_all_actors_done();
    }
    uint64_t end = r.end_ns.load(std::memory_order_acquire);
    res.wall_ns = end - t0;
    res.cpu_ns = r.end_cpu_ns.load(std::memory_order_relaxed) - c0;
    res.probe_after = bench_probe_ns();
    bench_check_sum(config, r.sum, bench_sum_1_to_n(n));
    bench_print(&res);
    return 0;
}
