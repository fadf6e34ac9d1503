/* checker.c — the chaos checker (see checker.h): a bitmap and four counters.
 *
 * The checker is the oracle of steady-chaos, so it is deliberately dumb: every arrival is
 * counted, nothing is deduplicated, and "lost" is simply the numbers whose bit is still clear
 * at the end. Its own test (checker_test.c, and --self-test) feeds it a gap, a duplicate and a
 * late arrival and expects each to be counted.
 */
#include "checker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

bool chaos_checker_init(chaos_checker *c, uint64_t expected)
{
    *c = (chaos_checker){.expected = expected};
    size_t words = (size_t)((expected + 63) / 64);
    c->bits = calloc(words ? words : 1, sizeof *c->bits);
    return c->bits != NULL;
}

void chaos_checker_finish(chaos_checker *c)
{
    c->lost = c->expected - c->distinct;
}

void chaos_checker_free(chaos_checker *c)
{
    free(c->bits);
    c->bits = NULL;
}

bool chaos_checker_self_test(char *out, unsigned long cap)
{
    static const uint64_t arrivals[] = {0, 1, 2, 4, 3, 5, 5, 7, 9};
    chaos_checker c;
    if (!chaos_checker_init(&c, 8)) {
        snprintf(out, cap, "self-test: out of memory\n");
        return false;
    }
    for (size_t i = 0; i < sizeof arrivals / sizeof arrivals[0]; i++)
        chaos_checker_see(&c, arrivals[i], true);
    chaos_checker_finish(&c);
    chaos_checker_free(&c);
    bool ok = c.lost == 1 && c.duplicated == 1 && c.reordered == 1 && c.corrupt == 1;
    snprintf(out, cap,
             "self-test: fed 0 1 2 4 3 5 5 7 9 to a checker expecting 0..7\n"
             "corrupt: %" PRIu64 " (expected 1: 9 is out of range)\n"
             "lost: %" PRIu64 " (expected 1: 6)\n"
             "duplicated: %" PRIu64 " (expected 1: the second 5)\n"
             "reordered: %" PRIu64 " (expected 1: 3 after 4)\n"
             "self-test: %s\n",
             c.corrupt, c.lost, c.duplicated, c.reordered, ok ? "passed" : "FAILED");
    return ok;
}
