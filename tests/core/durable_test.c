/* durable_test.c — durable state blocks (src/core/durable.c): the file format, the atomic
 * replace, and every way a file can be unusable (missing, corrupt, truncated, the wrong size,
 * a half-written temporary left by a killed writer), each of which must leave the block alone
 * and say why.
 *
 * White-box: calls steady__durable_load / steady__durable_store from core/internal.h. Each test
 * works in its own directory made by mkdtemp under $TMPDIR (or /tmp), removed afterwards. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/internal.h"
#include "steady_test_support.h"

#define HEADER 32u /* the format's header size (durable.c) */

/* A state block as a user would declare one: a version field of its own, then data. */
typedef struct test_block {
    uint32_t version;
    uint32_t seed;
    unsigned char bytes[248];
} test_block;

typedef struct fixture {
    char dir[256];
    char path[300];
} fixture;

/* ---- helpers -------------------------------------------------------------------------------- */

static test_block block_of(uint32_t seed)
{
    test_block b = {.version = 1, .seed = seed};
    for (size_t i = 0; i < sizeof b.bytes; i++)
        b.bytes[i] = (unsigned char)(seed * 31u + i);
    return b;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/steady-durable.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/state.bin", f->dir);
    *state = f;
    return 0;
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    chmod(p, 0700); /* a test may have made a directory read-only */
    return remove(p);
}

static int teardown(void **state)
{
    fixture *f = *state;
    chmod(f->dir, 0700);
    int r = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return r;
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static size_t read_file(const char *path, void *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, cap);
    assert_true(n >= 0);
    close(fd);
    return (size_t)n;
}

static void flip_byte(const char *path, size_t offset)
{
    unsigned char buf[HEADER + sizeof(test_block) + 16];
    size_t n = read_file(path, buf, sizeof buf);
    assert_true(offset < n);
    buf[offset] ^= 0x5a;
    write_file(path, buf, n);
}

static void store_ok(const char *path, const void *block, size_t size)
{
    steady_err e = steady__durable_store(path, block, size);
    if (e != STEADY_OK)
        fail_msg("store failed: %s", steady_last_error());
}

/* Entries in dir, "." and ".." excluded. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Loads path as a test_block expecting INVALID with `keyword` in the reason, and the block
 * left exactly as it was. */
static void assert_invalid_mentioning(const char *path, size_t size, const char *keyword)
{
    test_block b = block_of(999), before = b;
    char why[256];
    assert_int_equal(steady__durable_load(path, &b, size, why, sizeof why), STEADY__STATE_INVALID);
    if (!strstr(why, keyword))
        fail_msg("reason '%s' does not mention '%s'", why, keyword);
    assert_memory_equal(&b, &before, sizeof b);
}

/* ---- round trip and format ------------------------------------------------------------------ */

static void stored_block_loads_back_unchanged(void **state)
{
    fixture *f = *state;
    test_block saved = block_of(7), loaded = {0};
    store_ok(f->path, &saved, sizeof saved);
    char why[128] = "untouched";
    assert_int_equal(steady__durable_load(f->path, &loaded, sizeof loaded, why, sizeof why),
                     STEADY__STATE_LOADED);
    assert_memory_equal(&loaded, &saved, sizeof saved);
    assert_string_equal(why, "");
    assert_int_equal(count_entries(f->dir), 1); /* no temporary file left behind */
}

static void second_store_replaces_the_first(void **state)
{
    fixture *f = *state;
    test_block one = block_of(1), two = block_of(2), loaded;
    store_ok(f->path, &one, sizeof one);
    store_ok(f->path, &two, sizeof two);
    assert_int_equal(steady__durable_load(f->path, &loaded, sizeof loaded, NULL, 0),
                     STEADY__STATE_LOADED);
    assert_memory_equal(&loaded, &two, sizeof two);
    assert_int_equal(count_entries(f->dir), 1);
}

