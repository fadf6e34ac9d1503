#!/bin/sh
# doc_api_test.sh DOCS_DIR HEADERS_DIR LIB... — every public function has a doc entry (issue 10:
# steady_tx_set_streaming shipped with none). The public functions are the symbols each LIB
# exports (nm -D --defined-only, linker and sanitizer symbols left out), the static inline
# functions of HEADERS_DIR/*.h and its function-like macros STEADY_X(...); names with a double
# underscore are internal. A doc entry is the name followed by "(" inside a ```c or ```cpp block of
# a reference page (DOCS_DIR/*.md), where doc_examples checks it against the header.
set -eu
docs=$1
headers=$2
shift 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for lib in "$@"; do
    if [ ! -f "$lib" ]; then
        echo "doc_api: $lib does not exist (build it first)" >&2
        exit 1
    fi
    nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }'
done | grep -v -E '^(_init|_fini|_edata|_end|__bss_start|__odr_asan_gen_.*|__asan_.*|__tsan_.*|__ubsan_.*|__sanitizer_.*)$' \
    >"$tmp/names" || true
sed -n -E 's/^static inline[^(]*[ *](steady_[a-z0-9_]+)\(.*/\1/p' "$headers"/*.h >>"$tmp/names"
sed -n -E 's/^#define (STEADY_[A-Z0-9_]+)\(.*/\1/p' "$headers"/*.h >>"$tmp/names"
grep -v '__' "$tmp/names" | sort -u >"$tmp/public"
if [ ! -s "$tmp/public" ]; then
    echo "doc_api: found no public function in $* or $headers" >&2
    exit 1
fi

# The text of every ```c / ```cpp block of the reference pages, one file.
for page in "$docs"/*.md; do
    awk '/^```(c|cpp)[ \t]*$/ { inblock = 1; next } /^```/ { inblock = 0; next } inblock' "$page"
done >"$tmp/blocks"

status=0
missing=0
for name in $(cat "$tmp/public"); do
    if ! grep -q -E "(^|[^A-Za-z0-9_])$name[ \t]*\(" "$tmp/blocks"; then
        echo "doc_api: '$name' is public but no reference page ($docs/*.md) declares it in a" \
            "\`\`\`c block; add its synopsis and contract to the page of its header"
        missing=$((missing + 1))
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "doc_api: PASS: $(wc -l <"$tmp/public") public functions and macros, each declared on a reference page"
else
    echo "doc_api: $missing of $(wc -l <"$tmp/public") public names have no doc entry"
fi
exit "$status"
