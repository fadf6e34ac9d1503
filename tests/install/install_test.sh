#!/usr/bin/env bash
# Install the build tree into a temporary prefix and use it the way a downstream project would.
#
#   1. cmake --install <build dir> --prefix <tmp>/prefix
#   2. layout: headers only as include/steady/*.h (every public header, nothing from src/);
#      libsteady.so.<version> with SONAME libsteady.so.<soversion>, its symlinks, libsteady.a;
#      steady.pc; the CMake package; the installed header's version; the shared library exports
#      only steady_* names that the installed headers declare
#   3. what steady passes on to its users' code (-fstack-clash-protection): in pkg-config
#      --cflags, and on every C and C++ (not assembly) compile line of a CMake consumer
#   4. a consumer built with `cc ... $(pkg-config --cflags --libs steady) -Wl,-rpath,<libdir>`,
#      run with no LD_LIBRARY_PATH -> "success"; the same linked statically (pkg-config --static)
#   5. the same consumer built by a CMake project with find_package(steady CONFIG REQUIRED)
#      against steady::steady and steady::steady_static, run from its build tree and after
#      `cmake --install` into another prefix (its RUNPATH finds libsteady.so) -> "success"
#   6. `make install-files PREFIX=/opt/steady DESTDIR=<tmp>/stage` (what `make install` runs
#      after building) stages the tree under DESTDIR; the staged package still works
#      (steady.pc and the CMake package are relocatable); a relative PREFIX or DESTDIR is
#      refused with a message naming it
#
# Run by ctest (tests/install/CMakeLists.txt sets the environment; lib.sh lists it). By hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/install/install_test.sh
# Set STEADY_KEEP_TMP=1 to keep the temporary directory for inspection.
set -euo pipefail
NAME=install
# shellcheck source=tests/install/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prefix="$tmp/prefix"

# --- 1. install ---------------------------------------------------------------------------------
step "cmake --install $STEADY_BUILD_DIR --prefix $prefix"
install_to "$prefix"

# --- 2. layout ----------------------------------------------------------------------------------
step "headers: include/steady/*.h only"
[[ -f "$prefix/include/steady/steady.h" ]] || fail "include/steady/steady.h not installed"
others="$(find "$prefix/include" -mindepth 1 -maxdepth 1 ! -name steady)"
[[ -z "$others" ]] || fail "unexpected entries under include/: $others"
bad="$(find "$prefix" \( -type f -o -type l \) \
    \( -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.inc' -o -name '*.inl' \) |
    grep -Ev "^$prefix/include/steady/[^/]+\.h$" || true)"