static void file_layout_matches_the_documented_format(void **state)
{
    fixture *f = *state;
    test_block b = block_of(3);
    store_ok(f->path, &b, sizeof b);
    unsigned char raw[HEADER + sizeof b + 1];
    assert_int_equal(read_file(f->path, raw, sizeof raw), HEADER + sizeof b);
    assert_memory_equal(raw, "STEADYST", 8);
    const unsigned char want[8] = {1, 0, 0, 0, HEADER, 0, 0, 0}; /* version 1, header size */
    assert_memory_equal(raw + 8, want, 8);
    uint64_t size = 0;
    uint32_t crc_payload = 0, crc_header = 0;
    for (int i = 7; i >= 0; i--)
        size = size << 8 | raw[16 + i];
    for (int i = 3; i >= 0; i--) {
        crc_payload = crc_payload << 8 | raw[24 + i];
        crc_header = crc_header << 8 | raw[28 + i];
    }
    assert_int_equal(size, sizeof b);
    assert_int_equal(crc_payload, crc32(0, (const Bytef *)&b, sizeof b));
    assert_int_equal(crc_header, crc32(0, raw, 28));
    assert_memory_equal(raw + HEADER, &b, sizeof b);
}

/* ---- files that must not load --------------------------------------------------------------- */

static void missing_file_is_missing_and_block_untouched(void **state)
{
    fixture *f = *state;
    test_block b = block_of(5), before = b;
    char why[256];
    assert_int_equal(steady__durable_load(f->path, &b, sizeof b, why, sizeof why),
                     STEADY__STATE_MISSING);
    assert_string_equal(why, "no such file");
    assert_memory_equal(&b, &before, sizeof b);
}

static void flipped_payload_byte_is_a_checksum_mismatch(void **state)
{
    fixture *f = *state;
    test_block b = block_of(9);
    for (size_t at = HEADER; at < HEADER + sizeof b; at += 61) {
        store_ok(f->path, &b, sizeof b);
        flip_byte(f->path, at);
        assert_invalid_mentioning(f->path, sizeof b, "payload checksum mismatch");
    }
}

/* Every header byte is covered: magic, version, header size, and the rest by the header's own
 * checksum (which covers the payload size and the payload checksum fields). */
static void flipped_header_byte_is_rejected_with_its_reason(void **state)
{
    fixture *f = *state;
    test_block b = block_of(11);
    for (size_t at = 0; at < HEADER; at++) {
        store_ok(f->path, &b, sizeof b);
        flip_byte(f->path, at);
        const char *keyword = at < 8    ? "wrong magic"
                              : at < 12 ? "unknown format version"
                              : at < 16 ? "header size"
                                        : "header checksum mismatch";
        assert_invalid_mentioning(f->path, sizeof b, keyword);
    }
}

static void truncated_file_is_rejected_at_every_length(void **state)
{
    fixture *f = *state;
    test_block b = block_of(13);
    const size_t lengths[] = {0, 1, 8, 16, HEADER - 1, HEADER, HEADER + 1, HEADER + sizeof b - 1};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        store_ok(f->path, &b, sizeof b);
        assert_int_equal(truncate(f->path, (off_t)lengths[i]), 0);
        assert_invalid_mentioning(f->path, sizeof b, "truncated");
    }
}

static void block_of_another_size_is_a_size_mismatch(void **state)
{
    fixture *f = *state;
    test_block b = block_of(17);
    store_ok(f->path, &b, sizeof b);
    assert_invalid_mentioning(f->path, sizeof b - 8, "size mismatch");
    char want[64];
    test_block big[2];
    char why[256];
    assert_int_equal(steady__durable_load(f->path, big, sizeof big, why, sizeof why),
                     STEADY__STATE_INVALID);
    snprintf(want, sizeof want, "%zu-byte block", sizeof b); /* both sizes are named */
    assert_non_null(strstr(why, want));
    snprintf(want, sizeof want, "%zu bytes", sizeof big);
    assert_non_null(strstr(why, want));
}

