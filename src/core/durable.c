/* core/durable.c — durable state blocks: one file per actor, replaced atomically.
 *
 * File format (little-endian, version 1): a 32-byte header, then the block's bytes.
 *
 *   offset  size  field
 *        0     8  magic "STEADYST"
 *        8     4  format version (1)
 *       12     4  header size (32)
 *       16     8  payload size: the block's size in bytes
 *       24     4  CRC-32 (zlib) of the payload
 *       28     4  CRC-32 (zlib) of header bytes 0..27
 *       32     n  payload
 *
 * A file is loaded only when every field checks and nothing follows the payload; otherwise the
 * block is left alone and the reason is returned (without the path, which the caller's log line
 * names) for the caller to log before it falls back to the init function.
 *
 * Store never writes `path` in place: it writes a new file `<path>.tmp.<pid>.<n>` in the same
 * directory (O_EXCL), fsyncs it, renames it over `path` (atomic on POSIX file systems), then
 * fsyncs the directory so the rename itself survives a power cut. A crash or SIGKILL at any
 * point leaves the old file or the new one at `path`, never a mix; at worst a stray temporary
 * file, which load never reads. Those are swept: by the next start (steady__durable_sweep
 * before the load: the temporary files of processes that no longer exist), and by the warden
 * when an ISOLATED child dies (that child's). Cost per save: one fsync of the file, one rename
 * and one fsync of the directory.
 */
#include "core/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define HEADER_SIZE 32u
#define FORMAT_VERSION 1u
static const char magic[8] = {'S', 'T', 'E', 'A', 'D', 'Y', 'S', 'T'};

/* Makes the temporary names of concurrent stores (other threads, other paths) distinct;
 * relaxed: only the uniqueness of each value matters, it orders nothing. */
static _Atomic uint32_t tmp_counter;

/* ---- little-endian fields and checksums ---- */

static void put_le(unsigned char *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* zlib's CRC-32; crc32_z takes a size_t length, so blocks over 4 GiB need no loop. */
static uint32_t checksum(const void *data, size_t len)
{
    return (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), data, len);
}

static void header_encode(unsigned char h[HEADER_SIZE], const void *block, size_t size)
{
    memcpy(h, magic, sizeof magic);
    put_le(h + 8, FORMAT_VERSION, 4);
    put_le(h + 12, HEADER_SIZE, 4);
    put_le(h + 16, size, 8);
    put_le(h + 24, checksum(block, size), 4);
    put_le(h + 28, checksum(h, 28), 4);
}

/* ---- load ---- */

/* Writes the reason for rejecting a file into why; returns INVALID. */
__attribute__((format(printf, 3, 4))) static steady__load_result invalid(char *why, size_t cap,
                                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return STEADY__STATE_INVALID;
}

/* Reads up to n bytes, retrying short reads and EINTR: the count read (< n only at end of
 * file), or -1 with errno set. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Checks a header against the block size the caller expects: LOADED when it is valid (the
 * payload is still to be checked), else INVALID with why written. */
static steady__load_result check_header(const unsigned char h[HEADER_SIZE], size_t size, char *why,
                                        size_t cap)
{
    uint64_t version = get_le(h + 8, 4), hsize = get_le(h + 12, 4), psize = get_le(h + 16, 8);
    if (memcmp(h, magic, sizeof magic) != 0)
        return invalid(why, cap, "wrong magic: not a steady state file");
    if (version != FORMAT_VERSION)
        return invalid(why, cap, "unknown format version %llu (this library reads version %u)",
                       (unsigned long long)version, FORMAT_VERSION);
    if (hsize != HEADER_SIZE)
        return invalid(why, cap, "header size %llu, expected %u", (unsigned long long)hsize,
                       HEADER_SIZE);
    if (get_le(h + 28, 4) != checksum(h, 28))
        return invalid(why, cap, "header checksum mismatch: the header is corrupt");
    if (psize != size)
        return invalid(why, cap,
                       "size mismatch: the file holds a %llu-byte block, expected %zu bytes",
                       (unsigned long long)psize, size);
    return STEADY__STATE_LOADED;
}

/* Reads the header, the payload (into buf) and the end of file from fd, checking each: LOADED,
 * or INVALID with why written. */
static steady__load_result read_block(int fd, void *buf, size_t size, char *why, size_t cap)
{
    unsigned char h[HEADER_SIZE], extra;
    ssize_t got = read_full(fd, h, HEADER_SIZE);
    if (got < 0)
        return invalid(why, cap, "read failed: %s", strerror(errno));
    if (got < (ssize_t)HEADER_SIZE)
        return invalid(why, cap, "truncated: %zd bytes, shorter than the %u-byte header", got,
                       HEADER_SIZE);
    if (check_header(h, size, why, cap) != STEADY__STATE_LOADED)
        return STEADY__STATE_INVALID;
    got = read_full(fd, buf, size);
    if (got < 0)
        return invalid(why, cap, "read failed: %s", strerror(errno));
    if ((size_t)got < size)
        return invalid(why, cap, "truncated: %zd of the %zu payload bytes", got, size);
    if (read_full(fd, &extra, 1) != 0)
        return invalid(why, cap, "trailing garbage after the %zu-byte payload", size);
    uint32_t stored = (uint32_t)get_le(h + 24, 4), computed = checksum(buf, size);
    if (stored != computed)
        return invalid(why, cap, "payload checksum mismatch (stored %08x, computed %08x)",
                       (unsigned)stored, (unsigned)computed);
    return STEADY__STATE_LOADED;
}

