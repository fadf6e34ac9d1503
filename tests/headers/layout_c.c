/*
 * layout_c.c: the C half of headers_cxx17_test.cpp (compiled as C11 into the C++ test program):
 * the public structs' layout, the C values of STEADY_POLICY_DEFAULT and a condition
 * constructor, and the C inline channel fast paths, so the C++ test can compare both languages
 * and mix them on one channel.
 */
#include "layout.h"

STEADY_CHANNEL_TYPE(cu64, uint64_t);

const headers_layout headers_c_layout[] = {HEADERS_SIZES(HEADERS_SIZE_ROW)
                                               HEADERS_FIELDS(HEADERS_FIELD_ROW)};
const size_t headers_c_layout_count = sizeof headers_c_layout / sizeof headers_c_layout[0];

steady_policy headers_c_policy_default(void)
{
    return STEADY_POLICY_DEFAULT;
}

steady_cond headers_c_cond_avail_lane(steady_rx_bundle *b, uint64_t n, uint32_t *lane)
{
    return steady_cond_avail_lane(b, n, lane);
}

steady_err headers_c_try_send(steady_tx *tx, uint64_t v)
{
    return cu64_tx_try_send((cu64_tx){tx}, v);
}

steady_err headers_c_try_take(steady_rx *rx, uint64_t *v)
{
    return cu64_rx_try_take((cu64_rx){rx}, v);
}
