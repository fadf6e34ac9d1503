#!/bin/sh
# api_symbols_test.sh LIB TABLE HEADERS
#
# The misuse table (tests/core/api_misuse*.c) has one row per public function. This test fails
#   - when LIB (libsteady.so) exports a symbol (nm -D --defined-only) that has no row: a new
#     public function must come with the test of its bad input;
#   - when a row names neither an exported symbol nor an inline function or macro defined in
#     HEADERS (include/steady/*.h): the function it tested is gone or was renamed;
#   - when a row appears twice.
# TABLE --list prints the row names, one per line.
set -eu

lib=$1
table=$2
headers=$3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Symbols the linker or a sanitizer adds to every shared object are not steady's API.
nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' |
    grep -v -E '^(_init|_fini|_edata|_end|__bss_start|__odr_asan_gen_.*|__asan_.*|__tsan_.*|__ubsan_.*|__sanitizer_.*)$' |
    sort -u >"$tmp/exported"
"$table" --list >"$tmp/listed"
sort "$tmp/listed" >"$tmp/rows"
sort -u "$tmp/listed" >"$tmp/unique"

status=0
if [ ! -s "$tmp/exported" ]; then
    echo "api_symbols: nm -D found no exported symbol in $lib" >&2
    exit 1
fi
if [ ! -s "$tmp/rows" ]; then
    echo "api_symbols: $table --list printed no row" >&2
    exit 1
fi

for name in $(uniq -d "$tmp/rows"); do
    echo "api_symbols: row '$name' appears twice in the misuse table (tests/core/api_misuse*.c)"
    status=1
done

for name in $(comm -23 "$tmp/exported" "$tmp/unique"); do
    echo "api_symbols: $lib exports '$name' but the misuse table has no row for it; add one to" \
        "tests/core/api_misuse_*.c testing its bad input (NULL, zero, huge, another owner's" \
        "object, the wrong state, twice)"
    status=1
done

for name in $(comm -13 "$tmp/exported" "$tmp/unique"); do
    # Not exported: it must be a public static inline function or a macro of the headers.
    if ! grep -q -E "(static inline[^(]*[ *]$name\(|#define $name[( ])" "$headers"/*.h; then
        echo "api_symbols: the misuse table has a row '$name', which is neither exported by" \
            "$lib nor an inline function or macro of $headers; remove or rename the row"
        status=1
    fi
done

if [ "$status" -eq 0 ]; then
    echo "api_symbols: $(wc -l <"$tmp/exported") exported symbols, each with a row;" \
        "$(wc -l <"$tmp/unique") rows, each naming a public function or macro"
fi
exit "$status"