[[ -z "$bad" ]] || fail "headers installed outside include/steady/ (internal headers?): $bad"
nested="$(find "$prefix/include/steady" -mindepth 1 \( -type d -o ! -name '*.h' \))"
[[ -z "$nested" ]] || fail "unexpected entries under include/steady/: $nested"
for h in "$STEADY_SOURCE_DIR"/include/steady/*.h; do
    [[ -f "$prefix/include/steady/$(basename "$h")" ]] ||
        fail "public header $(basename "$h") not installed"
done
while IFS= read -r -d '' f; do
    base="$(basename "$f")"
    [[ -f "$STEADY_SOURCE_DIR/include/steady/$base" ]] ||
        fail "installed header $base is not in include/steady/"
done < <(find "$prefix/include/steady" -name '*.h' -print0)

step "libraries: versioned SONAME, symlinks, static archive"
so="$libdir/libsteady.so.$STEADY_SOVERSION"
real="$libdir/libsteady.so.$STEADY_VERSION"
[[ -L "$so" ]] || fail "libsteady.so.$STEADY_SOVERSION (the SONAME link) not installed in $libdir"
[[ -L "$libdir/libsteady.so" ]] || fail "libsteady.so (development symlink) missing"
[[ -f "$real" && ! -L "$real" ]] || fail "libsteady.so.$STEADY_VERSION missing"
[[ "$(readlink -f "$so")" == "$(readlink -f "$real")" ]] ||
    fail "libsteady.so.$STEADY_SOVERSION does not point at libsteady.so.$STEADY_VERSION"
soname="$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"
[[ "$soname" == "libsteady.so.$STEADY_SOVERSION" ]] ||
    fail "SONAME is '$soname', expected libsteady.so.$STEADY_SOVERSION"
[[ -f "$libdir/libsteady.a" ]] || fail "libsteady.a not installed"

step "exports: only names declared in the installed public headers"
# With -fvisibility=hidden only STEADY_API declarations are exported. Each exported name must be
# steady_* (steady__* included: helpers that public macros and inline functions call) and appear
# in an installed header. Linker-defined symbols and compiler/sanitizer internals (__*) are not
# ours.
exported="$(nm -D --defined-only "$real" | awk '{ print $NF }' |
    grep -Ev '^(_init|_fini|_edata|_end|__bss_start|__.*)$' || true)"
grep -qx 'steady_strerror' <<<"$exported" || fail "steady_strerror is not exported"
unprefixed="$(grep -Ev '^steady_' <<<"$exported" || true)"
[[ -z "$unprefixed" ]] || fail "exported symbols without the steady_ prefix:" \
    "$(tr '\n' ' ' <<<"$unprefixed")(the library is built with -fvisibility=hidden:" \
    "only STEADY_API declarations may be exported)"
undeclared=""
while IFS= read -r sym; do
    grep -qw -- "$sym" "$prefix"/include/steady/*.h || undeclared+="$sym "
done <<<"$exported"
[[ -z "$undeclared" ]] || fail "exported symbols not declared in any installed header:" \
    "$undeclared(mark STEADY_API only declarations in include/steady/)"
echo "   $(wc -l <<<"$exported") symbols exported"

# check_library NAME KEY_SYMBOL HEADER...: the installed shared library NAME (libNAME.so.VERSION,
# a real file; its SONAME link and development symlink; SONAME libNAME.so.SOVERSION) exports
# KEY_SYMBOL, and every name it exports is declared in one of the installed HEADERs. Leaves the
# exported names in lib_exported and the file in lib_real for the checks particular to it.
check_library() {
    local name="$1" key="$2" sym soname
    shift 2
    lib_real="$libdir/lib$name.so.$STEADY_VERSION"
    [[ -f "$lib_real" && ! -L "$lib_real" ]] || fail "lib$name.so.$STEADY_VERSION not installed in $libdir"
    [[ -L "$libdir/lib$name.so.$STEADY_SOVERSION" && -L "$libdir/lib$name.so" ]] ||
        fail "lib$name.so's SONAME link or development symlink is missing"
    soname="$(readelf -d "$lib_real" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"
    [[ "$soname" == "lib$name.so.$STEADY_SOVERSION" ]] ||
        fail "lib$name's SONAME is '$soname', expected lib$name.so.$STEADY_SOVERSION"
    lib_exported="$(nm -D --defined-only "$lib_real" | awk '{ print $NF }' |
        grep -Ev '^(_init|_fini|_edata|_end|__bss_start|__.*)$' || true)"
    grep -qx -- "$key" <<<"$lib_exported" || fail "$key is not exported by lib$name"
    while IFS= read -r sym; do
        grep -qw -- "$sym" "$@" ||
            fail "lib$name exports $sym, which no installed ${*#"$prefix/include/"} declares"
    done <<<"$lib_exported"
    echo "   $(wc -l <<<"$lib_exported") symbols exported"
}

step "the testing kit: libsteady-testing, its SONAME, its exports (steady_test_* of steady/testing.h)"
check_library steady-testing steady_test_search "$prefix/include/steady/testing.h"
[[ -f "$libdir/libsteady-testing.a" ]] || fail "libsteady-testing.a not installed"
readelf -d "$lib_real" | grep -q "(NEEDED).*\[libsteady.so.$STEADY_SOVERSION\]" ||
    fail "libsteady-testing does not need libsteady.so.$STEADY_SOVERSION"
stray="$(grep -Ev '^steady_test_' <<<"$lib_exported" || true)"
[[ -z "$stray" ]] || fail "libsteady-testing exports names outside steady_test_*: $(tr '\n' ' ' <<<"$stray")"

step "the bridge library: libsteady-bridge, its SONAME, its exports (steady/bridge*.h)"
check_library steady-bridge steady_uri_parse "$prefix"/include/steady/bridge*.h
[[ -f "$libdir/libsteady-bridge.a" ]] || fail "libsteady-bridge.a not installed"

step "the telemetry library: libsteady-telemetry, its SONAME, RUNPATH and exports (steady/telemetry.h)"
check_library steady-telemetry steady_telemetry_start "$prefix/include/steady/telemetry.h"
[[ -f "$pcdir/steady-telemetry.pc" ]] || fail "steady-telemetry.pc not installed in $pcdir"
readelf -d "$lib_real" | grep -q 'R.*PATH.*\[\$ORIGIN\]' ||
    fail "libsteady-telemetry cannot find libsteady.so beside it (no \$ORIGIN RUNPATH)"

step "packaging files and the installed version"
[[ "$pcdir" == "$libdir/pkgconfig" ]] || fail "steady.pc is in $pcdir, not $libdir/pkgconfig"
for f in steadyConfig.cmake steadyConfigVersion.cmake steadyTargets.cmake; do
    [[ -f "$cmakedir/$f" ]] || fail "$cmakedir/$f not installed"
done
header_version="$(for part in MAJOR MINOR PATCH; do
    sed -n "s/^#define STEADY_VERSION_$part \([0-9]*\)$/\1/p" "$prefix/include/steady/error.h"
done | paste -sd.)"
[[ "$header_version" == "$STEADY_VERSION" ]] ||
    fail "the installed steady/error.h says version '$header_version', the build $STEADY_VERSION"

# --- 3. flags passed on to consumers ------------------------------------------------------------
export PKG_CONFIG_PATH="$pcdir"
step "pkg-config --cflags steady passes on: ${consumer_flags[*]}"
modversion="$(pkg-config --modversion steady)" || fail "pkg-config cannot read steady.pc"
[[ "$modversion" == "$STEADY_VERSION" ]] ||
    fail "pkg-config --modversion steady is '$modversion', expected $STEADY_VERSION"
pc_cflags="$(pkg-config --cflags steady)"
for flag in "${consumer_flags[@]}"; do
    [[ " $pc_cflags " == *" $flag "* ]] ||
        fail "pkg-config --cflags steady is '$pc_cflags': it lacks $flag (steady.pc's Cflags)"
done
echo "   pkg-config --cflags steady: $pc_cflags"

step "consumer through find_package(steady CONFIG)"
cmake_consumer "$consumer_src" "$tmp/consumer-build" "$prefix"

step "steady::steady passes on ${consumer_flags[*]} to C and C++ sources, not to assembly"
commands="$tmp/consumer-build/compile_commands.json"
[[ -f "$commands" ]] || fail "the CMake consumer wrote no compile_commands.json"
compile_line() { # source file name -> its "command" line in compile_commands.json
    grep -F '"command":' "$commands" | grep -F "/$1" || true
}
probe_langs=(consumer.c overflow.c probe.S)
grep -q 'probe\.cpp' "$commands" && probe_langs+=(probe.cpp)
for src in "${probe_langs[@]}"; do
    lines="$(compile_line "$src")"
    [[ -n "$lines" ]] || fail "no compile line for $src in $commands"
    while IFS= read -r line; do
        for flag in "${consumer_flags[@]}"; do
            if [[ "$src" == *.S ]]; then
                [[ "$line" != *" $flag "* ]] ||
                    fail "steady::steady passes $flag to assembly ($src): $line"
            else
                [[ "$line" == *" $flag "* ]] ||
                    fail "steady::steady does not pass $flag to $src (INTERFACE_COMPILE_OPTIONS): $line"
            fi
        done
    done <<<"$lines"
    echo "   $src ($(grep -c . <<<"$lines") compile lines): $([[ "$src" == *.S ]] &&
        echo "not passed (assembly)" || echo passed)"
done
[[ " ${probe_langs[*]} " == *" probe.cpp "* ]] ||
    echo "   probe.cpp: not checked (no C++ compiler; the consumer skipped it)"

# --- 4. pkg-config consumers --------------------------------------------------------------------
check_output() { # program, label
    local out
    out="$("$1")" || fail "$2: exited with status $?"
    [[ "$out" == "success" ]] || fail "$2: printed '$out', expected 'success'"
    echo "   $2: $out"
}

step "consumer through pkg-config, found at run time through its RUNPATH"
pc_libdir="$(pkg-config --variable=libdir steady)"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs steady)"
echo "   $STEADY_CC ${cflags[*]} ${san[*]} consumer.c ${pc_flags[*]} -Wl,-rpath,$pc_libdir"
"$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/consumer.c" "${pc_flags[@]}" \
    "-Wl,-rpath,$pc_libdir" -o "$tmp/consumer_pc" || fail "the pkg-config consumer did not build"
readelf -d "$tmp/consumer_pc" | grep -q "(NEEDED).*\[libsteady.so.$STEADY_SOVERSION\]" ||
    fail "the pkg-config consumer does not need libsteady.so.$STEADY_SOVERSION"
has_runpath "$tmp/consumer_pc" "$libdir" || fail "the pkg-config consumer has no RUNPATH to $libdir"
check_output "$tmp/consumer_pc" "pkg-config consumer"

step "a test program through pkg-config steady-testing"
[[ -f "$pcdir/steady-testing.pc" ]] || fail "steady-testing.pc not installed in $pcdir"
[[ "$(pkg-config --modversion steady-testing)" == "$STEADY_VERSION" ]] ||
    fail "pkg-config --modversion steady-testing is not $STEADY_VERSION"
read -r -a pct_flags <<<"$(pkg-config --cflags --libs steady-testing)"
[[ " ${pct_flags[*]} " == *" -lsteady-testing "* && " ${pct_flags[*]} " == *" -lsteady "* ]] ||
    fail "pkg-config --libs steady-testing is '${pct_flags[*]}': it needs -lsteady-testing and -lsteady"
echo "   $STEADY_CC ${cflags[*]} ${san[*]} consumer_testing.c ${pct_flags[*]} -Wl,-rpath,$pc_libdir"
"$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/consumer_testing.c" "${pct_flags[@]}" \
    "-Wl,-rpath,$pc_libdir" -o "$tmp/consumer_testing_pc" ||
    fail "the pkg-config steady-testing consumer did not build"
check_output "$tmp/consumer_testing_pc" "pkg-config steady-testing consumer"

step "a bridge program through pkg-config steady-bridge"
[[ -f "$pcdir/steady-bridge.pc" ]] || fail "steady-bridge.pc not installed in $pcdir"
read -r -a pcb_flags <<<"$(pkg-config --cflags --libs steady-bridge)"
[[ " ${pcb_flags[*]} " == *" -lsteady-bridge "* && " ${pcb_flags[*]} " == *" -lsteady "* ]] ||
    fail "pkg-config --libs steady-bridge is '${pcb_flags[*]}': it needs -lsteady-bridge and -lsteady"
"$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/consumer_bridge.c" "${pcb_flags[@]}" \
    "-Wl,-rpath,$pc_libdir" -o "$tmp/consumer_bridge_pc" ||
    fail "the pkg-config steady-bridge consumer did not build"
check_output "$tmp/consumer_bridge_pc" "pkg-config steady-bridge consumer"

step "static consumer through pkg-config --static"
# --static adds Libs.private and Requires.private (zlib); -l:libsteady.a picks the archive.
pc_static_flags="$(pkg-config --static --cflags --libs steady)" ||
    fail "pkg-config --static cannot read steady.pc (are its Requires.private installed?)"
read -r -a pc_static <<<"$pc_static_flags"
[[ " ${pc_static[*]} " == *" -lz "* ]] ||
    fail "pkg-config --static --libs steady does not list -lz (Requires.private: zlib)"
pc_static=("${pc_static[@]/#-lsteady/-l:libsteady.a}")
echo "   $STEADY_CC ${cflags[*]} ${san[*]} consumer.c ${pc_static[*]}"
"$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/consumer.c" "${pc_static[@]}" \
    -o "$tmp/consumer_pc_static" || fail "the static pkg-config consumer did not build"
! readelf -d "$tmp/consumer_pc_static" | grep -q "(NEEDED).*\[libsteady.so" ||
    fail "the static pkg-config consumer needs libsteady.so"
check_output "$tmp/consumer_pc_static" "static pkg-config consumer"

# --- 5. CMake consumer --------------------------------------------------------------------------
step "CMake consumer, from its build tree and installed into another prefix"
check_output "$tmp/consumer-build/consumer" "CMake consumer (steady::steady)"
check_output "$tmp/consumer-build/consumer_static" "CMake consumer (steady::steady_static)"
check_output "$tmp/consumer-build/consumer_testing" "CMake consumer (steady::testing)"
check_output "$tmp/consumer-build/consumer_testing_static" "CMake consumer (steady::testing_static)"
! readelf -d "$tmp/consumer-build/consumer_testing_static" | grep -q "(NEEDED).*\[libsteady" ||
    fail "the steady::testing_static consumer needs a shared libsteady library"
check_output "$tmp/consumer-build/consumer_bridge" "CMake consumer (steady::bridge)"
check_output "$tmp/consumer-build/consumer_bridge_static" "CMake consumer (steady::bridge_static)"
"$STEADY_CMAKE" --install "$tmp/consumer-build" --prefix "$tmp/app" >"$tmp/app-install.log" 2>&1 ||
    { cat "$tmp/app-install.log" >&2; fail "the CMake consumer did not install"; }
has_runpath "$tmp/app/bin/consumer" "$libdir" ||
    fail "the installed CMake consumer has no RUNPATH to $libdir (CMAKE_INSTALL_RPATH_USE_LINK_PATH)"
check_output "$tmp/app/bin/consumer" "installed CMake consumer (steady::steady)"

# --- 6. make install-files with DESTDIR ---------------------------------------------------------
step "make install-files PREFIX=/opt/steady DESTDIR=$tmp/stage"
stage="$tmp/stage"
[[ -e /opt/steady/include/steady/steady.h ]] && opt_had_steady=1 || opt_had_steady=0
make -C "$STEADY_SOURCE_DIR" --no-print-directory install-files RELEASE_DIR="$STEADY_BUILD_DIR" \
    PREFIX=/opt/steady DESTDIR="$stage" >"$tmp/make-install.log" 2>&1 ||
    { cat "$tmp/make-install.log" >&2; fail "make install-files failed"; }
staged_pc="$(find "$stage" -name steady.pc)"
[[ "$staged_pc" == "$stage/opt/steady/"*/pkgconfig/steady.pc ]] ||
    fail "steady.pc was staged at '$staged_pc', not under $stage/opt/steady"
