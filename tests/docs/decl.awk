# decl.awk — turns a reference page's synopsis block (doc-test mode "decl") into a C file whose
# compilation checks it against the public headers. POSIX awk (mawk, gawk).
#
#   awk -v page=P -v line=L -v macros=M -v header=H -v errors=E -f decl.awk BLOCK > out.c
#
# BLOCK: the block's text; L: the line of its opening fence in page P. M: `cc -E -dM` of the
# headers (and prelude); H: `cc -E -P` of the same. What it checks:
#   - a #define line names a macro the headers define, with the same parameters and, when the
#     page shows a replacement (not just a comment), the same replacement (spaces ignored);
#   - a struct or union definition has the header's fields, in order, each of the same type
#     (compiled as a renamed copy, compared member by member with _Static_assert);
#   - an enum definition has the header's enumerators, in order, with the same values;
#   - every other declaration is compiled as a redeclaration (a different prototype or typedef is
#     a compile error), and the name it declares must exist in the headers (so a renamed or
#     removed function is not silently declared anew).
# A function body is refused: a synopsis declares. Problems found here are written to E as
# "<page>:<line>: <message>" lines; the rest shows up as compile errors at the page's lines
# (the output starts with a #line directive).

function trim(s) {
    sub(/^[ \t\n]+/, "", s)
    sub(/[ \t\n]+$/, "", s)
    return s
}

function nospace(s) {
    gsub(/[ \t\n]+/, "", s)
    return s
}

function problem(l, msg) {
    printf "%s:%d: %s\n", page, line + l, msg >> errors
}

# Removes /* */ and // comments, keeping newlines so that lines keep their numbers. String
# and character literals are copied as they are.
function strip_comments(t,    out, i, c, n, q) {
    out = ""; n = length(t); i = 1
    while (i <= n) {
        c = substr(t, i, 1)
        if (c == "/" && substr(t, i + 1, 1) == "*") {
            i += 2
            while (i <= n && substr(t, i, 2) != "*/") {
                if (substr(t, i, 1) == "\n") out = out "\n"
                i++
            }
            i += 2; out = out " "
        } else if (c == "/" && substr(t, i + 1, 1) == "/") {
            while (i <= n && substr(t, i, 1) != "\n") i++
        } else if (c == "\"" || c == "'") {
            q = c; out = out c; i++
            while (i <= n && substr(t, i, 1) != q) {
                if (substr(t, i, 1) == "\\") { out = out substr(t, i, 1); i++ }
                out = out substr(t, i, 1); i++
            }
            out = out q; i++
        } else {
            out = out c; i++
        }
    }
    return out
}

function count_newlines(s,    t) {
    t = s
    return gsub(/\n/, "", t)
}

# The last identifier of s ("" if none).
function last_ident(s) {
    if (!match(s, /[A-Za-z_][A-Za-z0-9_]*[^A-Za-z0-9_]*$/)) return ""
    s = substr(s, RSTART)
    match(s, /^[A-Za-z_][A-Za-z0-9_]*/)
    return substr(s, 1, RLENGTH)
}

# The name a declaration declares: (*name)(...) for function pointers, the identifier before
# the first "(" for functions and macro calls, else the last identifier.
function declared_name(s,    t) {
    if (match(s, /\([ \t\n]*\*[ \t\n]*[A-Za-z_][A-Za-z0-9_]*[ \t\n]*\)[ \t\n]*\(/)) {
        t = substr(s, RSTART, RLENGTH)
        gsub(/[()* \t\n]/, "", t)
        return t
    }
    if (index(s, "(") > 0) return last_ident(substr(s, 1, index(s, "(") - 1))
    sub(/\[[^]]*\][ \t\n]*$/, "", s)
    return last_ident(s)
}

