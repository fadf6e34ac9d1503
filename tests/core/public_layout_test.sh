#!/bin/sh
# public_layout_test.sh INCLUDE_DIR CORE_DIR — two promises of issue 10 about the public headers:
#   1. the channel layout users compile against (steady_ring, steady_tx, steady_rx in
#      steady/channel.h) holds no supervisor field: the showstopper counts and settings (ss_*)
#      live in the channel record of CORE_DIR/records.h, so changing them never changes the ABI;
#   2. the typed macros (steady/typed.h) move elements through channel.h's inline fast path
#      (steady__tx_send_one, steady__rx_copy_head and the public calls): typed.h touches no ring
#      index, slot or atomic itself, and each typed try_send / try_take / try_peek calls the
#      shared helper, so the two can never drift apart (the cost is gated by bench-gate's row msg).
set -eu
inc=$1
core=$2
status=0

# 1. Field lines of the three public structs: from "struct steady_ring {" (or typedef) to "}".
fields=$(awk '/^(typedef )?struct steady_(ring|tx|rx) \{/ { inside = 1; next }
              inside && /^\}/ { inside = 0 }
              inside' "$inc/channel.h")
if [ -z "$fields" ]; then
    echo "public_layout: no struct steady_ring / steady_tx / steady_rx found in $inc/channel.h" >&2
    exit 1
fi
if printf '%s\n' "$fields" | grep -n -E '(^|[^a-z_])(ss_[a-z_]+|[a-z_]*showstop[a-z_]*)[ \t]*(;|\[)'; then
    echo "public_layout: steady/channel.h's public channel structs hold the supervisor's" \
        "showstopper fields above; keep them in the channel record (src/core/records.h)"
    status=1
fi
if ! grep -q -E 'ss_head;' "$core/records.h"; then
    echo "public_layout: $core/records.h has no ss_head field: where did the showstopper counts go?"
    status=1
fi

# 2. typed.h does no element movement of its own.
if grep -n -E -- '->(ring|slots|mask|tail|head|limit|tail_cache|peeked|owner_gate)\b|memcpy|STEADY__(LOAD|STORE)|atomic_' "$inc/typed.h"; then
    echo "public_layout: steady/typed.h reaches into the ring itself (lines above); call" \
        "channel.h's inline fast path (steady__tx_send_one / steady__rx_copy_head) instead"
    status=1
fi
for call in '_tx_try_send:steady__tx_send_one' '_rx_try_take:steady__rx_copy_head' \
    '_rx_try_peek:steady__rx_copy_head'; do
    fn=${call%%:*}
    helper=${call#*:}
    body=$(awk -v fn="name##$fn(" 'index($0, fn) { grab = 4 } grab-- > 0' "$inc/typed.h")
    if ! printf '%s\n' "$body" | grep -q "$helper("; then
        echo "public_layout: typed.h's name$fn does not call $helper (the untyped fast path)"
        status=1
    fi
    if ! grep -q "STEADY__FAST steady_err $helper(" "$inc/channel.h"; then
        echo "public_layout: channel.h defines no inline $helper for the typed calls to share"
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "public_layout: PASS: no supervisor field in the public channel structs;" \
        "typed.h goes through channel.h's inline fast path"
fi
exit "$status"
