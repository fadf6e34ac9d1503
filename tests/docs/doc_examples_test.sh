#!/usr/bin/env bash
# Every C example in the docs compiles, and every whole program among them runs and exits 0.
#
# The pages: README.md and every docs/**/*.md (found here, so a new page is covered). Every fenced
# code block must name its language; each ```c block is checked according to its doc-test mode
# (tests/docs/README.md):
#   program   a whole program (it has `int main(`; the default for such a block): compiled as a
#             user would (strict C11, public headers only, libsteady.a, -pthread, the sanitizer
#             flags of a sanitizer build) and run with a timeout in an empty directory: it must
#             exit 0;
#   decl      a reference synopsis: compared with the public headers (tests/docs/decl.awk);
#   fragment  compiled (not run), at file scope or inside a prelude (tests/docs/preludes/);
#   excerpt   verbatim lines of a file under examples/, which is itself built and run: the
#             lessons by the build and their ctest entries, examples/docs/ here.
# A ```c block without a mode and without main() is a failure naming its page and line, as is a
# fence without a language. Every program under examples/docs/ (a .c file, or a directory of
# them) is compiled and run as a program block is.
#
# Run by ctest (tests/docs/CMakeLists.txt sets the environment below). By hand, from the
# repository's root, optionally naming the pages to check:
#   STEADY_SOURCE_DIR=. STEADY_STATIC_LIB=build/release/libsteady.a STEADY_LIBS_PRIVATE=-lz \
#   bash tests/docs/doc_examples_test.sh [docs/reference/supervise.md ...]
set -euo pipefail

: "${STEADY_SOURCE_DIR:?the repository root directory}"
: "${STEADY_STATIC_LIB:?path of libsteady.a}"
STEADY_CC="${STEADY_CC:-cc}"
STEADY_CFLAGS="${STEADY_CFLAGS:--std=c11 -Wall -Wextra}"
STEADY_CXX="${STEADY_CXX:-}" # ```cpp program blocks (C++17); none: such a block fails
STEADY_CXXFLAGS="${STEADY_CXXFLAGS:--std=c++17 -Wall -Wextra}"
STEADY_SANITIZE_FLAGS="${STEADY_SANITIZE_FLAGS:-}"
STEADY_LIBS_PRIVATE="${STEADY_LIBS_PRIVATE:-}"
STEADY_REQUIRES_PRIVATE="${STEADY_REQUIRES_PRIVATE:-}"
run_timeout="${STEADY_DOC_RUN_TIMEOUT:-20}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="$(cd "$(dirname "$STEADY_STATIC_LIB")" && pwd)/$(basename "$STEADY_STATIC_LIB")"
# The testing kit's archive (libsteady-testing.a), linked before libsteady.a when given: the
# testing pages' programs use it; the others pull nothing from it.
testing_lib=()
if [[ -n "${STEADY_TESTING_LIB:-}" ]]; then
    testing_lib=("$(cd "$(dirname "$STEADY_TESTING_LIB")" && pwd)/$(basename "$STEADY_TESTING_LIB")")
fi
# The same for the bridge library's archive (libsteady-bridge.a): the bridge pages' programs.
if [[ -n "${STEADY_BRIDGE_LIB:-}" ]]; then
    testing_lib+=("$(cd "$(dirname "$STEADY_BRIDGE_LIB")" && pwd)/$(basename "$STEADY_BRIDGE_LIB")")
    read -r -a bridge_libs <<<"${STEADY_BRIDGE_LIBS:-}" # its own dependencies (-lnats -lmosquitto)
    testing_lib+=("${bridge_libs[@]}")
