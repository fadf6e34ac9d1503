/* Prelude of decl blocks that show what STEADY_CHANNEL_TYPE(name, T) declares (channel.md).
 * Included after <steady/steady.h>. */
typedef struct T {
    uint64_t value;
} T;
STEADY_CHANNEL_TYPE(name, T);
