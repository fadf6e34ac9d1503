// project.hpp — writing a generation into a project directory: the files steady-new owns are
// replaced, the user's are created once and then merged three-way (diff3 -m) against the last
// generation, kept in <dir>/.steady/base/.
#ifndef STEADY_NEW_PROJECT_HPP
#define STEADY_NEW_PROJECT_HPP

#include <map>
#include <string>
#include <vector>

#include "render.hpp"

namespace steady_new {

struct write_report {
    std::vector<std::string> created, updated, unchanged, conflicts, kept, notes;
};

// Writes files into dir (made when missing), or with dry_run only prints (to out) the unified
// diff of every file that would change. description: the description's text, kept in
// .steady/. False with *err when dir is not a project of steady-new's and not empty, or a file
// cannot be written (what was written before the failure is listed in *err).
bool write_project(const std::string &dir, const std::map<std::string, out_file> &files,
                   const std::string &description, bool dry_run, write_report &r,
                   std::string &out, std::string *err);

} // namespace steady_new

#endif
