/* A file no CMakeLists.txt builds: docs/excerpts.md may not quote it. */
static int orphan(void)
{
    return 0;
}
