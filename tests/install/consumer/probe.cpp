// Compiled only to see the flags steady::steady adds to a C++ source (install_test.sh).
// steady's headers are C; this unit does not include them.
int steady_consumer_cxx_probe();
int steady_consumer_cxx_probe()
{
    return 0;
}
