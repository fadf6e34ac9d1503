#!/bin/sh
# conversion_flags_test.sh CMAKE BUILD_DIR OBJECT_DIR — -Wconversion is on for the project's C files, as
# ../STYLE asks (issue 10), whether or not STEADY_WERROR makes warnings errors. Builds the probe
# target core_conversion_probe (tests/core/probe/conversion_probe.c: an implicit uint64_t ->
# uint8_t narrowing; not part of `all`), compiled with the same directory flags as the library,
# and expects the compiler to name the warning. Under -Werror the build fails, which is expected.
# The probe's object (under OBJECT_DIR) is deleted first, so every run compiles it again.
set -u
cmake=$1
build=$2
objdir=$3
[ -d "$objdir" ] && find "$objdir" -name '*.o' -delete
out=$("$cmake" --build "$build" --target core_conversion_probe 2>&1)
rc=$?
# gcc names the warning -Wconversion; clang names the member of -Wconversion that fired
# (-Wimplicit-int-conversion), which neither -Wall nor -Wextra turns on.
if printf '%s\n' "$out" | grep -q -E '\[-W(error=|error,-W)?(conversion|implicit-int-conversion)\]'; then
    echo "conversion_flags: PASS: the compiler reports the probe's narrowing under -Wconversion" \
        "(build exit $rc)"
    exit 0
fi
printf '%s\n' "$out"
echo "conversion_flags: the probe's implicit narrowing compiled without a -Wconversion warning;" \
    "is -Wconversion still in add_compile_options (CMakeLists.txt)?"
exit 1