# Splits a struct body into its field names (nested anonymous unions and structs are
# flattened: their members are members of the outer record). Returns the count.
function field_names(body, names,    decls, n, i, d, k, parts, np, j, name) {
    gsub(/(union|struct)[ \t\n]*\{/, " ", body)
    gsub(/\}/, " ", body)
    n = split(body, decls, ";")
    k = 0
    for (i = 1; i <= n; i++) {
        d = trim(decls[i])
        if (d == "") continue
        if (match(d, /\([ \t\n]*\*[ \t\n]*[A-Za-z_][A-Za-z0-9_]*[ \t\n]*\)/)) {
            name = substr(d, RSTART, RLENGTH)
            gsub(/[()* \t\n]/, "", name)
            names[++k] = name
            continue
        }
        gsub(/\[[^]]*\]/, "", d)
        sub(/:[^,]*/, "", d)
        np = split(d, parts, ",")
        for (j = 1; j <= np; j++) names[++k] = last_ident(parts[j])
    }
    return k
}

function enum_names(body, names, values,    items, n, i, it, k, eq) {
    n = split(body, items, ",")
    k = 0
    for (i = 1; i <= n; i++) {
        it = trim(items[i])
        if (it == "") continue
        eq = index(it, "=")
        k++
        if (eq > 0) {
            names[k] = trim(substr(it, 1, eq - 1))
            values[k] = trim(substr(it, eq + 1))
        } else {
            names[k] = it
            values[k] = ""
        }
    }
    return k
}

# The first whole-word occurrence of word in s, replaced by repl.
function rename_word(s, word, repl,    at) {
    if (!match(s, "(^|[^A-Za-z0-9_])" word "([^A-Za-z0-9_]|$)")) return s
    at = RSTART
    if (substr(s, at, length(word)) != word) at++
    return substr(s, 1, at - 1) repl substr(s, at + length(word))
}

# Appends a check to the output's end, reported at the page's line of block line l.
function add_assert(l, text) {
    ASSERTS = ASSERTS sprintf("#line %d \"%s\"\n", line + l, page) text
}

function join(a, n,    s, i) {
    s = ""
    for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") a[i]
    return s
}

# The body of "kind tag {...}" in the preprocessed headers ("" when they define none).
function header_body(kind, tag,    re, start, depth, i, c) {
    re = kind "[ \t\n]+" tag "[ \t\n]*\\{"
    if (!match(HT, re)) return ""
    start = RSTART + RLENGTH
    depth = 1
    for (i = start; i <= length(HT) && depth > 0; i++) {
        c = substr(HT, i, 1)
        if (c == "{") depth++
        else if (c == "}") depth--
    }
    return substr(HT, start, i - 1 - start)
}