static void trailing_garbage_is_rejected(void **state)
{
    fixture *f = *state;
    test_block b = block_of(19);
    store_ok(f->path, &b, sizeof b);
    int fd = open(f->path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_invalid_mentioning(f->path, sizeof b, "trailing garbage");
}

static void foreign_file_is_wrong_magic(void **state)
{
    fixture *f = *state;
    char text[HEADER + sizeof(test_block)];
    memset(text, 'a', sizeof text);
    write_file(f->path, text, sizeof text);
    assert_invalid_mentioning(f->path, sizeof(test_block), "wrong magic");
}

/* A file from a future format (a valid header checksum, version 2) is not guessed at. */
static void newer_format_version_is_rejected(void **state)
{
    fixture *f = *state;
    test_block b = block_of(23);
    store_ok(f->path, &b, sizeof b);
    unsigned char raw[HEADER + sizeof b];
    read_file(f->path, raw, sizeof raw);
    raw[8] = 2;
    uint32_t crc = (uint32_t)crc32(0, raw, 28);
    for (int i = 0; i < 4; i++)
        raw[28 + i] = (unsigned char)(crc >> (8 * i));
    write_file(f->path, raw, sizeof raw);
    assert_invalid_mentioning(f->path, sizeof b, "unknown format version 2");
}

static void directory_fifo_or_unreadable_file_is_invalid(void **state)
{
    fixture *f = *state;
    assert_int_equal(mkdir(f->path, 0700), 0);
    assert_invalid_mentioning(f->path, sizeof(test_block), "not a regular file");
    assert_int_equal(rmdir(f->path), 0);
    assert_int_equal(mkfifo(f->path, 0600), 0); /* opening it must not wait for a writer */
    assert_invalid_mentioning(f->path, sizeof(test_block), "not a regular file");
    assert_int_equal(unlink(f->path), 0);
    if (geteuid() == 0)
        return; /* root reads a mode-000 file anyway: that half needs an unprivileged user */
    test_block b = block_of(29);
    store_ok(f->path, &b, sizeof b);
    assert_int_equal(chmod(f->path, 0), 0);
    assert_invalid_mentioning(f->path, sizeof b, "cannot open");
}

/* A killed writer leaves `<path>.tmp.<pid>.<n>`: load reads only `path`, whatever lies next to
 * it. */
static void leftover_temporary_files_are_ignored(void **state)
{
    fixture *f = *state;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s.tmp.12345.0", f->path);
    write_file(tmp, "STEADYST half-writ", 18);
    test_block b = block_of(31), loaded;
    assert_int_equal(steady__durable_load(f->path, &loaded, sizeof loaded, NULL, 0),
                     STEADY__STATE_MISSING);
    store_ok(f->path, &b, sizeof b);
    assert_int_equal(steady__durable_load(f->path, &loaded, sizeof loaded, NULL, 0),
                     STEADY__STATE_LOADED);
    assert_memory_equal(&loaded, &b, sizeof b);
}

/* ---- failed stores -------------------------------------------------------------------------- */

static void store_into_missing_directory_fails_naming_path_and_step(void **state)
{
    fixture *f = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/no-such-dir/state.bin", f->dir);
    test_block b = block_of(37);
    assert_int_equal(steady__durable_store(path, &b, sizeof b), STEADY_ESYS);
    assert_last_error_mentions(path, "creating the temporary file", strerror(ENOENT), NULL);
    assert_int_equal(count_entries(f->dir), 0);
}

/* The rename fails (a non-empty directory is in the way): the temporary is removed and the
 * directory in the way is untouched. */
static void failed_rename_removes_the_temporary_file(void **state)
{
    fixture *f = *state;
    char inner[400];
    assert_int_equal(mkdir(f->path, 0700), 0);
    snprintf(inner, sizeof inner, "%s/keep", f->path);
    write_file(inner, "k", 1);
    test_block b = block_of(41);
    assert_int_equal(steady__durable_store(f->path, &b, sizeof b), STEADY_ESYS);
    assert_last_error_mentions(f->path, "renaming the temporary file", NULL);
    assert_int_equal(count_entries(f->dir), 1);
    assert_int_equal(count_entries(f->path), 1);
}

/* After a store that failed, `path` still loads the previous block and no temporary remains. */
static void assert_previous_block_kept(const fixture *f, const test_block *old)
{
    test_block loaded;
    assert_int_equal(steady__durable_load(f->path, &loaded, sizeof loaded, NULL, 0),
                     STEADY__STATE_LOADED);
    assert_memory_equal(&loaded, old, sizeof *old);
    assert_int_equal(count_entries(f->dir), 1);
}

/* The write fails half-way (a file size limit; works as root too): EFBIG, temporary removed. */
static void failed_write_leaves_the_previous_file_intact(void **state)
{
    fixture *f = *state;
    test_block old = block_of(43);
    static unsigned char big[1 << 16];
    store_ok(f->path, &old, sizeof old);
    struct rlimit was;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    void (*handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit low = {.rlim_cur = 4096, .rlim_max = was.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
    steady_err e = steady__durable_store(f->path, big, sizeof big);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, handler);
    assert_int_equal(e, STEADY_ESYS);
    assert_last_error_mentions(f->path, "writing the temporary file", strerror(EFBIG), NULL);
    assert_previous_block_kept(f, &old);
}

/* The temporary name `<name>.tmp.<pid>.<n>` does not fit in NAME_MAX (works as root too). */
static void overlong_temporary_name_leaves_the_previous_file_intact(void **state)
{
    fixture *f = *state;
    test_block old = block_of(45), fresh = block_of(46);
    store_ok(f->path, &old, sizeof old);
    char name[300];
    int n = snprintf(name, sizeof name, "%s/", f->dir);
    assert_true(n > 0 && (size_t)n + 251 <= sizeof name);
    memset(name + n, 'x', 250); /* a 250-byte name fits; with the suffix it does not */
    name[n + 250] = '\0';
    assert_int_equal(rename(f->path, name), 0); /* a valid previous file under the long name */
    strcpy(f->path, name);
    assert_int_equal(steady__durable_store(f->path, &fresh, sizeof fresh), STEADY_ESYS);
    assert_last_error_mentions("creating the temporary file", strerror(ENAMETOOLONG), NULL);
    assert_previous_block_kept(f, &old);
}

/* The directory is read-only: the temporary cannot even be created. */
static void read_only_directory_leaves_the_previous_file_intact(void **state)
{
    fixture *f = *state;
    if (geteuid() == 0)
        skip(); /* root writes into a read-only directory: needs an unprivileged user */
    test_block old = block_of(47), fresh = block_of(48);
    store_ok(f->path, &old, sizeof old);
    assert_int_equal(chmod(f->dir, 0500), 0);
    assert_int_equal(steady__durable_store(f->path, &fresh, sizeof fresh), STEADY_ESYS);
    assert_last_error_mentions(f->path, "creating the temporary file", strerror(EACCES), NULL);
    assert_previous_block_kept(f, &old);
}

/* ---- atomicity under SIGKILL ---------------------------------------------------------------- */

/* A block big enough that a kill often lands inside its write: every byte equals the
 * generation, so any mix of two generations is visible. */
#define KILL_BLOCK (256u * 1024u)
#define KILL_ROUNDS 200
#define KILL_BUDGET_MS 20000u
static unsigned char kill_block[KILL_BLOCK];

/* The child: stores generations first, first+1, ... forever, writing one byte to `ready` after
 * its first store completed ('E' and exit status 1 if a store fails). */
static _Noreturn void store_forever(const char *path, unsigned char first, int ready)
{
    for (unsigned char gen = first;; gen++) {
        memset(kill_block, gen, sizeof kill_block);
        bool ok = steady__durable_store(path, kill_block, sizeof kill_block) == STEADY_OK;
        if (!ok || gen == first) {
            ssize_t w = write(ready, ok ? "S" : "E", 1);
            (void)w;
        }
        if (!ok)
            _exit(1);
    }
}

/* Whatever the kill interrupted, path holds one whole generation, or nothing before the first
 * store completed. */
static void check_after_kill(const char *path, bool stored_before_kill)
{
    static unsigned char got[KILL_BLOCK];
    char why[256];
    steady__load_result r = steady__durable_load(path, got, sizeof got, why, sizeof why);
    if (r == STEADY__STATE_MISSING && !stored_before_kill)
        return;
    if (r != STEADY__STATE_LOADED)
        fail_msg("after a kill: %s (%s)", r == STEADY__STATE_MISSING ? "missing" : "invalid", why);
    for (size_t i = 1; i < sizeof got; i++)
        if (got[i] != got[0])
            fail_msg("a mix of generations %u and %u at byte %zu", got[0], got[i], i);
}

/* One round: fork a writer, SIGKILL it after `delay_us` (counted from its first completed store
 * when `seeded`), then check the file. */
static void kill_round(const char *path, bool seeded, unsigned delay_us)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        store_forever(path, (unsigned char)(delay_us & 0xff), p[1]);
    }
    close(p[1]);
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    if (seeded)
        assert_int_equal(poll(&pfd, 1, 10000), 1);
    usleep(delay_us);
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    char c = 0;
    bool stored = read(p[0], &c, 1) == 1;
    close(p[0]);
    assert_int_not_equal(c, 'E');
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    check_after_kill(path, stored);
}

