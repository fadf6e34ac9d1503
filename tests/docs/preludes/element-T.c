/* Prelude of decl blocks that use the placeholder element type T (channel.md, bundle.md).
 * Included after <steady/steady.h>. */
typedef struct T {
    uint64_t value;
} T;
