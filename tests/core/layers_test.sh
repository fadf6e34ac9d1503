#!/usr/bin/env bash
# layers_test.sh — calls inside the core library go only downward: no module of src/core or
# src/platform calls, directly or through others, a module that calls back into it.
#
#   layers_test.sh <object file>...     (the library's objects: $<TARGET_OBJECTS:steady_objects>,
#                                        which ctest passes as one ;-separated argument)
#
# Who calls whom is read from the objects themselves (nm: the symbols each defines, and those
# it uses that another defines), so it is the truth of the build, not of the includes. The
# modules are then peeled layer by layer, lowest first (a module whose callees are all peeled
# already); what cannot be peeled is a call cycle, printed with the calls that tie it. On
# success the layers are printed, lowest first (docs/DESIGN-NOTES.md, "Layers of the core").
set -euo pipefail
[[ $# -gt 0 ]] || { echo "layers_test: no object files given" >&2; exit 2; }
IFS=';' read -r -a objects <<<"$(IFS=';'; echo "$*")"
NM="${NM:-nm}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-layers.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# A module is a source file's base name (troupe.c.o -> troupe); a backend file of a module
# (fiber_ucontext.c, fiber_x86_64.S: <module>_<variant>) belongs to that module, since the two
# halves implement one header together and call each other by design.
declare -A base=()
for o in "${objects[@]}"; do
    m="$(basename "$o")"
    base["${m%%.*}"]=1
done
for o in "${objects[@]}"; do
    m="$(basename "$o")"
    m="${m%%.*}"
    [[ "$m" == *_* && -n "${base[${m%%_*}]:-}" ]] && m="${m%%_*}"
    "$NM" "$o" | awk -v m="$m" '
        NF == 3 && $2 ~ /^[TDBRV]$/ { print "D", m, $3 }
        NF == 2 && $1 == "U"        { print "U", m, $2 }'
done >"$tmp/symbols"

awk '
    $1 == "D" { owner[$3] = $2; mods[$2] = 1; next }
    $1 == "U" { use[++n] = $2 SUBSEP $3 }
    END {
        for (i = 1; i <= n; i++) {
            split(use[i], p, SUBSEP)
            if ((p[2] in owner) && owner[p[2]] != p[1]) {
                e = p[1] SUBSEP owner[p[2]]
                if (!(e in edge)) { edge[e] = p[2]; out[p[1]]++ } else if (length(edge[e]) < 60)
                    edge[e] = edge[e] ", " p[2]
            }
        }
        left = 0
        for (m in mods) left++
        for (layer = 0; left > 0; layer++) {
            peel = ""
            for (m in mods) {
                if (done[m]) continue
                ok = 1
                for (e in edge) {
                    split(e, q, SUBSEP)
                    if (q[1] == m && !done[q[2]]) { ok = 0; break }
                }
                if (ok) peel = peel " " m
            }
            if (peel == "") {
                print "layers_test: FAIL: a call cycle among these modules:" > "/dev/stderr"
                for (e in edge) {
                    split(e, q, SUBSEP)
                    if (!done[q[1]] && !done[q[2]])
                        printf "    %s -> %s (%s)\n", q[1], q[2], edge[e] > "/dev/stderr"
                }
                exit 1
            }
            np = split(peel, ps, " ")
            line = ""
            for (i = 1; i <= np; i++) { done[ps[i]] = 1; left--; line = line " " ps[i] }
            printf "layer %2d:%s\n", layer, line
        }
        print "layers_test: PASS: no call cycle among " length(mods) " modules"
    }' "$tmp/symbols"
