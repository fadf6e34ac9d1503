/*
 * An installed-package consumer: built by tests/install/install_test.sh against the installed
 * headers and libraries only (pkg-config and find_package), never against the source tree.
 */
#include <steady/steady.h>

#include <stdio.h>

int main(void)
{
    printf("%s\n", steady_strerror(STEADY_OK));
    return 0;
}
