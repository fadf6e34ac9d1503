/* shm_test.c — specification of the graph's shared memory (core/shm.c).
 *
 * Allocations are zeroed, aligned as asked and distinct; small ones share 1 MiB chunks, a big
 * one (256 KiB or more) gets a mapping of its own without disturbing the small-object chunk;
 * the memory is shared with processes forked later, at the same address; a failed allocation
 * says why; freeing unmaps everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "steady_test_support.h"

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void allocations_are_zeroed_aligned_and_distinct(void **state)
{
    (void)state;
    struct steady__shm *m = steady__shm_new();
    assert_non_null(m);
    unsigned char *a = steady__shm_alloc(m, 100, 64), *b = steady__shm_alloc(m, 1, 1);
    unsigned char *c = steady__shm_alloc(m, 0, 4096); /* size 0: still a distinct address */
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal((uintptr_t)a % 64, 0);
    assert_int_equal((uintptr_t)b % sizeof(void *), 0); /* at least pointer alignment */
    assert_int_equal((uintptr_t)c % 4096, 0);
    assert_true(b >= a + 100 || b + 1 <= a);
    assert_true(all_zero(a, 100) && all_zero(b, 1));
    memset(a, 0xff, 100);
    assert_true(b[0] == 0);                            /* no overlap */
    assert_int_equal(steady__shm_mapped(m), 1u << 20); /* one chunk so far */
    steady__shm_free(m);
}

static void a_big_allocation_gets_its_own_mapping(void **state)
{
    (void)state;
    struct steady__shm *m = steady__shm_new();
    unsigned char *small1 = steady__shm_alloc(m, 64, 64);
    unsigned char *big = steady__shm_alloc(m, 300 * 1024, 64);
    unsigned char *small2 = steady__shm_alloc(m, 64, 64);
    assert_non_null(big);
    assert_true(all_zero(big, 300 * 1024));
    assert_int_equal(steady__shm_mapped(m), (1u << 20) + (300 * 1024 + 4095) / 4096 * 4096);
    assert_true(small2 == small1 + 64); /* the small-object chunk went on */
    steady__shm_free(m);
}

static void memory_is_shared_with_a_process_forked_later(void **state)
{
    (void)state;
    struct steady__shm *m = steady__shm_new();
    _Atomic uint64_t *word = steady__shm_alloc(m, sizeof *word, 64);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        atomic_store(word, 0x5eadull); /* the same address in the child */
        _exit(0);
    }
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(atomic_load(word), 0x5eadull);
    steady__shm_free(m);
}

static void a_failed_allocation_says_why_and_the_next_succeeds(void **state)
{
    (void)state;
    struct steady__shm *m = steady__shm_new();
    atomic_store(&steady__shm_fail_next, 1);
    assert_null(steady__shm_alloc(m, 512 * 1024, 64));
    char why[256];
    steady__shm_why(m, why, sizeof why);
    assert_non_null(strstr(why, "512 KiB shared mapping failed"));
    assert_non_null(strstr(why, "Cannot allocate memory"));
    assert_non_null(steady__shm_alloc(m, 512 * 1024, 64));
    steady__shm_free(m);
}

static void free_unmaps_every_chunk(void **state)
{
    (void)state;
    long before = steady__mappings();
    struct steady__shm *m = steady__shm_new();
    for (int i = 0; i < 10; i++)
        assert_non_null(steady__shm_alloc(m, 300 * 1024, 64));
    assert_true(steady__mappings() > before);
    steady__shm_free(m);
    if (!STEADY__ASAN && !STEADY__TSAN) /* their runtimes map shadow memory as we go */
        assert_int_equal(steady__mappings(), before);
    steady__shm_free(NULL); /* harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_zeroed_aligned_and_distinct),
        cmocka_unit_test(a_big_allocation_gets_its_own_mapping),
        cmocka_unit_test(memory_is_shared_with_a_process_forked_later),
        cmocka_unit_test(a_failed_allocation_says_why_and_the_next_succeeds),
        cmocka_unit_test(free_unmaps_every_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
