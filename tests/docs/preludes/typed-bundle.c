/* Prelude of decl blocks that show what STEADY_BUNDLE_TYPE(name, T) declares (bundle.md).
 * Included after <steady/steady.h>. */
typedef struct T {
    uint64_t value;
} T;
STEADY_BUNDLE_TYPE(name, T);
