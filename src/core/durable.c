/* core/durable.c — durable state blocks. (Placeholder: replaced by the real implementation.) */
#include "core/internal.h"

#include <stdio.h>

steady__load_result steady__durable_load(const char *path, void *block, size_t size, char *why,
                                         size_t cap)
{
    (void)path;
    (void)block;
    (void)size;
    snprintf(why, cap, "durable state is not implemented yet");
    return STEADY__STATE_MISSING;
}

steady_err steady__durable_store(const char *path, const void *block, size_t size)
{
    (void)block;
    (void)size;
    return steady__fail(STEADY_ESYS, "state file '%s': durable state is not implemented yet",
                        path);
}
