// toml_fuzz.cpp — steady-new's input path (issue 15 item 7): any bytes as a description are
// read (toml++; cgraph's DOT when built with TOML_FUZZ_DOT: fuzz_dot), checked and, when they
// pass, rendered through the real templates into memory.
// Nothing may crash, hang or leak, and a description with an error must render nothing: the
// generator writes files only after check() passed (tools/new/main.cpp), and this target holds
// the path up to the write to that order. Built like the bridge's targets (CMakeLists.txt).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "model.hpp"
#include "render.hpp"

#ifndef TOML_FUZZ_TEMPLATES
#error "the build passes the templates' directory"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string text(reinterpret_cast<const char *>(data), size);
    steady_new::app a;
    steady_new::diagnostics d;
#ifdef TOML_FUZZ_DOT
    bool ok = steady_new::read_dot(text, "fuzz.dot", a, d) && steady_new::check(a, d);
#else
    bool ok = steady_new::read_toml(text, "fuzz.toml", a, d) && steady_new::check(a, d);
#endif
    if (ok == d.has_errors()) // an error must fail the check, and a failed check must say why
        std::abort();
    (void)d.format();
    if (!ok)
        return 0;
    std::map<std::string, steady_new::out_file> files;
    std::string err;
    if (!steady_new::render(a, TOML_FUZZ_TEMPLATES, files, &err) || files.empty())
        std::abort(); // a checked description always renders
    return 0;
}