/* Temporary files a killed writer left in dir (each an interrupted store), and how many of them
 * were cut off before their last byte was written. */
static int count_temporaries(const char *dir, int *partial)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    *partial = 0;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (!strstr(e->d_name, ".tmp.") || fstatat(dirfd(d), e->d_name, &st, 0) != 0)
            continue;
        n++;
        *partial += st.st_size < (off_t)(HEADER + KILL_BLOCK);
    }
    closedir(d);
    return n;
}

static void writer_killed_mid_store_leaves_old_or_new_never_a_mix(void **state)
{
    fixture *f = *state;
    srand((unsigned)getpid());
    uint64_t t0 = now_ns();
    int rounds = 0, partial;
    for (; rounds < KILL_ROUNDS && ms_since(t0) < KILL_BUDGET_MS; rounds++) {
        bool seeded = rounds % 2 == 1; /* even rounds start with no file */
        if (!seeded)
            unlink(f->path);
        kill_round(f->path, seeded, (unsigned)rand() % 3000u);
    }
    int interrupted = count_temporaries(f->dir, &partial);
    print_message("%d kill rounds in %llu ms: %d stores interrupted (temporaries left), %d of "
                  "them mid-write\n",
                  rounds, (unsigned long long)ms_since(t0), interrupted, partial);
    assert_true(rounds >= 20);
    assert_true(interrupted > 0); /* the kills did land inside stores */
}

