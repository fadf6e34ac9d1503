/*
 * thread.c: naming, pinning and clocks for the calling thread (contracts in thread.h).
 *
 * The name-fitting rule is a pure function so that it can be tested without threads and so
 * that the telemetry can show the same name the kernel shows.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "platform/thread.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

enum { MAX_KEPT_DIGITS = 8 };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_utf8_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t trailing_digits(const char *s, size_t len)
{
    size_t d = 0;
    while (d < len && is_digit(s[len - 1 - d]))
        d++;
    return d;
}

void steady__thread_name_fit(const char *in, char out[STEADY__THREAD_NAME_MAX + 1])
{
    size_t len = in != NULL ? strlen(in) : 0;
    if (len <= STEADY__THREAD_NAME_MAX) {
        memcpy(out, in != NULL ? in : "", len + 1);
        return;
    }
    size_t digits = trailing_digits(in, len);
    if (digits > MAX_KEPT_DIGITS)
        digits = MAX_KEPT_DIGITS;
    size_t head = STEADY__THREAD_NAME_MAX - 1 - digits;
    while (head > 0 && is_utf8_continuation(in[head]))
        head--; /* in[head] is the first byte cut off: do not split its sequence */
    memcpy(out, in, head);
    out[head] = '~';
    memcpy(out + head + 1, in + len - digits, digits);
    out[head + 1 + digits] = '\0';
}

void steady__thread_set_name(const char *name)
{
    char fitted[STEADY__THREAD_NAME_MAX + 1];
    steady__thread_name_fit(name, fitted);
    (void)pthread_setname_np(pthread_self(), fitted);
}

int steady__thread_pin(int core)
{
    if (core < 0 || core >= CPU_SETSIZE)
        return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)core, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    (void)clock_gettime(clock, &ts); /* cannot fail for these clocks on Linux */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t steady__thread_cpu_ns(void)
{
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

uint64_t steady__mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}
