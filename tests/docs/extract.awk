# extract.awk — finds every fenced code block of the Markdown pages it is given, and the
# doc-test directives that classify them (tests/docs/README.md). POSIX awk (mawk, gawk).
#
# Input: the pages, as files on the command line (FILENAME names the page in messages).
# -v out=DIR: each ```c block's text is written to DIR/<n>.c, each ```cpp (or ```c++) block's
# to DIR/<n>.cpp (n counts from 1), without the fence's own indentation.
# Output, one line per block or problem, fields separated by a tab:
#   C      <n> <page> <line> <mode> <argument> <has main: 0|1> <where the mode came from> <c|cpp>
#   DEFAULT <page> <line> <mode> <argument>   (a doc-test-default line: the mode of the page's
#                                              blocks that have no directive of their own)
#   OTHER  <language> <page> <line>
#   ERROR  <page> <line> <message>
# <line> is the fence's line. <mode> is what the block's own directive said, or "-".

function fail(line, msg) {
    fail_on(FILENAME, line, msg)
}

function fail_on(page, line, msg) {
    printf "ERROR\t%s\t%d\t%s\n", page, line, msg
}

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t]+$/, "", s)
    return s
}

# "<!-- doc-test: mode arg -->" -> "mode arg" (mode and argument separated by one space).
function directive_text(s) {
    s = trim(s)
    sub(/^<!--[ \t]*doc-test(-default)?:[ \t]*/, "", s)
    sub(/[ \t]*-->$/, "", s)
    gsub(/[ \t]+/, " ", s)
    return s
}

function check_directive(s, line,    n, w) {
    n = split(s, w, " ")
    if (w[1] == "program" && n == 1) return 1
    if (w[1] == "decl" && (n == 1 || (n == 2 && w[2] ~ /^prelude=[A-Za-z0-9_-]+$/))) return 1
    if (w[1] == "fragment" && (n == 1 || (n == 2 && w[2] ~ /^prelude=[A-Za-z0-9_-]+$/))) return 1
    if (w[1] == "excerpt" && n == 2 && w[2] ~ /^examples\/[A-Za-z0-9_.\/-]+$/ && w[2] !~ /\.\./)
        return 1
    fail(line, "doc-test directive '" s "' is not one of: program, decl [prelude=NAME], " \
         "fragment [prelude=NAME], excerpt examples/PATH")
    return 0
}

FNR == 1 {
    if (in_block) fail_on(block_page, block_line, "this ``` block is never closed")
    if (pending != "") fail_on(pending_page, pending_line, "doc-test directive not followed by a code block")
    in_block = 0; pending = ""; pending_line = 0; default_line = 0
}

END {
    if (in_block) fail_on(block_page, block_line, "this ``` block is never closed")
    if (pending != "") fail_on(pending_page, pending_line, "doc-test directive not followed by a code block")
}

# Inside a block: the closing fence (the same character, at least as long, nothing after it).
in_block {
    line = $0
    if (line ~ /^[ \t]*(```+|~~~+)[ \t]*$/) {
        f = trim(line)
        if (substr(f, 1, 1) == substr(fence, 1, 1) && length(f) >= length(fence)) {
            in_block = 0
            if (is_c) {
                close(file)
                printf "C\t%d\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n", n_c, c_page[n_c], c_line[n_c], \
                       c_mode[n_c], c_arg[n_c], has_main, c_from[n_c], c_lang[n_c]
            }
            next
        }
    }
    if (is_c) {
        # Drop the opening fence's indentation (a block nested in a list item), as CommonMark does.
        for (i = 0; i < indent && substr(line, 1, 1) == " "; i++) line = substr(line, 2)
        print line > file
        if (line ~ /^[ \t]*int[ \t]+main[ \t]*\(/) has_main = 1
    }
    next
}

/^[ \t]*<!--[ \t]*doc-test-default:.*-->[ \t]*$/ {
    s = directive_text($0)
    if (default_line) fail(FNR, "a second doc-test-default line (the first is at line " default_line ")")
    else if (check_directive(s, FNR)) {
        default_line = FNR
        split(s, w, " ")
        printf "DEFAULT\t%s\t%d\t%s\t%s\n", FILENAME, FNR, w[1], (w[2] == "" ? "-" : w[2])
    }
    next
}

/^[ \t]*<!--[ \t]*doc-test:.*-->[ \t]*$/ {
    if (pending != "") fail(pending_line, "doc-test directive not followed by a code block")
    s = directive_text($0)
    pending = check_directive(s, FNR) ? s : ""
    pending_line = FNR; pending_page = FILENAME
    next
}

/<!--[ \t]*doc-test/ {
    fail(FNR, "a doc-test directive must be one whole line: <!-- doc-test: MODE [ARG] -->")
    next
}

# An opening fence: ``` or ~~~, and the language (the info string's first word).
/^[ \t]*(```+|~~~+)/ {
    line = $0
    match(line, /^[ \t]*/)
    indent = RLENGTH
    f = substr(line, RSTART + RLENGTH)
    match(f, /^(```+|~~~+)/)
    fence = substr(f, 1, RLENGTH)
    lang = tolower(trim(substr(f, RLENGTH + 1)))
    sub(/[ \t{].*$/, "", lang)
    in_block = 1; block_page = FILENAME; block_line = FNR; has_main = 0; is_c = 0
    if (lang == "") {
        fail(FNR, "a code block without a language: write ```c for C (it is then compiled), " \
             "or ```text, ```sh, ```console ... for anything else")
    } else if (lang == "c" || lang == "cpp" || lang == "c++") {
        is_c = 1
        n_c++
        c_lang[n_c] = lang == "c" ? "c" : "cpp"
        file = out "/" n_c "." c_lang[n_c]
        printf "" > file
        if (pending != "") { mode = pending; from = "directive at line " pending_line }
        else { mode = "-"; from = "-" }
        # The mode's argument travels in a field of its own.
        split(mode, w, " ")
        c_mode[n_c] = w[1]; c_arg[n_c] = (w[2] == "" ? "-" : w[2])
        c_page[n_c] = FILENAME; c_line[n_c] = FNR; c_from[n_c] = from
    } else {
        if (pending != "") fail(pending_line, "doc-test directive before a ```" lang " block: only ```c blocks are checked")
        printf "OTHER\t%s\t%s\t%d\n", lang, FILENAME, FNR
    }
    pending = ""
    next
}

# Any other non-blank line between a directive and its block cancels the directive.
/[^ \t]/ {
    if (pending != "") {
        fail(pending_line, "doc-test directive not followed by a code block")
        pending = ""
    }
}
