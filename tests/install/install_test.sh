#!/usr/bin/env bash
# Install the build tree into a temporary prefix and use it the way a downstream project would.
#
#   1. cmake --install <build dir> --prefix <tmp>/prefix
#   2. layout: headers only as include/steady/*.h (every public header, nothing from src/);
#      libsteady.so.0.1.0 with SONAME libsteady.so.0, symlinks libsteady.so.0 and libsteady.so,
#      libsteady.a; steady.pc; the CMake package; the shared library exports only steady_*
#      names that the installed headers declare
#   3. a consumer built with `cc ... $(pkg-config --cflags --libs steady)`, run -> "success";
#      the same linked statically from `pkg-config --static` (libsteady.a, -pthread, -lz)
#   4. the same consumer built by a CMake project with find_package(steady CONFIG REQUIRED)
#      against steady::steady and steady::steady_static, run -> "success"
#
# Run by ctest (tests/install/CMakeLists.txt sets the environment below). By hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/install/install_test.sh
# Set STEADY_KEEP_TMP=1 to keep the temporary directory for inspection.
set -euo pipefail

: "${STEADY_BUILD_DIR:?build directory}"
: "${STEADY_SOURCE_DIR:?source directory}"
STEADY_VERSION="${STEADY_VERSION:-0.1.0}"
STEADY_CC="${STEADY_CC:-cc}"
STEADY_CFLAGS="${STEADY_CFLAGS:--std=c11 -Wall -Wextra}"
STEADY_SANITIZE_FLAGS="${STEADY_SANITIZE_FLAGS:-}"
STEADY_CMAKE="${STEADY_CMAKE:-cmake}"
STEADY_CMAKE_GENERATOR="${STEADY_CMAKE_GENERATOR:-Unix Makefiles}"
STEADY_MAKE_PROGRAM="${STEADY_MAKE_PROGRAM:-}"
soversion="${STEADY_VERSION%%.*}"

fail() {
    echo "install test: FAIL: $*" >&2
    exit 1
}
step() { echo "== install test: $*"; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-install-test.XXXXXX")"
cleanup() {
    if [[ "${STEADY_KEEP_TMP:-0}" == 1 ]]; then
        echo "install test: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
prefix="$tmp/prefix"

# --- 1. install ---------------------------------------------------------------------------------
step "cmake --install $STEADY_BUILD_DIR --prefix $prefix"
"$STEADY_CMAKE" --install "$STEADY_BUILD_DIR" --prefix "$prefix" >"$tmp/install.log" ||
    { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

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
so0="$(find "$prefix" -name "libsteady.so.$soversion" | head -n 1)"
[[ -n "$so0" ]] || fail "libsteady.so.$soversion not installed"
libdir="$(dirname "$so0")"
[[ -L "$libdir/libsteady.so.$soversion" ]] || fail "libsteady.so.$soversion is not a symlink"
[[ -L "$libdir/libsteady.so" ]] || fail "libsteady.so (development symlink) missing"
real="$libdir/libsteady.so.$STEADY_VERSION"
[[ -f "$real" && ! -L "$real" ]] || fail "libsteady.so.$STEADY_VERSION missing"
[[ "$(readlink -f "$so0")" == "$(readlink -f "$real")" ]] ||
    fail "libsteady.so.$soversion does not point at libsteady.so.$STEADY_VERSION"
soname="$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"
[[ "$soname" == "libsteady.so.$soversion" ]] ||
    fail "SONAME is '$soname', expected libsteady.so.$soversion"
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

step "packaging files"
pcfile="$libdir/pkgconfig/steady.pc"
[[ -f "$pcfile" ]] || fail "steady.pc not installed in $libdir/pkgconfig"
cmakedir="$libdir/cmake/steady"
for f in steadyConfig.cmake steadyConfigVersion.cmake steadyTargets.cmake; do
    [[ -f "$cmakedir/$f" ]] || fail "$cmakedir/$f not installed"
done

read -r -a san <<<"$STEADY_SANITIZE_FLAGS"
read -r -a cflags <<<"$STEADY_CFLAGS"
consumer_src="$STEADY_SOURCE_DIR/tests/install/consumer"

check_output() { # program, label
    local out
    out="$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$1")" ||
        fail "$2: exited with status $?"
    [[ "$out" == "success" ]] || fail "$2: printed '$out', expected 'success'"
    echo "   $2: $out"
}

# --- 3. pkg-config consumer ---------------------------------------------------------------------
step "consumer through pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
modversion="$(pkg-config --modversion steady)" || fail "pkg-config cannot read steady.pc"
[[ "$modversion" == "$STEADY_VERSION" ]] ||
    fail "pkg-config --modversion steady is '$modversion', expected $STEADY_VERSION"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs steady)"
echo "   $STEADY_CC ${cflags[*]} ${san[*]} consumer.c ${pc_flags[*]}"
"$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/consumer.c" "${pc_flags[@]}" \
    -o "$tmp/consumer_pc" || fail "the pkg-config consumer did not build"
readelf -d "$tmp/consumer_pc" | grep -q "(NEEDED).*\[libsteady.so.$soversion\]" ||
    fail "the pkg-config consumer does not need libsteady.so.$soversion"
check_output "$tmp/consumer_pc" "pkg-config consumer"

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

# --- 4. CMake consumer --------------------------------------------------------------------------
step "consumer through find_package(steady CONFIG)"
gen_args=(-G "$STEADY_CMAKE_GENERATOR")
[[ -n "$STEADY_MAKE_PROGRAM" ]] && gen_args+=("-DCMAKE_MAKE_PROGRAM=$STEADY_MAKE_PROGRAM")
"$STEADY_CMAKE" -S "$consumer_src" -B "$tmp/consumer-build" "${gen_args[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_COMPILER="$STEADY_CC" \
    -DCMAKE_C_FLAGS="$STEADY_CFLAGS $STEADY_SANITIZE_FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="$STEADY_SANITIZE_FLAGS" >"$tmp/consumer-configure.log" 2>&1 ||
    { cat "$tmp/consumer-configure.log" >&2; fail "the CMake consumer did not configure"; }
found_dir="$(sed -n 's/^steady_DIR:PATH=//p' "$tmp/consumer-build/CMakeCache.txt")"
[[ "$(readlink -f "$found_dir")" == "$(readlink -f "$cmakedir")" ]] ||
    fail "find_package(steady) used '$found_dir', not the installed $cmakedir"
"$STEADY_CMAKE" --build "$tmp/consumer-build" >"$tmp/consumer-build.log" 2>&1 ||
    { cat "$tmp/consumer-build.log" >&2; fail "the CMake consumer did not build"; }
check_output "$tmp/consumer-build/consumer" "CMake consumer (steady::steady)"
check_output "$tmp/consumer-build/consumer_static" "CMake consumer (steady::steady_static)"

echo "install test: PASS"
