/* error_test.c — specification of errors (core/error.c, steady/error.h).
 *
 * Every code has its own text, an unknown one a fixed fallback; the detail message is per
 * thread, written by a failing call and kept until the next; a long detail is cut, never
 * overflowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "steady_test_support.h"

static void every_code_has_its_own_text(void **state)
{
    (void)state;
    const char *seen[STEADY_ESHUTDOWN + 1];
    for (int e = STEADY_OK; e <= STEADY_ESHUTDOWN; e++) {
        seen[e] = steady_strerror((steady_err)e);
        assert_non_null(seen[e]);
        assert_string_not_equal(seen[e], "unknown error");
        for (int f = STEADY_OK; f < e; f++)
            assert_string_not_equal(seen[e], seen[f]);
    }
    assert_string_equal(steady_strerror((steady_err)(STEADY_ESHUTDOWN + 1)), "unknown error");
    assert_string_equal(steady_strerror((steady_err)-1), "unknown error");
}

static void the_detail_is_kept_until_the_next_failure(void **state)
{
    (void)state;
    assert_int_equal(steady__fail(STEADY_EINVAL, "first %d", 1), STEADY_EINVAL);
    assert_string_equal(steady_last_error(), "first 1");
    steady_graph *g = new_graph("ok"); /* a successful call does not clear it */
    assert_string_equal(steady_last_error(), "first 1");
    steady_graph_free(g);
    steady__clear_error();
    assert_string_equal(steady_last_error(), "");
}

static void *fail_on_another_thread(void *arg)
{
    (void)arg;
    steady__fail(STEADY_ESYS, "on the other thread");
    return (void *)(uintptr_t)(strcmp(steady_last_error(), "on the other thread") == 0);
}

static void the_detail_belongs_to_its_thread(void **state)
{
    (void)state;
    steady__fail(STEADY_EINVAL, "on the test thread");
    pthread_t th;
    void *ok = NULL;
    assert_int_equal(pthread_create(&th, NULL, fail_on_another_thread, NULL), 0);
    pthread_join(th, &ok);
    assert_true(ok != NULL);
    assert_string_equal(steady_last_error(), "on the test thread");
}

static void a_long_detail_is_cut_not_overflowed(void **state)
{
    (void)state;
    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    steady__fail(STEADY_EINVAL, "%s", big);
    size_t n = strlen(steady_last_error());
    assert_true(n > 100 && n < sizeof big - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_its_own_text),
        cmocka_unit_test(the_detail_is_kept_until_the_next_failure),
        cmocka_unit_test(the_detail_belongs_to_its_thread),
        cmocka_unit_test(a_long_detail_is_cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