[[ -f "$stage/opt/steady/include/steady/steady.h" ]] || fail "headers not staged under DESTDIR"
[[ $opt_had_steady == 1 || ! -e /opt/steady/include/steady/steady.h ]] ||
    fail "make install-files wrote into /opt/steady instead of under DESTDIR"
staged_includes="$(PKG_CONFIG_PATH="$(dirname "$staged_pc")" pkg-config --cflags-only-I steady)"
[[ "$staged_includes" == "-I$stage/opt/steady/"* ]] ||
    fail "the staged steady.pc points at '$staged_includes', not into the staged tree"
grep -q "^-- installed steady $STEADY_VERSION into $stage/opt/steady" "$tmp/make-install.log" ||
    fail "make install-files did not say where it installed: $(cat "$tmp/make-install.log")"
echo "   $(grep -c . "$tmp/make-install.log") lines; staged steady.pc: ${staged_pc#"$stage"}"

step "make install-files refuses a relative PREFIX or DESTDIR, naming it"
for bad in "PREFIX=opt/steady" "DESTDIR=stage"; do
    set +e
    make -C "$STEADY_SOURCE_DIR" --no-print-directory install-files \
        RELEASE_DIR="$STEADY_BUILD_DIR" PREFIX=/opt/steady "$bad" >"$tmp/bad.log" 2>&1
    status=$?
    set -e
    [[ $status -ne 0 ]] || fail "make install-files $bad succeeded"
    if ! grep -qF "must be" "$tmp/bad.log" || ! grep -qF "'${bad#*=}'" "$tmp/bad.log"; then
        fail "make install-files $bad: no clear message: $(cat "$tmp/bad.log")"
    fi
    echo "   $bad: $(head -n 1 "$tmp/bad.log")"
done

echo "$NAME test: PASS"