function check_macro(l, text,    name, params, body, h, hp, hb) {
    sub(/^[ \t]*#[ \t]*define[ \t]+/, "", text)
    match(text, /^[A-Za-z_][A-Za-z0-9_]*/)
    name = substr(text, 1, RLENGTH)
    text = substr(text, RLENGTH + 1)
    params = ""
    if (substr(text, 1, 1) == "(") {
        params = substr(text, 1, index(text, ")"))
        text = substr(text, index(text, ")") + 1)
    }
    body = nospace(text)
    if (!(name in MACRO)) {
        problem(l, "#define " name ": the public headers define no macro " name)
        return
    }
    h = MACRO[name]; hp = ""
    if (substr(h, 1, 1) == "(") {
        hp = substr(h, 1, index(h, ")"))
        h = substr(h, index(h, ")") + 1)
    }
    hb = nospace(h)
    if (nospace(params) != nospace(hp))
        problem(l, "#define " name ": the page shows parameters '" params "', the header '" hp "'")
    else if (body != "" && body != hb)
        problem(l, "#define " name ": the page shows '" trim(text) "', the header '" trim(h) "'")
}

# A struct or union definition: compiled renamed, then compared with the header's, field by
# field. Returns the renamed text (same number of lines).
function check_record(l, s, kind, tag, body, suffix,    real, doc, fn, hn, hb, n, m, td, nt) {
    if (tag == "") {
        problem(l, kind " without a tag: a synopsis shows the header's tagged " kind)
        return s
    }
    real = kind " " tag
    doc = kind " steady_doc__" tag
    if ((hb = header_body(kind, tag)) == "") {
        problem(l, real ": the public headers do not define it")
        return s
    }
    n = field_names(body, fn)
    m = field_names(strip_comments(hb), hn)
    if (join(fn, n) != join(hn, m))
        problem(l, real ": the page lists the fields (" join(fn, n) "), the header (" join(hn, m) ")")
    else
        field_asserts(l, real, doc, fn, n)
    nt = typedef_names(suffix, td)
    typedef_asserts(l, real, td, nt)
    sub(kind "[ \t\n]+" tag, doc, s)
    return rename_typedefs(s, td, nt)
}

# The names a definition's typedef gives it: the declarators after its closing brace.
function typedef_names(suffix, td,    parts, n, i, k) {
    n = split(suffix, parts, ",")
    k = 0
    for (i = 1; i <= n; i++)
        if (trim(parts[i]) != "") td[++k] = trim(parts[i])
    return k
}

# Each typedef name must be the header's name for the record.
function typedef_asserts(l, real, td, nt,    i) {
    for (i = 1; i <= nt; i++)
        add_assert(l, sprintf("_Static_assert(_Generic((%s *)0, %s *: 1, default: 0), " \
                              "\"%s: the header's typedef %s is not %s\");\n",
                              td[i], real, real, td[i], real))
}

# Renames the typedef names after the last closing brace of s, so the copy does not clash.
function rename_typedefs(s, td, nt,    i, j, tail) {
    i = index(s, "}")
    while (index(substr(s, i + 1), "}") > 0) i += index(substr(s, i + 1), "}")
    tail = substr(s, i + 1)
    for (j = 1; j <= nt; j++) tail = rename_word(tail, td[j], "steady_doc__" td[j])
    return substr(s, 1, i) tail
}

# Same names in the same order (checked before): each field of the same type, at the same
# offset, and the same size overall.
function field_asserts(l, real, doc, fn, n,    i) {
    for (i = 1; i <= n; i++) {
        add_assert(l, sprintf("_Static_assert(_Generic(&((%s *)0)->%s, " \
                              "__typeof__(&((%s *)0)->%s): 1, default: 0), " \
                              "\"%s: field %s: the header gives it another type\");\n",
                              doc, fn[i], real, fn[i], real, fn[i]))
        add_assert(l, sprintf("_Static_assert(offsetof(%s, %s) == offsetof(%s, %s), " \
                              "\"%s: field %s: at another offset in the header\");\n",
                              doc, fn[i], real, fn[i], real, fn[i]))
    }
    add_assert(l, sprintf("_Static_assert(sizeof(%s) == sizeof(%s), " \
                          "\"%s: another size in the header\");\n", doc, real, real))
}

# An enum definition: its enumerators and values against the header's. Not compiled itself
# (its constants would clash with the header's); returns as many blank lines as it took.
function check_enum(l, s, tag, body,    en, ev, hn, hv, n, m, i, v, k, hb, blank) {
    n = enum_names(body, en, ev)
    if (tag == "") {
        problem(l, "enum without a tag: a synopsis shows the header's tagged enum")
    } else if ((hb = header_body("enum", tag)) == "") {
        problem(l, "enum " tag ": the public headers do not define it")
    } else {
        m = enum_names(strip_comments(hb), hn, hv)
        if (join(en, n) != join(hn, m))
            problem(l, "enum " tag ": the page lists (" join(en, n) "), the header (" join(hn, m) ")")
    }
    v = "0"; k = 0
    for (i = 1; i <= n; i++) {
        if (ev[i] != "") { v = ev[i]; k = 0 } else if (i > 1) k++
        add_assert(l, sprintf("_Static_assert(%s == (%s) + %d, " \
                              "\"enum %s: %s has another value in the header\");\n",
                              en[i], v, k, tag, en[i]))
    }
    blank = ""
    for (i = count_newlines(s); i > 0; i--) blank = blank "\n"
    return blank
}

# True when the text before s's first "{" opens a struct, union or enum definition.
function record_opener(s) {
    return match(substr(s, 1, index(s, "{") - 1), /(struct|union|enum)([ \t\n]+[A-Za-z_][A-Za-z0-9_]*)?[ \t\n]*$/)
}

# One top-level declaration s (ending with ";"), starting at block line l.
function statement(l, s,    t, open, prefix, body, suffix, kind, tag, name, depth, i, c) {
    t = trim(s)
    if (t == ";" || t == "") return s
    open = index(s, "{")
    if (open == 0) {
        name = declared_name(substr(t, 1, length(t) - 1))
        if (name == "")
            problem(l, "cannot tell what this declaration declares")
        else if (!(name in MACRO) && !(name in WORD))
            problem(l, name ": declared here, but the public headers declare no " name)
        return s
    }
    prefix = substr(s, 1, open - 1)
    if (!record_opener(s)) {
        problem(l, "a function body: a decl block only declares (show a whole program, an " \
                "excerpt or a fragment instead)")
        return s
    }
    match(prefix, /(struct|union|enum)([ \t\n]+[A-Za-z_][A-Za-z0-9_]*)?[ \t\n]*$/)
    kind = substr(prefix, RSTART)
    tag = trim(kind)
    kind = tag; sub(/[ \t\n].*$/, "", kind)
    sub(/^[a-z]+[ \t\n]*/, "", tag)
    depth = 0
    for (i = open; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "{") depth++
        else if (c == "}" && --depth == 0) break
    }
    body = substr(s, open + 1, i - open - 1)
    suffix = substr(s, i + 1)
    sub(/;[ \t\n]*$/, "", suffix)
    if (kind == "enum") return check_enum(l, s, tag, body)
    return check_record(l, s, kind, tag, body, suffix)
}

