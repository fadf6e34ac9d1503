# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are used by the scripts that source it
# Shared by the tests/install scripts (sourced, not run). Before sourcing, a script sets NAME
# (its name in messages). It provides:
#   fail MSG...           print "NAME: FAIL: MSG" to stderr and exit 1
#   step MSG...           print "== NAME: MSG"
#   $tmp                  a temporary directory, removed on exit (STEADY_KEEP_TMP=1 keeps it)
#   install_to DIR        cmake --install the build tree into DIR; sets $libdir, $pcdir, $cmakedir
#   $cflags $san $pc_env  the environment's compiler flags as arrays (see below)
#
# Environment (set by tests/install/CMakeLists.txt; defaults for a run by hand):
#   STEADY_BUILD_DIR, STEADY_SOURCE_DIR   required
#   STEADY_VERSION (0.1.0), STEADY_SOVERSION (0.1), STEADY_CC (cc), STEADY_CFLAGS,
#   STEADY_SANITIZE_FLAGS (the library's -fsanitize flags: consumers of an instrumented library
#   need them too), STEADY_CMAKE, STEADY_CMAKE_GENERATOR, STEADY_MAKE_PROGRAM
#
# What steady must pass on to its users' C and C++ code is fixed here, not taken from the build:
# a build that stopped passing it must fail these tests.
consumer_flags=(-fstack-clash-protection)

: "${NAME:?set NAME before sourcing lib.sh}"
: "${STEADY_BUILD_DIR:?build directory}"
: "${STEADY_SOURCE_DIR:?source directory}"
STEADY_VERSION="${STEADY_VERSION:-0.1.0}"
STEADY_SOVERSION="${STEADY_SOVERSION:-0.1}"
STEADY_CC="${STEADY_CC:-cc}"
STEADY_CFLAGS="${STEADY_CFLAGS:--std=c11 -Wall -Wextra}"
STEADY_SANITIZE_FLAGS="${STEADY_SANITIZE_FLAGS:-}"
STEADY_CMAKE="${STEADY_CMAKE:-cmake}"
STEADY_CMAKE_GENERATOR="${STEADY_CMAKE_GENERATOR:-Unix Makefiles}"
STEADY_MAKE_PROGRAM="${STEADY_MAKE_PROGRAM:-}"

fail() {
    echo "$NAME: FAIL: $*" >&2
    exit 1
}
step() { echo "== $NAME: $*"; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-$NAME.XXXXXX")"
cleanup() {
    if [[ "${STEADY_KEEP_TMP:-0}" == 1 ]]; then
        echo "$NAME: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

read -r -a san <<<"$STEADY_SANITIZE_FLAGS"
read -r -a cflags <<<"$STEADY_CFLAGS"
consumer_src="$STEADY_SOURCE_DIR/tests/install/consumer"

# Nothing here may find libsteady.so through the environment: installed programs must find it
# through their RUNPATH.
unset LD_LIBRARY_PATH

install_to() { # prefix
    "$STEADY_CMAKE" --install "$STEADY_BUILD_DIR" --prefix "$1" >"$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log" >&2; fail "cmake --install $STEADY_BUILD_DIR --prefix $1 failed"; }
    local pc
    pc="$(find "$1" -name steady.pc | head -n 1)"
    [[ -n "$pc" ]] || fail "steady.pc not installed under $1"
    pcdir="$(dirname "$pc")"
    libdir="$(dirname "$pcdir")"
    cmakedir="$libdir/cmake/steady"
}

# cmake_consumer SRC BUILD PREFIX [more cmake args]: configure and build a consumer project the
# way a downstream project would, against the package installed in PREFIX.
cmake_consumer() {
    local src="$1" build="$2" prefix="$3"
    shift 3
    local gen_args=(-G "$STEADY_CMAKE_GENERATOR")
    [[ -n "$STEADY_MAKE_PROGRAM" ]] && gen_args+=("-DCMAKE_MAKE_PROGRAM=$STEADY_MAKE_PROGRAM")
    "$STEADY_CMAKE" -S "$src" -B "$build" "${gen_args[@]}" \
        -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        -DCMAKE_C_COMPILER="$STEADY_CC" \
        -DCMAKE_C_FLAGS="$STEADY_CFLAGS $STEADY_SANITIZE_FLAGS" \
        -DCMAKE_EXE_LINKER_FLAGS="$STEADY_SANITIZE_FLAGS" "$@" >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log" >&2; fail "the CMake consumer in $src did not configure"; }
    local found_dir
    found_dir="$(sed -n 's/^steady_DIR:PATH=//p' "$build/CMakeCache.txt")"
    [[ "$(readlink -f "$found_dir")" == "$(readlink -f "$prefix")"/* ]] ||
        fail "find_package(steady) used '$found_dir', not the package installed in $prefix"
    "$STEADY_CMAKE" --build "$build" >"$build.build.log" 2>&1 ||
        { cat "$build.build.log" >&2; fail "the CMake consumer in $src did not build"; }
}

# has_runpath BINARY DIR: BINARY's RUNPATH (or RPATH) names DIR.
has_runpath() {
    local want
    want="$(readlink -f "$2")"
    local entries
    entries="$(readelf -d "$1" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\].*/\2/p' | tr ':' '\n')"
    while IFS= read -r e; do
        [[ -n "$e" && "$(readlink -f "$e")" == "$want" ]] && return 0
    done <<<"$entries"
    return 1
}
