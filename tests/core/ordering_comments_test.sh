#!/bin/sh
# ordering_comments_test.sh DIR... — every cross-thread ordering in the core says what it pairs
# with (issue 10; ../STYLE: comments state memory-ordering reasons). An ordering is an atomic
# access or fence with acquire, release, acq_rel or seq_cst (the C11 forms and the headers'
# STEADY__LOAD/STORE forms); relaxed accesses need no partner. The reason must be a comment
# holding "pairs with" on the line itself, within the 15 lines above it (the comment of the
# block or function doing it) or the 2 lines below. Prints each site that has none.
set -eu
status=0
sites=0
for f in $(find "$@" -name '*.[ch]' | sort); do
    out=$(awk -v file="$f" '
        { text[NR] = $0 }
        END {
            for (n = 1; n <= NR; n++) {
                if (text[n] !~ /memory_order_(acquire|release|acq_rel|seq_cst)|, (acquire|release|acq_rel|seq_cst)\)/)
                    continue
                if (text[n] ~ /^[ \t]*(\/\*|\*)/)
                    continue   # the words inside a comment
                sites++
                ok = 0
                for (i = n - 15; i <= n + 2; i++)
                    if (i >= 1 && i <= NR && text[i] ~ /pairs with/)
                        ok = 1
                if (!ok)
                    printf "ordering_comments: %s:%d: an ordered access with no \"pairs with\" comment: %s\n", file, n, text[n]
            }
            printf "#sites %d\n", sites
        }' "$f")
    n=$(printf '%s\n' "$out" | sed -n 's/^#sites //p')
    sites=$((sites + n))
    if printf '%s\n' "$out" | grep -q '^ordering_comments:'; then
        printf '%s\n' "$out" | grep '^ordering_comments:'
        status=1
    fi
done
if [ "$sites" -eq 0 ]; then
    echo "ordering_comments: found no ordered access under $*; wrong directories?" >&2
    exit 1
fi
if [ "$status" -eq 0 ]; then
    echo "ordering_comments: PASS: $sites ordered accesses, each with the access it pairs with"
fi
exit "$status"
