// steady-new — a description of an application (TOML) into a CMake project that builds against
// steady: the graph, one file per actor, a test per actor and one of the whole graph. Run again
// after the description changed, it merges the change into the user's edits.
// docs/guide/codegen.md is its manual; docs/reference/steady-new.md its command line.
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "model.hpp"
#include "project.hpp"
#include "render.hpp"

#ifndef STEADY_NEW_VERSION
#define STEADY_NEW_VERSION "0"
#endif
#ifndef STEADY_NEW_TEMPLATES // the installed templates (CMake passes the path)
#define STEADY_NEW_TEMPLATES "/usr/local/share/steady/new/templates"
#endif

using namespace steady_new;

namespace {

const char usage_text[] =
    "usage: steady-new DESCRIPTION.toml [--out DIR] [--dry-run] [--check] [--to-toml]\n"
    "                  [--templates DIR]\n"
    "       steady-new --from-dot GRAPH.dot [the same options]\n"
    "  Makes (or updates) a CMake project of a steady application from its description.\n"
    "  --from-dot       the description is the original Steady State's annotated Graphviz DOT\n"
    "  --to-toml        print the description as TOML (after the checks); write nothing\n"
    "  --out DIR        the project (default: ./<app name>); made when missing, updated when\n"
    "                   steady-new made it before: your edits are kept, merged three-way\n"
    "  --dry-run        print the unified diff of what would change; write nothing\n"
    "  --check          only validate the description (exit 1 with its errors)\n"
    "  --templates DIR  the templates (default: the installed ones)\n"
    "  --version, --help\n"
    "Exit status: 0 done; 1 the description has errors (nothing written); 2 bad usage or a\n"
    "file could not be written; 3 written, with merge conflicts to resolve (listed).\n";

struct options {
    std::string input, out, templates;
    bool dry_run = false, check_only = false, from_dot = false, to_toml = false;
};

// 0: go on; 1: exit 0 (help, version); 2: bad usage (said).
int parse_args(int argc, char **argv, options &o)
{
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        bool has_value = i + 1 < argc;
        if (a == "--help" || a == "-h") {
            std::fputs(usage_text, stdout);
            return 1;
        } else if (a == "--version") {
            std::printf("steady-new %s\n", STEADY_NEW_VERSION);
            return 1;
        } else if (a == "--dry-run") {
            o.dry_run = true;
        } else if (a == "--check") {
            o.check_only = true;
        } else if (a == "--from-dot") {
            o.from_dot = true;
        } else if (a == "--to-toml") {
            o.to_toml = true;
        } else if ((a == "--out" || a == "--templates") && has_value) {
            (a == "--out" ? o.out : o.templates) = argv[++i];
        } else if (a == "--out" || a == "--templates") {
            std::fprintf(stderr, "steady-new: %s needs a directory\n", a.c_str());
            return 2;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "steady-new: unknown option %s (see --help)\n", a.c_str());
            return 2;
        } else if (o.input.empty()) {
            o.input = a;
        } else {
            std::fprintf(stderr, "steady-new: one description at a time (%s and %s)\n",
                         o.input.c_str(), a.c_str());
            return 2;
        }
    }
    if (o.input.empty()) {
        std::fputs(usage_text, stderr);
        return 2;
    }
    return 0;
}

// The templates: --templates, $STEADY_NEW_TEMPLATES, ../share/steady/new/templates beside the
// program (an installed tree moved elsewhere), then the configured install path.
std::string templates_dir(const options &o)
{
    if (!o.templates.empty())
        return o.templates;
    if (const char *e = std::getenv("STEADY_NEW_TEMPLATES"))
        return e;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        std::string bin(self);
        bin = bin.substr(0, bin.rfind('/'));
        std::string near = bin + "/../share/steady/new/templates";
        if (access((near + "/gen.h.mustache").c_str(), R_OK) == 0)
            return near;
    }
    return STEADY_NEW_TEMPLATES;
}

void print_list(const char *title, const std::vector<std::string> &l)
{
    if (l.empty())
        return;
    std::printf("%s:\n", title);
    for (const std::string &s : l)
        std::printf("  %s\n", s.c_str());
}

// A project steady-new made for another application is not merged into: false, said on stderr.
bool same_app(const std::string &dir, const std::string &name)
{
    std::ifstream in(dir + "/.steady/description.toml", std::ios::binary);
    if (!in)
        return true;
    std::ostringstream text;
    text << in.rdbuf();
    app before;
    diagnostics ignored;
    read_toml(text.str(), dir + "/.steady/description.toml", before, ignored);
    if (before.name.empty() || before.name == name)
        return true;
    std::fprintf(stderr,
                 "steady-new: %s was made for the application '%s', not '%s': choose another "
                 "--out (or remove %s/.steady to take its files over as not steady-new's)\n",
                 dir.c_str(), before.name.c_str(), name.c_str(), dir.c_str());
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    options o;
    if (int p = parse_args(argc, argv, o))
        return p == 1 ? 0 : 2;
    struct stat st;
    if (stat(o.input.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        std::fprintf(stderr, "steady-new: %s is a directory: give the description file (e.g. "
                             "%s/app.toml)\n",
                     o.input.c_str(), o.input.c_str());
        return 2;
    }
    std::ifstream in(o.input, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "steady-new: %s: %s\n", o.input.c_str(), std::strerror(errno));
        return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    app a;
    diagnostics d;
    bool ok = (o.from_dot ? read_dot(text.str(), o.input, a, d)
                          : read_toml(text.str(), o.input, a, d)) &&
              check(a, d);
    std::fputs(d.format().c_str(), stderr);
    if (!ok) {
        std::fprintf(stderr, "steady-new: %s has errors; nothing was written\n",
                     o.input.c_str());
        return 1;
    }
    if (o.check_only)
        return 0;
    if (o.to_toml) {
        std::fputs(write_toml(a).c_str(), stdout);
        return 0;
    }
    char abs[PATH_MAX];
    if (realpath(o.input.c_str(), abs))
        a.source_path = abs;
    for (char c : a.source_path)
        if (static_cast<unsigned char>(c) < 0x20) {
            std::fprintf(stderr, "steady-new: the description's path has a control character: "
                                 "move it to a path without one\n");
            return 2;
        }
    std::map<std::string, out_file> files;
    std::string err, diff;
    if (!render(a, templates_dir(o), files, &err)) {
        std::fprintf(stderr, "steady-new: %s\n", err.c_str());
        return 2;
    }
    std::string dir = o.out.empty() ? a.name : o.out;
    if (!same_app(dir, a.name))
        return 2;
    write_report r;
    if (!write_project(dir, files, a.source_text, o.dry_run, r, diff, &err)) {
        std::fprintf(stderr, "steady-new: %s\n", err.c_str());
        return 2;
    }
    if (o.dry_run) {
        std::fputs(diff.c_str(), stdout);
        std::printf("steady-new: dry run: %zu files would be made, %zu changed, %zu conflict(s); "
                    "nothing was written\n",
                    r.created.size(), r.updated.size(), r.conflicts.size());
    } else {
        std::printf("steady-new: %s: %zu made, %zu updated, %zu unchanged\n", dir.c_str(),
                    r.created.size(), r.updated.size(), r.unchanged.size());
    }
    print_list("kept", r.kept);
    print_list("note", r.notes);
    print_list("conflicts (resolve them, then build)", r.conflicts);
    return r.conflicts.empty() ? 0 : 3;
}
