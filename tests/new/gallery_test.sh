#!/usr/bin/env bash
# Every description under examples/gallery/ (TOML, and the original's DOT with --from-dot), as a user meets steady-new: steady installed into
# a prefix, the installed steady-new generates the project, CMake builds it against the
# installed package (find_package), its own ctest passes and its program stops cleanly. Then a
# stale build: the description changes after generation and the program refuses to run.
#
# Run by ctest (tests/new/CMakeLists.txt); by hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/new/gallery_test.sh
set -euo pipefail
NAME=codegen_gallery
# shellcheck source=tests/install/lib.sh
source "$STEADY_SOURCE_DIR/tests/install/lib.sh"
prefix="$tmp/prefix"
step "cmake --install $STEADY_BUILD_DIR --prefix $prefix"
install_to "$prefix"
new="$prefix/bin/steady-new"
[[ -x "$new" ]] || fail "steady-new is not installed in $prefix/bin"
[[ -f "$prefix/share/steady/new/templates/actor.c.mustache" ]] ||
    fail "the templates are not installed under $prefix/share/steady/new/templates"

"$new" --version | grep -q '^steady-new [0-9]' || fail "steady-new --version"
"$new" --help | grep -q 'usage: steady-new' || fail "steady-new --help"

shopt -s nullglob
descriptions=("$STEADY_SOURCE_DIR"/examples/gallery/*.toml "$STEADY_SOURCE_DIR"/examples/gallery/*.dot)
((${#descriptions[@]} > 0)) || fail "no description under examples/gallery/"
for desc in "${descriptions[@]}"; do
    name="$(basename "$desc")"
    out="$tmp/$name"
    dot=()
    [[ "$desc" == *.dot ]] && dot=(--from-dot)
    step "$name: steady-new ${dot[*]} $desc --out $out"
    "$new" "${dot[@]}" "$desc" --out "$out" >"$tmp/$name.new.log" 2>&1 ||
        { cat "$tmp/$name.new.log" >&2; fail "$name: steady-new failed"; }
    cmake_consumer "$out" "$out/build" "$prefix"
    step "$name: ctest"
    (cd "$out/build" && ctest --output-on-failure --timeout 120) >"$tmp/$name.ctest.log" 2>&1 ||
        { cat "$tmp/$name.ctest.log" >&2; fail "$name: the generated project's tests failed"; }
    grep -q '100% tests passed' "$tmp/$name.ctest.log" || fail "$name: ctest did not pass all"
    prog="$(sed -n 's/^project(\([a-z0-9_]*\) .*/\1/p' "$out/CMakeLists.txt")"
    # A bridged channel (one with `bridge =` in the description, as steady-new reads it) goes to
    # a mapping of this run's own (--uri), not the described one.
    uris=()
    "$new" "${dot[@]}" "$desc" --to-toml >"$tmp/$name.toml" || fail "$name: steady-new --to-toml failed"
    while read -r ch; do uris+=(--uri "$ch=shm:/steady-gallery-$$-$ch"); done < <(python3 -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    for c in tomllib.load(f).get("channel", []):
        if "bridge" in c:
            print(c["name"])
' "$tmp/$name.toml")
    step "$name: ./build/$prog --run-ms 300 ${uris[*]}"
    (cd "$tmp" && "$out/build/$prog" --run-ms 300 --state-dir "$tmp/$name-state" "${uris[@]}") \
        >"$tmp/$name.run.log" 2>&1 || { cat "$tmp/$name.run.log" >&2; fail "$name: the program failed"; }
    grep -q "graph '$prog' stopped cleanly" "$tmp/$name.run.log" ||
        { cat "$tmp/$name.run.log" >&2; fail "$name: no clean stop"; }
done

step "--log-level: a level quiets the lines below it; a bad one is refused naming the levels"
l01="$tmp/lesson-01.toml/build/lesson01"
(cd "$tmp" && "$l01" --run-ms 300 --state-dir "$tmp/loglevel-state" --log-level warn) \
    >"$tmp/loglevel.log" 2>&1 || { cat "$tmp/loglevel.log" >&2; fail "lesson01 --log-level warn failed"; }
! grep -q ' INFO ' "$tmp/loglevel.log" || { cat "$tmp/loglevel.log" >&2; fail "--log-level warn printed INFO lines"; }
rc=0
"$l01" --log-level loud >"$tmp/loglevel.bad" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "lesson01: --log-level wants off, error, warn, info, debug or trace, not 'loud'" \
    "$tmp/loglevel.bad" || { cat "$tmp/loglevel.bad" >&2; fail "--log-level loud: exit $rc"; }

step "pkg-config instead of the CMake package (CMAKE_DISABLE_FIND_PACKAGE_steady)"
"$new" "${descriptions[0]}" --out "$tmp/pc" >/dev/null
PKG_CONFIG_PATH="$pcdir" "$STEADY_CMAKE" -S "$tmp/pc" -B "$tmp/pc/build" -G "$STEADY_CMAKE_GENERATOR" \
    -DCMAKE_DISABLE_FIND_PACKAGE_steady=ON -DCMAKE_C_COMPILER="$STEADY_CC" \
    -DCMAKE_C_FLAGS="$STEADY_CFLAGS $STEADY_SANITIZE_FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="$STEADY_SANITIZE_FLAGS -Wl,-rpath,$libdir" >"$tmp/pc.cfg.log" 2>&1 ||
    { cat "$tmp/pc.cfg.log" >&2; fail "the pkg-config configure failed"; }
grep -q '^STEADY_FOUND:INTERNAL=1' "$tmp/pc/build/CMakeCache.txt" || fail "pkg-config's steady was not used"
"$STEADY_CMAKE" --build "$tmp/pc/build" >"$tmp/pc.build.log" 2>&1 || { cat "$tmp/pc.build.log" >&2; fail "the pkg-config build failed"; }
(cd "$tmp/pc/build" && ctest --output-on-failure --timeout 120) >"$tmp/pc.ctest.log" 2>&1 ||
    { cat "$tmp/pc.ctest.log" >&2; fail "the pkg-config build's tests failed"; }

step "a stale build refuses to run"
cp "${descriptions[0]}" "$tmp/stale.toml"
"$new" "$tmp/stale.toml" --out "$tmp/stale" >/dev/null
cmake_consumer "$tmp/stale" "$tmp/stale/build" "$prefix"
prog="$(sed -n 's/^project(\([a-z0-9_]*\) .*/\1/p' "$tmp/stale/CMakeLists.txt")"
echo "# changed after generation" >>"$tmp/stale.toml"
rc=0
"$tmp/stale/build/$prog" --run-ms 100 --state-dir "$tmp/stale-state" >"$tmp/stale.log" 2>&1 || rc=$?
[[ $rc == 2 ]] || { cat "$tmp/stale.log" >&2; fail "a stale build exited $rc, not 2"; }
grep -q "this build was made from an earlier $tmp/stale.toml" "$tmp/stale.log" ||
    { cat "$tmp/stale.log" >&2; fail "a stale build did not say so"; }
grep -q "Run \`steady-new $tmp/stale.toml --out" "$tmp/stale.log" || fail "no fix named"
"$tmp/stale/build/$prog" --run-ms 100 --stale-ok --state-dir "$tmp/stale-state" \
    >"$tmp/stale-ok.log" 2>&1 || { cat "$tmp/stale-ok.log" >&2; fail "--stale-ok did not run"; }
step "regenerated: it runs again"
"$new" "$tmp/stale.toml" --out "$tmp/stale" >/dev/null
"$STEADY_CMAKE" --build "$tmp/stale/build" >/dev/null 2>&1 || fail "the rebuild failed"
"$tmp/stale/build/$prog" --run-ms 100 --state-dir "$tmp/stale-state" >/dev/null 2>&1 ||
    fail "the regenerated build did not run"
step "docs/guide/codegen.md: its description is the gallery's lesson 01, and it passes"
guide="$STEADY_SOURCE_DIR/docs/guide/codegen.md"
awk '/^```toml$/ {on = 1; next} /^```$/ {on = 0} on' "$guide" >"$tmp/guide.toml"
[[ -s "$tmp/guide.toml" ]] || fail "$guide shows no toml block"
grep -v '^#' "$STEADY_SOURCE_DIR/examples/gallery/lesson-01.toml" | sed '/./,$!d' >"$tmp/gallery.toml"
diff -u "$tmp/gallery.toml" "$tmp/guide.toml" >&2 ||
    fail "$guide's description is not examples/gallery/lesson-01.toml (without its comments)"
"$new" "$tmp/guide.toml" --check || fail "the guide's description does not pass --check"
echo "$NAME: ok (${#descriptions[@]} descriptions)"
