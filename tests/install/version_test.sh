#!/usr/bin/env bash
# One version, everywhere. The source of truth is STEADY_VERSION_MAJOR/MINOR/PATCH in
# include/steady/error.h; CMakeLists.txt reads it for project(VERSION), from which the SONAME,
# steady.pc and the CMake package version follow (tests/install/install_test.sh checks those in
# an installed tree). Here:
#   1. the header's three numbers equal the version CMake configured (STEADY_VERSION): fails if
#      project(VERSION) is ever set by hand to something else
#   2. the SONAME version follows the rule: 0.<minor> while the major is 0, else <major>
#   3. CHANGELOG.md (Keep a Changelog) has a "## [Unreleased]" section on top, then a dated
#      entry "## [X.Y.Z] - YYYY-MM-DD" for this version as its newest release
#   4. when HEAD carries a release tag (vX.Y.Z), it names this version
#
# Run by ctest (tests/install/CMakeLists.txt). By hand:
#   STEADY_SOURCE_DIR=$PWD STEADY_VERSION=0.1.0 STEADY_SOVERSION=0.1 bash tests/install/version_test.sh
set -euo pipefail

: "${STEADY_SOURCE_DIR:?source directory}"
: "${STEADY_VERSION:?the version CMake configured}"
: "${STEADY_SOVERSION:?the SONAME version CMake configured}"

fail() {
    echo "version: FAIL: $*" >&2
    exit 1
}

header="$STEADY_SOURCE_DIR/include/steady/error.h"
parts=()
for part in MAJOR MINOR PATCH; do
    n="$(sed -n "s/^#define STEADY_VERSION_$part \([0-9][0-9]*\) *$/\1/p" "$header")"
    [[ -n "$n" ]] || fail "$header has no '#define STEADY_VERSION_$part <number>' line"
    parts+=("$n")
done
header_version="${parts[0]}.${parts[1]}.${parts[2]}"
[[ "$header_version" == "$STEADY_VERSION" ]] ||
    fail "include/steady/error.h says $header_version, CMake configured $STEADY_VERSION" \
        "(project(VERSION) must come from the header, as CMakeLists.txt reads it)"
echo "version: include/steady/error.h and CMake agree: $header_version"

if [[ "${parts[0]}" == 0 ]]; then want_so="0.${parts[1]}"; else want_so="${parts[0]}"; fi
[[ "$STEADY_SOVERSION" == "$want_so" ]] ||
    fail "the SONAME version is $STEADY_SOVERSION, expected $want_so for $header_version"
echo "version: SONAME libsteady.so.$STEADY_SOVERSION"

changelog="$STEADY_SOURCE_DIR/CHANGELOG.md"
[[ -f "$changelog" ]] || fail "CHANGELOG.md is missing (Keep a Changelog; one entry per release)"
mapfile -t headings < <(grep -E '^## ' "$changelog")
[[ ${#headings[@]} -ge 2 ]] || fail "CHANGELOG.md needs '## [Unreleased]' and a release entry"
[[ "${headings[0]}" == "## [Unreleased]" ]] ||
    fail "CHANGELOG.md's first section is '${headings[0]}', expected '## [Unreleased]'"
release_re='^## \[([0-9]+\.[0-9]+\.[0-9]+)\] - ([0-9]{4}-[0-9]{2}-[0-9]{2})$'
[[ "${headings[1]}" =~ $release_re ]] ||
    fail "CHANGELOG.md's newest release heading '${headings[1]}' is not '## [X.Y.Z] - YYYY-MM-DD'"
[[ "${BASH_REMATCH[1]}" == "$header_version" ]] ||
    fail "CHANGELOG.md's newest release is ${BASH_REMATCH[1]}, the version is $header_version" \
        "(add its entry, or move [Unreleased] items under it when releasing)"
date -d "${BASH_REMATCH[2]}" >/dev/null 2>&1 ||
    fail "CHANGELOG.md's date ${BASH_REMATCH[2]} for $header_version is not a date"
for h in "${headings[@]:2}"; do
    [[ "$h" =~ $release_re ]] || fail "CHANGELOG.md heading '$h' is not '## [X.Y.Z] - YYYY-MM-DD'"
done
echo "version: CHANGELOG.md's newest release: ${headings[1]#\#\# }"

if command -v git >/dev/null 2>&1 && git -C "$STEADY_SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
    tags="$(git -C "$STEADY_SOURCE_DIR" tag --points-at HEAD 'v[0-9]*' 2>/dev/null || true)"
    for t in $tags; do
        [[ "$t" == "v$header_version" ]] ||
            fail "HEAD is tagged $t but the version is $header_version (tag v$header_version)"
    done
    echo "version: release tag at HEAD: ${tags:-none}"
fi
echo "version: PASS"