BEGIN {
    while ((getline ln < macros) > 0) {
        if (ln !~ /^#define /) continue
        ln = substr(ln, 9)
        match(ln, /^[A-Za-z_][A-Za-z0-9_]*/)
        MACRO[substr(ln, 1, RLENGTH)] = substr(ln, RLENGTH + 1)
    }
    HT = ""
    while ((getline ln < header) > 0) {
        HT = HT ln "\n"
        nw = split(ln, w, /[^A-Za-z0-9_]+/)
        for (i = 1; i <= nw; i++) if (w[i] != "") WORD[w[i]] = 1
    }
}

{ text = text $0 "\n" }

END {
    text = strip_comments(text)
    nl = split(text, L, "\n")
    # Preprocessor lines: #define is checked against the headers and then blanked; any other
    # directive (#include) stays.
    for (i = 1; i <= nl; i++) {
        if (L[i] !~ /^[ \t]*#/) continue
        d = L[i]; first = i
        while (d ~ /\\[ \t]*$/ && i < nl) { sub(/\\[ \t]*$/, " ", d); L[i] = ""; d = d L[++i] }
        if (d ~ /^[ \t]*#[ \t]*define[ \t]/) { check_macro(first, d); L[i] = ""; L[first] = "" }
    }
    code = ""
    for (i = 1; i <= nl; i++) code = code L[i] (i < nl ? "\n" : "")
    # Top-level statements: up to each ";" outside braces and parentheses.
    out = ""; s = ""; bl = 1; sl = 1; paren = 0; brace = 0
    for (i = 1; i <= length(code); i++) {
        c = substr(code, i, 1)
        if (s ~ /^[ \t\n]*$/ && c !~ /[ \t\n]/) sl = bl
        s = s c
        if (c == "\n") bl++
        else if (c == "(") paren++
        else if (c == ")") paren--
        else if (c == "{") brace++
        else if (c == "}" && --brace == 0 && paren == 0 && !record_opener(s)) {
            # A function definition ends at its closing brace, without a ";".
            problem(sl, "a function body: a decl block only declares (show a whole program, " \
                    "an excerpt or a fragment instead)")
            out = out s
            s = ""
        }
        else if (c == ";" && paren == 0 && brace == 0) {
            out = out statement(sl, s)
            s = ""
        }
    }
    if (trim(s) != "") problem(sl, "a declaration without its closing ';'")
    out = out s
    printf "#line %d \"%s\"\n%s\n%s", line + 1, page, out, ASSERTS
}