fi
cd "$STEADY_SOURCE_DIR"
[[ -f "$lib" ]] || { echo "doc_examples: FAIL: $lib does not exist (build first)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-doc-examples.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/blocks" "$tmp/pre"

read -r -a cflags <<<"$STEADY_CFLAGS"
read -r -a cxxflags <<<"$STEADY_CXXFLAGS"
read -r -a san <<<"$STEADY_SANITIZE_FLAGS"
read -r -a libs <<<"$STEADY_LIBS_PRIVATE"
if [[ -n "$STEADY_REQUIRES_PRIVATE" ]]; then
    more="$(pkg-config --libs "$STEADY_REQUIRES_PRIVATE")" || {
        echo "doc_examples: FAIL: pkg-config --libs $STEADY_REQUIRES_PRIVATE failed" >&2
        exit 1
    }
    read -r -a more_libs <<<"$more"
    libs+=("${more_libs[@]}")
fi
[[ " ${libs[*]} " == *" -pthread "* ]] || libs+=(-pthread)
# Fragments and synopses are pieces: what they declare is not used there.
piece_flags=(-fsyntax-only -Wno-unused-variable -Wno-unused-function -Wno-unused-parameter
    -Wno-unused-but-set-variable -Wno-unused-value)

failures=0
fail() { # fail <where> <message> [<file to show>...]
    local where="$1" msg="$2"
    shift 2
    failures=$((failures + 1))
    echo "FAIL $where: $msg" >&2
    for f in "$@"; do
        [[ -s "$f" ]] && sed -n '1,200s/^/    /p' "$f" >&2
    done
    return 0
}

# The headers and a prelude, preprocessed: macros (-dM) and text (-P), for decl blocks. Once
# per prelude. Prints the file name prefix.
preprocessed() { # preprocessed <prelude name or ->
    local name="$1" base="$tmp/pre/$1"
    if [[ ! -f "$base.dM" ]]; then
        { printf '#include <stddef.h>\n#include <steady/steady.h>\n'
          [[ "$name" == - ]] || cat "$here/preludes/$name.c"; } >"$base.h"
        "$STEADY_CC" "${cflags[@]}" -I include -E -dM -x c "$base.h" >"$base.dM" 2>"$base.err" &&
            "$STEADY_CC" "${cflags[@]}" -I include -E -P -x c "$base.h" >"$base.i" 2>>"$base.err" ||
            return 1
    fi
    echo "$base"
}

syntax_check() { # syntax_check <where> <source>
    if ! "$STEADY_CC" "${cflags[@]}" "${piece_flags[@]}" -I include "$2" >"$2.log" 2>&1; then
        fail "$1" "does not compile (the compiler names the page's lines):" "$2.log"
        echo "    ---- what was compiled ----" >&2
        cat -n "$2" | sed -n '1,300s/^/    /p' >&2
        return 1
    fi
}

run_program() { # run_program <where> <exe name> <source>... (C, or C++ when the first is .cpp)
    local where="$1" exe="$tmp/$2"
    shift 2
    local cc="$STEADY_CC" flags=("${cflags[@]}")
    if [[ "$1" == *.cpp ]]; then
        [[ -n "$STEADY_CXX" ]] || { fail "$where" "a C++ block, and no C++ compiler (STEADY_CXX)"; return 1; }
        cc="$STEADY_CXX" flags=("${cxxflags[@]}")
    fi
    if ! "$cc" "${flags[@]}" "${san[@]}" -I include "$@" "${testing_lib[@]}" "$lib" "${libs[@]}" \
        -o "$exe" >"$exe.log" 2>&1; then
        fail "$where" "does not compile: $cc ${flags[*]} ${san[*]} -I include $* $lib ${libs[*]}" \
            "$exe.log"
        return 1
    fi
    local dir="$tmp/run-$(basename "$exe")" status=0
    mkdir -p "$dir"
    (cd "$dir" && timeout -k 5 "$run_timeout" "$exe" </dev/null >"$exe.out" 2>&1) || status=$?
    if [[ $status -eq 124 || $status -eq 137 ]]; then
        fail "$where" "did not finish within $run_timeout s (its output's end follows)"
        tail -n 40 "$exe.out" | sed 's/^/    /' >&2
        return 1
    elif [[ $status -ne 0 ]]; then
        fail "$where" "exited with status $status (its output's end follows)"
        tail -n 40 "$exe.out" | sed 's/^/    /' >&2
        return 1
    fi
}

check_program() { # check_program <n> <page> <line> [c|cpp]
    local ext="${4:-c}"
    local src="$tmp/blocks/$1.program.$ext"
    { printf '#line %d "%s"\n' "$(($3 + 1))" "$2"; cat "$tmp/blocks/$1.$ext"; } >"$src"
    run_program "$2:$3 (program)" "block$1" "$src"
}

check_decl() { # check_decl <n> <page> <line> <prelude or ->
    local where="$2:$3 (decl)" base src="$tmp/blocks/$1.decl.c"
    [[ "$4" == - ]] || where="$2:$3 (decl $4)"
    base="$(preprocessed "${4#prelude=}")" || {
        fail "$where" "the headers and prelude do not preprocess:" "$tmp/pre/${4#prelude=}.err"
        return 1
    }
    : >"$src.problems"
    { cat "$base.h"
      awk -v page="$2" -v line="$3" -v macros="$base.dM" -v header="$base.i" \
          -v errors="$src.problems" -f "$here/decl.awk" "$tmp/blocks/$1.c"; } >"$src"
    if [[ -s "$src.problems" ]]; then
        fail "$where" "does not agree with the public headers:" "$src.problems"
        return 1
    fi
    syntax_check "$where" "$src"
}

check_fragment() { # check_fragment <n> <page> <line> <prelude or ->
    local src="$tmp/blocks/$1.fragment.c" prelude="$here/preludes/${4#prelude=}.c"
    local where="$2:$3 (fragment)"
    [[ "$4" == - ]] || where="$2:$3 (fragment $4)"
    local block="$tmp/blocks/$1.c" at
    if [[ "$4" == - ]]; then
        { printf '#include <steady/steady.h>\n#line %d "%s"\n' "$(($3 + 1))" "$2"
          cat "$block"; } >"$src"
    else
        [[ -f "$prelude" ]] || { fail "$where" "no prelude $prelude"; return 1; }
        at="$(grep -n '@BLOCK@' "$prelude" | head -n 1 | cut -d: -f1)"
        [[ -n "$at" ]] || { fail "$where" "$prelude has no @BLOCK@ line to put the block at"; return 1; }
        { head -n $((at - 1)) "$prelude"
          printf '#line %d "%s"\n' "$(($3 + 1))" "$2"
          cat "$block"
          printf '#line %d "%s"\n' "$((at + 1))" "$prelude"
          tail -n +$((at + 1)) "$prelude"; } >"$src"
    fi
    syntax_check "$where" "$src"
}

# An excerpt's file must be one that is built: under examples/docs/ (this test builds and runs
# it), or a lesson's .c file named in its directory's CMakeLists.txt, or a header that one of
# that directory's .c files includes.
built_elsewhere() { # built_elsewhere <path>
    local dir file
    dir="$(dirname "$1")" file="$(basename "$1")"
    [[ "$1" == examples/docs/* ]] && return 0
    [[ -f "$dir/CMakeLists.txt" ]] || return 1
    case "$file" in
    *.c) grep -qw -- "$file" "$dir/CMakeLists.txt" ;;
    *.h) grep -qF -- "#include \"$file\"" "$dir"/*.c ;;
    *) return 1 ;;
    esac
}

check_excerpt() { # check_excerpt <n> <page> <line> <path>
    local where="$2:$3 (excerpt $4)" out
    [[ -f "$4" ]] || { fail "$where" "$4 does not exist"; return 1; }
    built_elsewhere "$4" || {
        fail "$where" "$4 is not built by any test: quote a file of examples/docs/, or a lesson's \
source listed in its CMakeLists.txt (or a header one of them includes)"
        return 1
    }
    if ! out="$(awk -v page="$2" -v line="$3" -v source="$4" -f "$here/excerpt.awk" \
        "$tmp/blocks/$1.c" "$4")"; then
        fail "$where" "is not a verbatim excerpt of $4: $out"
        return 1
    fi
}

# ---- the pages -------------------------------------------------------------------------------
if [[ $# -gt 0 ]]; then
    pages=("$@")
else
    mapfile -t pages < <({ echo README.md; find docs -name '*.md' -type f; } | LC_ALL=C sort)
fi
awk -v out="$tmp/blocks" -f "$here/extract.awk" "${pages[@]}" >"$tmp/manifest"

# A page's doc-test-default applies to its blocks that have no directive, wherever it stands.
declare -A by_mode=() other=() default_mode=() default_arg=() default_at=()
while IFS=$'\t' read -r kind a b c d; do
    [[ "$kind" == DEFAULT ]] || continue
    default_mode[$a]="$c" default_arg[$a]="$d" default_at[$a]="$b"
done <"$tmp/manifest"
n_c=0 n_cpp=0
while IFS=$'\t' read -r kind a b c d e f g h; do
    case "$kind" in
    ERROR) fail "$a:$b" "$c" ;;
    OTHER) other[$a]=$((${other[$a]:-0} + 1)) ;;
    C)
        n_c=$((n_c + 1)) # a=n b=page c=line d=mode e=argument f=has main g=where the mode came from
        mode="$d"
        if [[ "$mode" == - && -n "${default_mode[$b]:-}" && "$f" != 1 ]]; then
            mode="${default_mode[$b]}" e="${default_arg[$b]}" g="the page's default at line ${default_at[$b]}"
        fi
        if [[ "$mode" == - ]]; then
            if [[ "$f" == 1 ]]; then
                mode=program
            else
                fail "$b:$c" "a \`\`\`c block with no doc-test mode and no main(): say what it is with a line \
<!-- doc-test: MODE --> just before it (modes: program, decl, fragment, excerpt; tests/docs/README.md)"
                continue
            fi
        fi
        by_mode[$mode]=$((${by_mode[$mode]:-0} + 1))
        if [[ "$h" == cpp && "$mode" != program ]]; then
            fail "$b:$c" "a \`\`\`cpp block is checked only as a whole program (mode $mode, $g)"
            continue
        fi
        [[ "$h" == cpp ]] && n_cpp=$((n_cpp + 1))
        case "$mode" in
        program)
            if [[ "$f" != 1 ]]; then
                fail "$b:$c" "marked program ($g) but has no int main("
            else
                check_program "$a" "$b" "$c" "$h" || true
            fi
            ;;
        decl) check_decl "$a" "$b" "$c" "$e" || true ;;
        fragment) check_fragment "$a" "$b" "$c" "$e" || true ;;
        excerpt) check_excerpt "$a" "$b" "$c" "$e" || true ;;
        esac
        ;;
    esac
done <"$tmp/manifest"

# ---- the programs under examples/docs/ -------------------------------------------------------
n_ex=0
if [[ -d examples/docs ]]; then
    while IFS= read -r p; do
        n_ex=$((n_ex + 1))
        if [[ -d "$p" ]]; then
            mapfile -t srcs < <(find "$p" -maxdepth 1 -name '*.c' | LC_ALL=C sort)
            if [[ ${#srcs[@]} -eq 0 ]]; then
                fail "$p" "a directory of examples/docs/ with no .c file"
                continue
            fi
        else
            srcs=("$p")
        fi
        run_program "$p (examples/docs program)" "ex$n_ex" "${srcs[@]}" || true
    done < <(find examples/docs -mindepth 1 -maxdepth 1 \( -type d -o -name '*.c' \) | LC_ALL=C sort)
fi

summary=""
for m in program decl fragment excerpt; do summary+=", $m ${by_mode[$m]:-0}"; done
others=""
for l in $(printf '%s\n' "${!other[@]}" | LC_ALL=C sort); do others+=", $l ${other[$l]}"; done
echo "doc_examples: ${#pages[@]} pages, $n_c \`\`\`c and \`\`\`cpp blocks checked (${summary#, }; $n_cpp of them C++); $n_ex examples/docs programs run"
echo "doc_examples: blocks in other languages, not compiled: ${others#, }"
if [[ $failures -gt 0 ]]; then
    echo "doc_examples: FAIL: $failures problems (above)" >&2
    exit 1
fi
echo "doc_examples: PASS"
