# What steady-new needs, checked where it is built (tools/new) and where its tests are
# registered (tests/new, configured before tools/): a C++17 compiler, toml++
# (libtomlplusplus-dev) and kainjow-mustache (libkainjow-mustache-dev). Sets
# STEADY_NEW_DEPS_FOUND, STEADY_NEW_MUSTACHE (its include directory) and STEADY_NEW_MISSING.
include(CheckLanguage)
check_language(CXX)
find_package(tomlplusplus CONFIG QUIET)
find_path(STEADY_NEW_MUSTACHE kainjow/mustache.hpp)
set(STEADY_NEW_MISSING "")
if(NOT CMAKE_CXX_COMPILER)
    list(APPEND STEADY_NEW_MISSING g++)
endif()
if(NOT tomlplusplus_FOUND)
    list(APPEND STEADY_NEW_MISSING libtomlplusplus-dev)
endif()
if(NOT STEADY_NEW_MUSTACHE)
    list(APPEND STEADY_NEW_MISSING libkainjow-mustache-dev)
endif()
if(STEADY_NEW_MISSING)
    set(STEADY_NEW_DEPS_FOUND OFF)
    string(REPLACE ";" " " STEADY_NEW_MISSING "${STEADY_NEW_MISSING}")
else()
    set(STEADY_NEW_DEPS_FOUND ON)
endif()
