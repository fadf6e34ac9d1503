/* Prelude of decl blocks that show what STEADY_MAP_TYPE(in, out) declares (typed.md).
 * Included after <steady/steady.h>. */
typedef struct T {
    uint64_t value;
} T;
typedef struct U {
    uint32_t code;
} U;
STEADY_CHANNEL_TYPE(in, T);
STEADY_CHANNEL_TYPE(out, U);
STEADY_MAP_TYPE(in, out);
