/* Compiled only by ctest core_flags_conversion, never by `all`: an implicit narrowing that
 * -Wconversion (on for every C file of the project, CMakeLists.txt) must report. */
#include <stdint.h>

uint8_t steady_conversion_probe(uint64_t wide);
uint8_t steady_conversion_probe(uint64_t wide)
{
    return wide + 1;
}
