// project.cpp — see project.hpp. The merge is diffutils' diff3 (Debian priority "required", so
// on every Debian machine): `diff3 -m yours base new` takes each of the user's changes and each
// of the generator's, and marks where both changed the same lines.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "project.hpp"

namespace steady_new {
namespace {

bool read_file(const std::string &path, std::string &out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

bool make_dirs(const std::string &path)
{
    for (size_t i = 1; i <= path.size(); i++)
        if (i == path.size() || path[i] == '/') {
            std::string p = path.substr(0, i);
            if (mkdir(p.c_str(), 0777) != 0 && errno != EEXIST)
                return false;
        }
    return true;
}

std::string parent(const std::string &path)
{
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Writes through a temporary file and a rename: a crash leaves the old file or the new one.
bool write_file(const std::string &path, const std::string &text, std::string *err)
{
    std::string tmp = path + ".steady-new-tmp";
    if (!make_dirs(parent(path))) {
        *err = parent(path) + ": " + std::strerror(errno);
        return false;
    }
    FILE *f = std::fopen(tmp.c_str(), "wb");
    bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = f && std::fclose(f) == 0 && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        *err = path + ": " + std::strerror(errno);
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

// Runs argv, its stdout into out; the exit status, or -1 when it could not run.
int run(const std::vector<std::string> &argv, std::string &out)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(fd[1]);
    char buf[4096];
    ssize_t n;
    while (pid > 0 && ((n = read(fd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            out.append(buf, static_cast<size_t>(n));
    close(fd[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

struct scratch { // a temporary directory for diff3's and diff's inputs
    std::string dir;
    int n = 0;
    scratch()
    {
        char t[] = "/tmp/steady-new-XXXXXX";
        if (mkdtemp(t))
            dir = t;
    }
    ~scratch()
    {
        if (dir.empty())
            return;
        std::string out;
        run({"rm", "-rf", dir}, out);
    }
    std::string put(const std::string &text)
    {
        std::string p = dir + "/" + std::to_string(n++), e;
        return write_file(p, text, &e) ? p : "";
    }
};

// The three-way merge; false when diff3 could not run. conflicts: the merged text has them.
bool merge3(scratch &s, const std::string &yours, const std::string &base,
            const std::string &now, std::string &merged, bool &conflicts)
{
    std::string y = s.put(yours), b = s.put(base), n = s.put(now);
    if (y.empty() || b.empty() || n.empty())
        return false;
    int rc = run({"diff3", "-m", "-L", "yours", "-L", "last generation", "-L", "this generation",
                  y, b, n},
                 merged);
    conflicts = rc == 1;
    return rc == 0 || rc == 1;
}

std::string unified(scratch &s, const std::string &rel, const std::string &before,
                    const std::string &after)
{
    std::string a = s.put(before), b = s.put(after), out;
    run({"diff", "-u", "--label", "a/" + rel, "--label", "b/" + rel, a, b}, out);
    return out;
}

std::string conflict_lines(const std::string &rel, const std::string &text)
{
    std::istringstream in(text);
    std::string line, where;
    for (unsigned n = 1; std::getline(in, line); n++)
        if (line.rfind("<<<<<<< yours", 0) == 0)
            where += (where.empty() ? "" : ", ") + std::to_string(n);
    return rel + ": line " + where + " (between <<<<<<< yours and >>>>>>> this generation)";
}

void list_base(const std::string &root, const std::string &rel, std::set<std::string> &out)
{
    DIR *d = opendir((root + (rel.empty() ? "" : "/" + rel)).c_str());
    if (!d)
        return;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        std::string r = rel.empty() ? name : rel + "/" + name;
        struct stat st;
        if (stat((root + "/" + r).c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            list_base(root, r, out);
        else
            out.insert(r);
    }
    closedir(d);
}

bool usable_dir(const std::string &dir, std::string *err)
{
    struct stat st;
    if (stat(dir.c_str(), &st) != 0)
        return true; // made on the first write
    if (!S_ISDIR(st.st_mode)) {
        *err = dir + " exists and is not a directory: choose another --out";
        return false;
    }
    if (stat((dir + "/.steady").c_str(), &st) == 0)
        return true;
    DIR *d = opendir(dir.c_str());
    bool empty = true;
    while (d && empty)
        if (struct dirent *e = readdir(d))
            empty = !std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..");
        else
            break;
    if (d)
        closedir(d);
    if (!empty)
        *err = dir + " is not empty and steady-new did not make it (it has no .steady/): "
                     "choose another --out, or empty it";
    return empty;
}

} // namespace

bool write_project(const std::string &dir, const std::map<std::string, out_file> &files,
                   const std::string &description, bool dry_run, write_report &r,
                   std::string &out, std::string *err)
{
    if (!usable_dir(dir, err))
        return false;
    scratch s;
    if (s.dir.empty()) {
        *err = std::string("a temporary directory under /tmp: ") + std::strerror(errno);
        return false;
    }
    const std::string base_root = dir + "/.steady/base";
    std::set<std::string> old_base;
    list_base(base_root, "", old_base);
    for (const auto &[rel, f] : files) { // a merge left unresolved is not merged again
        std::string current;
        if (f.by == owner::user && read_file(dir + "/" + rel, current) &&
            (current.rfind("<<<<<<< yours\n", 0) == 0 ||
             current.find("\n<<<<<<< yours\n") != std::string::npos)) {
            *err = conflict_lines(rel, current) + " is still unresolved from the last "
                   "generation: resolve it (keep what you want between the markers, remove "
                   "them), then run steady-new again; nothing was written";
            return false;
        }
    }
    std::map<std::string, std::string> final_text; // what each path will hold
    for (const auto &[rel, f] : files) {
        std::string path = dir + "/" + rel, current, base, merged;
        bool exists = read_file(path, current), has_base = read_file(base_root + "/" + rel, base);
        old_base.erase(rel);
        if (f.by == owner::tool) {
            if (exists && has_base && current != base)
                r.notes.push_back(rel + " was edited, but steady-new owns it: your copy is kept as " +
                                  rel + ".orig");
            if (exists && has_base && current != base && !dry_run &&
                !write_file(path + ".orig", current, err))
                return false;
            final_text[rel] = f.text;
        } else if (!exists && has_base) {
            r.kept.push_back(rel + " (you removed it; not made again)");
            continue;
        } else if (!exists) {
            final_text[rel] = f.text;
        } else if (!has_base) {
            r.kept.push_back(rel + " (not made by steady-new; this generation's is " + rel +
                             ".new)");
            final_text[rel + ".new"] = f.text;
            continue;
        } else {
            bool conflicts = false;
            if (!merge3(s, current, base, f.text, merged, conflicts)) {
                *err = "diff3 (diffutils) could not merge " + rel + ": apt-get install diffutils";
                return false;
            }
            if (conflicts)
                r.conflicts.push_back(conflict_lines(rel, merged));
            final_text[rel] = merged;
        }
    }
    for (const std::string &rel : old_base)
        if (access((dir + "/" + rel).c_str(), F_OK) == 0)
            r.kept.push_back(rel + " (no longer in the description: kept; delete it yourself)");
    for (const auto &[rel, text] : final_text) {
        std::string current;
        bool exists = read_file(dir + "/" + rel, current);
        if (exists && current == text) {
            r.unchanged.push_back(rel);
            continue;
        }
        (exists ? r.updated : r.created).push_back(rel);
        if (dry_run)
            out += unified(s, rel, exists ? current : "", text);
        else if (!write_file(dir + "/" + rel, text, err))
            return false;
    }
    if (dry_run)
        return true;
    for (const auto &[rel, f] : files) // the generation the next one merges against
        if (final_text.count(rel) && !write_file(base_root + "/" + rel, f.text, err))
            return false;
    return write_file(dir + "/.steady/description.toml", description, err) &&
           write_file(dir + "/.steady/README",
                      "steady-new's record of the last generation: base/ holds the files as it "
                      "made them, the ancestor of its next three-way merge. Keep it (commit it "
                      "with the project); deleting it makes steady-new treat your files as not "
                      "its own.\n",
                      err);
}

} // namespace steady_new
