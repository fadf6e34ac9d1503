/* fizzbuzz_floor.c — the floor of lesson 02B: the lesson's own three bodies on one thread,
 * without steady.
 *
 * The generator's generator_fill, the worker's fizzbuzz_encode_batch and the logger's
 * logger_count (examples/lesson-02b-performant/actors.c, linked as they are) run one after the
 * other on each batch, through two rings of --capacity values as the lesson's troupe uses them:
 * fill a span of ring A, encode it into the same span of ring B, count ring B's span. No
 * channel, no actor, no wait: what one core spends on the work itself, so the bench shows how
 * much of lesson 02B's time is steady's (bench/README.md, "Lesson 02B against its peers").
 *
 * It stops after --beats x --rate ms and prints the lesson's lines ("Generator shutting down.
 * Sent: N", "Logger shutting down. Total: ...") and its rate line, so bench/wholeproc.py checks
 * its totals exactly and times it as it times the lesson and the peers.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lesson02b.h"

typedef struct floor_args {
    uint64_t rate_ms, beats, capacity, batch;
} floor_args;

static const char usage[] =
    "usage: fizzbuzz_floor [--rate MS] [--beats N] [--capacity N] [--batch N]\n"
    "  --rate MS       beat period in milliseconds (default 1000)\n"
    "  --beats N       beats before the stop (default 10)\n"
    "  --capacity N    values in each of the two rings (default 131072, the lesson's)\n"
    "  --batch N       values per step, dividing the capacity (default 16384, the lesson's\n"
    "                  troupe batch)\n"
    "Lesson 02B's three bodies on one thread without steady: the floor of its pipeline.\n";

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parses the options into *a; 0, or 1 after --help, or -1 after a message naming the error. */
static int parse(int argc, char **argv, floor_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 1;
        }
        uint64_t *dst = !strcmp(argv[i], "--rate")       ? &a->rate_ms
                        : !strcmp(argv[i], "--beats")    ? &a->beats
                        : !strcmp(argv[i], "--capacity") ? &a->capacity
                        : !strcmp(argv[i], "--batch")    ? &a->batch
                                                         : NULL;
        const char *name = argv[i];
        char *end = NULL;
        if (!dst) {
            fprintf(stderr, "fizzbuzz_floor: unknown option '%s'\n%s", argv[i], usage);
            return -1;
        }
        if (i + 1 < argc)
            *dst = strtoull(argv[++i], &end, 10);
        if (!end || *end != '\0' || *dst == 0 || *dst > (UINT64_C(1) << 28)) {
            fprintf(stderr, "fizzbuzz_floor: %s needs a number from 1 to 2^28\n", name);
            return -1;
        }
    }
    if (a->capacity % a->batch != 0) {
        fprintf(stderr, "fizzbuzz_floor: --batch %" PRIu64 " must divide --capacity %" PRIu64 "\n",
                a->batch, a->capacity);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    floor_args a = {.rate_ms = 1000, .beats = 10, .capacity = 1u << 17, .batch = 1u << 14};
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    uint64_t *ring_a = aligned_alloc(64, a.capacity * sizeof(uint64_t));
    uint64_t *ring_b = aligned_alloc(64, a.capacity * sizeof(uint64_t));
    if (!ring_a || !ring_b) {
        fprintf(stderr, "fizzbuzz_floor: out of memory for two rings of %" PRIu64 " values\n",
                a.capacity);
        return 1;
    }
    generator_state gen = {0};
    logger_state log = {{0}};
    uint64_t t0 = now_ns(), until = t0 + a.rate_ms * a.beats * 1000000u, off = 0;
    while (now_ns() < until) {
        generator_fill(&gen, ring_a + off, a.batch);
        fizzbuzz_encode_batch(NULL, ring_a + off, ring_b + off, a.batch);
        logger_count(&log, ring_b + off, a.batch);
        off = off + a.batch == a.capacity ? 0 : off + a.batch;
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    uint64_t *c = log.counts;
    printf("Generator shutting down. Sent: %" PRIu64 "\n", gen.next);
    printf("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64 ", FB:%" PRIu64
           ", V:%" PRIu64 ")\n",
           c[0] + c[1] + c[2] + c[3], c[FB_FIZZ], c[FB_BUZZ], c[FB_FIZZBUZZ], c[FB_VALUE]);
    printf("fizzbuzz_floor: %" PRIu64 " messages in %.3f s: %.1f M msg/s (one thread, capacity "
           "%" PRIu64 ", batch %" PRIu64 ")\n",
           gen.next, secs, (double)gen.next / secs / 1e6, a.capacity, a.batch);
    free(ring_a);
    free(ring_b);
    return 0;
}