/* A pid that no process has now (a child that exited and was reaped). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

static int idle_actor(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* Regression: SIGKILLs during stores left their temporary files for ever (149 of 200 kills,
 * 89 MB). The next start removes those of processes that no longer exist, and only those. */
static void the_next_start_sweeps_what_killed_stores_left(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < 10; round++)
        kill_round(f->path, round % 2 == 1, (unsigned)round * 300u);
    char name[400];
    snprintf(name, sizeof name, "%s.tmp.%d.7", f->path, (int)dead_pid());
    write_file(name, "half", 4);
    pid_t live = fork(); /* a live process's store may still be under way: kept */
    assert_true(live >= 0);
    if (live == 0) {
        pause();
        _exit(0);
    }
    char kept[3][400];
    snprintf(kept[0], sizeof kept[0], "%s.tmp.%d.1", f->path, (int)live);
    snprintf(kept[1], sizeof kept[1], "%s.tmp.notapid.1", f->path); /* not ours */
    snprintf(kept[2], sizeof kept[2], "%s.tmpfile", f->path);
    for (int i = 0; i < 3; i++)
        write_file(kept[i], "keep", 4);
    int partial, before = count_temporaries(f->dir, &partial);
    assert_true(before >= 3); /* the fake one, the live one, the one not ours... and the kills' */

    steady_graph *g = new_graph("sweep");
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "saver",
                                                             .run = idle_actor,
                                                             .state_size = KILL_BLOCK,
                                                             .state_path = f->path},
                                        NULL),
                     STEADY_OK);
    capture_start();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    capture_stop();
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);

    int after = count_temporaries(f->dir, &partial);
    assert_int_equal(after, 2); /* the live process's, and "notapid" */
    for (int i = 0; i < 3; i++)
        assert_int_equal(access(kept[i], F_OK), 0);
    assert_int_not_equal(access(name, F_OK), 0);
    if (!strstr(captured, "temporary file") || !strstr(captured, "left by a save that did not "
                                                                 "finish"))
        fail_msg("the sweep was not logged:\n%s", captured);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(stored_block_loads_back_unchanged),
        T(second_store_replaces_the_first),
        T(file_layout_matches_the_documented_format),
        T(missing_file_is_missing_and_block_untouched),
        T(flipped_payload_byte_is_a_checksum_mismatch),
        T(flipped_header_byte_is_rejected_with_its_reason),
        T(truncated_file_is_rejected_at_every_length),
        T(block_of_another_size_is_a_size_mismatch),
        T(trailing_garbage_is_rejected),
        T(foreign_file_is_wrong_magic),
        T(newer_format_version_is_rejected),
        T(directory_fifo_or_unreadable_file_is_invalid),
        T(leftover_temporary_files_are_ignored),
        T(store_into_missing_directory_fails_naming_path_and_step),
        T(failed_rename_removes_the_temporary_file),
        T(failed_write_leaves_the_previous_file_intact),
        T(overlong_temporary_name_leaves_the_previous_file_intact),
        T(read_only_directory_leaves_the_previous_file_intact),
        T(writer_killed_mid_store_leaves_old_or_new_never_a_mix),
        T(the_next_start_sweeps_what_killed_stores_left),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
