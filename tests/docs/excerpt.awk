# excerpt.awk — checks that a page's block (doc-test mode "excerpt") is a verbatim excerpt of a
# source file: its lines are consecutive lines of the file, all shifted left by the same
# number of spaces (a block may show a function's body without its indentation). Trailing
# spaces are ignored; a blank block line matches a blank file line. POSIX awk.
#
#   awk -v page=P -v line=L -f excerpt.awk BLOCK SOURCE
#
# Prints "ok <first file line>" and exits 0, or explains the closest miss and exits 1.

function rtrim(s) {
    sub(/[ \t]+$/, "", s)
    return s
}

function spaces(n,    s) {
    s = ""
    while (n-- > 0) s = s " "
    return s
}

# How many block lines match the file from line s on, with the indentation the first
# non-blank block line implies (0 when that line does not fit at all).
function matched(s,    d, i, f) {
    f = S[s + first - 1]
    if (length(f) < length(B[first])) return 0
    d = length(f) - length(B[first])
    if (substr(f, 1, d) != spaces(d) || substr(f, d + 1) != B[first]) return 0
    for (i = 1; i <= nb; i++) {
        f = S[s + i - 1]
        if ((B[i] == "") ? (f != "") : (f != (spaces(d) B[i]))) return i - 1
    }
    return nb
}

FNR == NR { B[++nb] = rtrim($0); next }
{ S[++ns] = rtrim($0) }

END {
    while (nb > 0 && B[nb] == "") nb--
    for (first = 1; first <= nb && B[first] == ""; first++) ;
    if (first > nb) {
        printf "%s:%d: the excerpt is empty\n", page, line
        exit 1
    }
    best = -1; best_at = 0
    for (s = 1; s + nb - 1 <= ns; s++) {
        m = matched(s)
        if (m == nb) {
            printf "ok %d\n", s
            exit 0
        }
        if (m > best) { best = m; best_at = s }
    }
    if (best <= 0) {
        printf "%s:%d: no line of %s reads like the excerpt's first line:\n    %s\n", page,
               line + first, source, B[first]
    } else {
        printf "%s:%d: the excerpt follows %s from its line %d for %d lines, then differs:\n" \
               "    page: %s\n    file: %s\n", page, line + best + 1, source, best_at, best,
               B[best + 1], S[best_at + best]
    }
    exit 1
}
