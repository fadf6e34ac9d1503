#!/bin/sh
# doc_links_test.sh SOURCE_DIR — every relative link of README.md and docs/**/*.md points at a
# file or directory of the repository (issue 10: three pages pointed at a shared/ directory that
# is not in the repository). Links to web pages (scheme://) and anchors of the same page are left
# alone; a link's own anchor (#...) is dropped before the check.
set -u
root=$1
status=0
checked=0
for page in "$root/README.md" $(find "$root/docs" -name '*.md' | sort); do
    dir=$(dirname "$page")
    # ](target) links, one per line; reference-style links are not used in these pages
    for target in $(grep -o '](\([^)#][^)]*\))' "$page" | sed 's/^](//; s/)$//; s/#.*$//'); do
        case "$target" in
        *://* | mailto:*) continue ;;
        esac
        checked=$((checked + 1))
        if [ ! -e "$dir/$target" ]; then
            echo "doc_links: ${page#$root/}: link to '$target', which is not in the repository"
            status=1
        fi
    done
done
if [ "$status" -eq 0 ]; then
    echo "doc_links: PASS: $checked relative links, each to a file of the repository"
fi
exit $status