steady__load_result steady__durable_load(const char *path, void *block, size_t size, char *why,
                                         size_t cap)
{
    char scratch[1];
    if (!why || cap == 0) /* the caller does not want the reason */
        why = scratch, cap = sizeof scratch;
    why[0] = '\0';
    /* O_NONBLOCK: a FIFO at path must not hang the start (it is then rejected as not a
     * regular file); reads of a regular file ignore the flag. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) {
        snprintf(why, cap, "no such file");
        return STEADY__STATE_MISSING;
    }
    if (fd < 0)
        return invalid(why, cap, "cannot open: %s", strerror(errno));
    struct stat st;
    steady__load_result r = STEADY__STATE_INVALID;
    void *buf = NULL; /* the block stays untouched until every check passed */
    if (fstat(fd, &st) != 0)
        invalid(why, cap, "cannot stat: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        invalid(why, cap, "not a regular file");
    else if (!(buf = steady__alloc(size)))
        invalid(why, cap, "out of memory for a %zu-byte block", size);
    else
        r = read_block(fd, buf, size, why, cap);
    if (r == STEADY__STATE_LOADED)
        memcpy(block, buf, size);
    steady__free(buf);
    close(fd);
    return r;
}

/* ---- store ---- */

/* Writes all n bytes, retrying short writes and EINTR: 0, or -1 with errno set. */
static int write_full(int fd, const void *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        buf = (const char *)buf + w;
        n -= (size_t)w;
    }
    return 0;
}

static steady_err store_failed(const char *path, const char *step, int err)
{
    return steady__fail(STEADY_ESYS, "state file '%s': %s failed: %s", path, step, strerror(err));
}

/* Writes header and block to the new file `tmp`, fsyncs and closes it. NULL, or the step that
 * failed with *err set (and tmp removed if this call created it). */
static const char *write_tmp(const char *tmp, const void *block, size_t size, int *err)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return *err = errno, "creating the temporary file";
    unsigned char h[HEADER_SIZE];
    header_encode(h, block, size);
    const char *step = NULL;
    if (write_full(fd, h, sizeof h) != 0 || write_full(fd, block, size) != 0)
        step = "writing the temporary file", *err = errno;
    else if (fsync(fd) != 0)
        step = "fsync of the temporary file", *err = errno;
    if (close(fd) != 0 && !step) /* close may report a deferred write error */
        step = "closing the temporary file", *err = errno;
    if (step)
        unlink(tmp);
    return step;
}

/* fsyncs the directory holding `path`, so that the rename is durable. NULL, or the step that
 * failed with *err set. */
static const char *sync_dir(const char *path, int *err)
{
    const char *slash = strrchr(path, '/');
    size_t len = !slash || slash == path ? 1 : (size_t)(slash - path);
    char *dir = steady__alloc(len + 1);
    if (!dir)
        return *err = ENOMEM, "opening the directory";
    memcpy(dir, slash ? path : ".", len);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *err = errno;
    steady__free(dir);
    if (fd < 0)
        return "opening the directory";
    const char *step = NULL;
    /* EINVAL: a file system that cannot sync directories; the rename is as durable as it gets. */
    if (fsync(fd) != 0 && errno != EINVAL)
        step = "fsync of the directory", *err = errno;
    close(fd);
    return step;
}

steady_err steady__durable_store(const char *path, const void *block, size_t size)
{
    size_t cap = strlen(path) + 48; /* ".tmp." + two decimal numbers */
    char *tmp = steady__alloc(cap);
    if (!tmp)
        return store_failed(path, "naming the temporary file", ENOMEM);
    snprintf(tmp, cap, "%s.tmp.%ld.%u", path, (long)getpid(),
             (unsigned)atomic_fetch_add_explicit(&tmp_counter, 1, memory_order_relaxed));
    int err = 0;
    const char *step = write_tmp(tmp, block, size, &err);
    if (!step && rename(tmp, path) != 0) {
        step = "renaming the temporary file over it", err = errno;
        unlink(tmp);
    }
    steady__free(tmp);
    if (!step)
        step = sync_dir(path, &err);
    return step ? store_failed(path, step, err) : STEADY_OK;
}

/* ---- sweeping what interrupted stores left ---- */

/* The pid in `name` when it is "<base>.tmp.<pid>.<n>", else 0. */
static pid_t tmp_owner(const char *name, const char *base, size_t base_len)
{
    if (strncmp(name, base, base_len) != 0 || strncmp(name + base_len, ".tmp.", 5) != 0)
        return 0;
    long pid = 0;
    unsigned n = 0;
    int end = 0;
    if (sscanf(name + base_len + 5, "%ld.%u%n", &pid, &n, &end) != 2 ||
        name[base_len + 5 + (size_t)end] != '\0' || pid <= 0)
        return 0;
    return (pid_t)pid;
}

/* Whether a temporary file of process `owner` may go: its process is `pid`, or (pid 0) gone. */
static bool stale(pid_t owner, pid_t pid)
{
    if (pid)
        return owner == pid;
    return owner != getpid() && kill(owner, 0) != 0 && errno == ESRCH;
}

unsigned steady__durable_sweep(const char *path, pid_t pid)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) : 0;
    char dir[4096];
    if (dir_len >= sizeof dir)
        return 0;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(dir_len ? dir_len : 1), dir_len ? path : "/");
    else
        snprintf(dir, sizeof dir, ".");
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned removed = 0;
    size_t base_len = strlen(base);
    for (struct dirent *e; (e = readdir(d));) {
        pid_t owner = tmp_owner(e->d_name, base, base_len);
        if (owner && stale(owner, pid) && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    if (removed)
        STEADY_INFO("removed %u temporary file%s of '%s' left by a save that did not finish",
                    removed, removed == 1 ? "" : "s", path);
    return removed;
}
