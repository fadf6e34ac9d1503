/*
 * An installed-package consumer: built by tests/install/install_test.sh against the installed
 * headers and libraries only (pkg-config and find_package), never against the source tree.
 *
 * steady_actor_persist pulls the durable-state code, and with it zlib's crc32, into the static
 * builds: they link only if pkg-config --static and steady::steady_static bring -lz along.
 */
#include <steady/steady.h>

#include <stdio.h>

int main(void)
{
    if (steady_actor_persist(NULL) != STEADY_EINVAL)
        return 1;
    printf("%s\n", steady_strerror(STEADY_OK));
    return 0;
}
