// render.hpp — a checked model rendered through the templates into the project's files.
#ifndef STEADY_NEW_RENDER_HPP
#define STEADY_NEW_RENDER_HPP

#include <map>
#include <string>

#include "model.hpp"

namespace steady_new {

// Who owns a generated file: the tool (rewritten on every generation, never edited) or the
// user (created once; later generations are merged three-way into the user's edits).
enum class owner { tool, user };

struct out_file {
    owner by;
    std::string text;
};

// Renders every file of the project (relative path -> content) from the templates in
// templates_dir. False with a message in *err when a template is missing or broken.
bool render(const app &a, const std::string &templates_dir,
            std::map<std::string, out_file> &files, std::string *err);

} // namespace steady_new

#endif
