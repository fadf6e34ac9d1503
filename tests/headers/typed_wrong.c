/* typed_wrong.c — typed channels refuse ends of another type at compile time.
 *
 * typed_wrong_test.sh compiles this file once per CASE: CASE 0 uses every call correctly and must
 * compile (the control: the same file, flags and headers); every other CASE passes one wrong end
 * and must be refused by the compiler with an "incompatible type" error. */
#include <steady/steady.h>

typedef struct msg {
    uint32_t code;
} msg;

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_CHANNEL_TYPE(msgch, msg);
STEADY_MAP_TYPE(u64ch, msgch);
#if CASE == 6 /* an element aligned past the slots' 64 bytes: refused, not misaligned */
typedef struct wide {
    _Alignas(128) char c;
} wide;
STEADY_CHANNEL_TYPE(widech, wide);
#endif

static void encode(void *ctx, const uint64_t *src, msg *dst, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        dst[i].code = (uint32_t)src[i];
}

int typed_wrong(steady_actor *a, u64ch_tx utx, u64ch_rx urx, msgch_tx mtx, msgch_rx mrx);
int typed_wrong(steady_actor *a, u64ch_tx utx, u64ch_rx urx, msgch_tx mtx, msgch_rx mrx)
{
    uint64_t v = 0;
    msg m = {0};
    (void)m;
    (void)mrx;
#if CASE == 0
    (void)u64ch_tx_send_wait(a, utx, 1);
    (void)u64ch_rx_take_wait(a, urx, &v);
    (void)msgch_tx_try_send(mtx, m);
    (void)u64ch_to_msgch_map(urx, mtx, 8, encode, NULL);
    (void)u64ch_to_msgch_commit(urx, 1, mtx, 1);
    (void)u64ch_rx_set_showstopper(urx, 2, utx);
#elif CASE == 1 /* a message channel's end where a u64 channel's is expected */
    (void)u64ch_tx_send_wait(a, mtx, 1);
#elif CASE == 2 /* a receiving end where a sending end is expected */
    (void)u64ch_tx_try_send(urx, 1);
#elif CASE == 3 /* the map's ends the wrong way round */
    (void)u64ch_to_msgch_map(mrx, utx, 8, encode, NULL);
#elif CASE == 4 /* a dead-letter channel of another element type */
    (void)u64ch_rx_set_showstopper(urx, 2, mtx);
#elif CASE == 5 /* a take into a buffer of another type */
    (void)u64ch_rx_take_wait(a, urx, &m);
#endif
    (void)a;
    (void)v;
    (void)utx;
    (void)urx;
    (void)mtx;
    (void)encode;
    return 0;
}
