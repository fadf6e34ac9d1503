#define _POSIX_C_SOURCE 200809L /* open, pread, off_t */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct reader_io {
    const char *path;
    u64ch_tx out;
} reader_io;

static void close_fd(void *ctx)
{
    close((int)(intptr_t)ctx);
}

static int reader(steady_actor *a, void *arg)
{
    reader_io *io = arg;
    off_t *offset = steady_actor_state(a); /* survives restarts */
    int fd = open(io->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        steady_panic("cannot open '%s': %s", io->path,
                     strerror(errno)); /* retried after a backoff */
    if (steady_arena_defer(a, close_fd, (void *)(intptr_t)fd) != STEADY_OK) {
        close(fd);
        return 1; /* a failure: restarted */
    }
    char *buf = steady_arena_alloc(a, 1 << 16); /* this generation's, freed at its end */
    STEADY_ASSERT(buf != NULL);
    ssize_t n = 1;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->out)))) {
        if (n == 0) { /* end of file: wait for the stop */
            steady_wait_shutdown(a);
            continue;
        }
        steady_reason r = steady_wait_vacant(a, io->out, 1);
        if (r == STEADY_CLOSED)
            break; /* the consumer is gone */
        if (r != STEADY_READY)
            continue; /* SHUTDOWN: the loop condition evaluates the veto */
        if ((n = pread(fd, buf, 1 << 16, *offset)) < 0)
            steady_panic("read '%s': %s", io->path, strerror(errno));
        if (n > 0) {
            u64ch_tx_try_send(io->out, (uint64_t)n); /* the chunk's size; room was checked */
            *offset += n;
        }
    }
    return 0; /* close_fd runs, buf is freed */
}

/* The rest of this file (examples/docs/arena_reader.c) writes a 200,000-byte file, reads it
 * with the reader, and checks that the chunk sizes add up to the file's size. */
#include <inttypes.h>
#include <stdio.h>

#define FILE_SIZE 200000

typedef struct counter_io {
    u64ch_rx in;
    uint64_t bytes;
} counter_io;

/* Adds up the chunk sizes; asks the graph to stop once the whole file has been read. */
static int counter(steady_actor *a, void *arg)
{
    counter_io *io = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)))) {
        steady_reason r = steady_wait_avail(a, io->in, 1);
        if (r == STEADY_CLOSED)
            break;
        uint64_t n;
        while (u64ch_rx_try_take(io->in, &n) == STEADY_OK)
            if ((io->bytes += n) == FILE_SIZE)
                steady_actor_request_shutdown(a);
    }
    return 0;
}

static int write_file(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    for (int i = 0; i < FILE_SIZE; i++)
        fputc(i & 0xff, f);
    return fclose(f);
}

int main(void)
{
    steady_graph *g;
    steady_actor *r;
    reader_io rio = {.path = "input.bin"};
    counter_io cio = {0};
    if (write_file(rio.path) != 0) {
        perror(rio.path);
        return 1;
    }
    if (steady_graph_new(&g, NULL) || u64ch_new(g, "chunks", 4, &rio.out, &cio.in) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "reader",
                                                .run = reader,
                                                .arg = &rio,
                                                .txs = STEADY_TXS(rio.out),
                                                .state_size = sizeof(off_t)},
                           &r) ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "counter", .run = counter, .arg = &cio, .rxs = STEADY_RXS(cio.in)},
            NULL) ||
        steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    off_t offset = *(const off_t *)steady_actor_state(r);
    printf("read %" PRIu64 " bytes in chunks; the reader's offset is %lld\n", cio.bytes,
           (long long)offset);
    int ok = e == STEADY_OK && cio.bytes == FILE_SIZE && offset == FILE_SIZE;
    steady_graph_free(g);
    remove(rio.path);
    return ok ? 0 : 1;
}
