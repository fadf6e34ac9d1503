# Find cmocka and provide one imported target, steady::cmocka, whichever way it is found.
#
# Tried in order:
#   1. cmocka's own CMake package (target cmocka::cmocka or cmocka, or CMOCKA_LIBRARIES; Debian
#      12's libcmocka-dev 1.1.x ships a config file that only sets variables, newer ones a target)
#   2. pkg-config (cmocka.pc)
#   3. find_path / find_library
# Fails configuration with a hint when none works: tests are ON by default and must not be
# skipped silently.
if(TARGET steady::cmocka)
    return()
endif()

set(_steady_cmocka_how "")

find_package(cmocka CONFIG QUIET)
if(cmocka_FOUND)
    if(TARGET cmocka::cmocka)
        add_library(steady::cmocka INTERFACE IMPORTED)
        target_link_libraries(steady::cmocka INTERFACE cmocka::cmocka)
        set(_steady_cmocka_how "CMake package (cmocka::cmocka)")
    elseif(TARGET cmocka)
        add_library(steady::cmocka INTERFACE IMPORTED)
        target_link_libraries(steady::cmocka INTERFACE cmocka)
        set(_steady_cmocka_how "CMake package (cmocka)")
    elseif(CMOCKA_LIBRARIES OR CMOCKA_LIBRARY)
        set(_lib ${CMOCKA_LIBRARIES})
        if(NOT _lib)
            set(_lib ${CMOCKA_LIBRARY})
        endif()
        # Some versions set CMOCKA_LIBRARIES to a bare target name that does not exist here.
        list(GET _lib 0 _first)
        if(IS_ABSOLUTE "${_first}" AND EXISTS "${_first}")
            add_library(steady::cmocka INTERFACE IMPORTED)
            target_link_libraries(steady::cmocka INTERFACE ${_lib})
            if(CMOCKA_INCLUDE_DIR OR CMOCKA_INCLUDE_DIRS)
                target_include_directories(steady::cmocka INTERFACE
                    ${CMOCKA_INCLUDE_DIR} ${CMOCKA_INCLUDE_DIRS})
            endif()
            set(_steady_cmocka_how "CMake package variables (${_first})")
        endif()
        unset(_first)
        unset(_lib)
    endif()
endif()

if(NOT TARGET steady::cmocka)
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
        pkg_check_modules(STEADY_CMOCKA QUIET IMPORTED_TARGET cmocka)
        if(STEADY_CMOCKA_FOUND)
            add_library(steady::cmocka INTERFACE IMPORTED)
            target_link_libraries(steady::cmocka INTERFACE PkgConfig::STEADY_CMOCKA)
            set(_steady_cmocka_how "pkg-config (cmocka ${STEADY_CMOCKA_VERSION})")
        endif()
    endif()
endif()

if(NOT TARGET steady::cmocka)
    find_path(STEADY_CMOCKA_INCLUDE_DIR NAMES cmocka.h)
    find_library(STEADY_CMOCKA_LIBRARY NAMES cmocka)
    if(STEADY_CMOCKA_INCLUDE_DIR AND STEADY_CMOCKA_LIBRARY)
        add_library(steady::cmocka UNKNOWN IMPORTED)
        set_target_properties(steady::cmocka PROPERTIES
            IMPORTED_LOCATION "${STEADY_CMOCKA_LIBRARY}"
            INTERFACE_INCLUDE_DIRECTORIES "${STEADY_CMOCKA_INCLUDE_DIR}")
        set(_steady_cmocka_how "find_library (${STEADY_CMOCKA_LIBRARY})")
    endif()
endif()

if(NOT TARGET steady::cmocka)
    message(FATAL_ERROR
        "steady: cmocka not found, and STEADY_BUILD_TESTS is ON.\n"
        "  Install it (Debian: `make deps-test`, or `apt-get install libcmocka-dev`),\n"
        "  or configure with -DSTEADY_BUILD_TESTS=OFF.")
endif()
message(STATUS "steady: cmocka found through ${_steady_cmocka_how}")
unset(_steady_cmocka_how)
