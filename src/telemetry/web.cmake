# web.cmake: the dashboard (web/) embedded in libsteady-telemetry as assets.c (assets.h).
#
# At configure time: the page's files are web/*.html, *.js, *.css, *.svg. The layout engine
# (@viz-js/viz's browser build) comes from web/node_modules when someone ran `npm install` there,
# else from `npm ci` into ${CMAKE_BINARY_DIR}/web-npm (the source tree stays clean; it runs again
# only when web/package-lock.json changes). No npm, a failed install, or
# -DSTEADY_TELEMETRY_VIZ=OFF: the page is embedded without it and shows the DOT text
# (-DSTEADY_NPM=OFF: never run npm, as if it were absent).
# The list of assets goes to web_assets.txt ("<url>\t<file>\t<kind>" lines, kind = html, js, css
# or svg: a content type's ';' would split a CMake list), which the
# browser test's fixture server also reads.
#
# At build time: web_embed.cmake (cmake -P) turns the files into byte arrays in assets.c, again
# whenever one of them changes.
option(STEADY_TELEMETRY_VIZ
       "Embed the graph layout engine (@viz-js/viz, installed with npm) in the dashboard" ON)

set(_tm_web "${PROJECT_SOURCE_DIR}/web")
set(_tm_viz_rel "@viz-js/viz/dist/viz-global.js")
set(_tm_node_modules "")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${_tm_web}/package.json" "${_tm_web}/package-lock.json")

if(NOT STEADY_TELEMETRY_VIZ)
    message(STATUS "steady: dashboard without the layout engine (STEADY_TELEMETRY_VIZ is OFF): "
                   "it shows the DOT text")
elseif(EXISTS "${_tm_web}/node_modules/${_tm_viz_rel}")
    set(_tm_node_modules "${_tm_web}/node_modules")
    message(STATUS "steady: dashboard layout engine from web/node_modules")
else()
    find_program(STEADY_NPM npm)
    set(_tm_npm "${CMAKE_BINARY_DIR}/web-npm")
    set(_tm_npm_args ci --no-audit --no-fund --loglevel=error --fetch-retries=1
                     --fetch-timeout=60000)
    if(NOT STEADY_BUILD_TESTS)
        list(APPEND _tm_npm_args --omit=dev) # playwright-core is for the browser test only
    endif()
    file(SHA256 "${_tm_web}/package-lock.json" _tm_lock)
    set(_tm_want "${_tm_lock} ${_tm_npm_args}")
    set(_tm_have "")
    if(EXISTS "${_tm_npm}/steady-npm.stamp")
        file(READ "${_tm_npm}/steady-npm.stamp" _tm_have)
    endif()
    if(NOT STEADY_NPM)
        message(STATUS "steady: npm not found: dashboard without the layout engine (it shows "
                       "the DOT text; Debian: apt-get install npm)")
    elseif(_tm_have STREQUAL _tm_want AND EXISTS "${_tm_npm}/node_modules/${_tm_viz_rel}")
        set(_tm_node_modules "${_tm_npm}/node_modules")
        message(STATUS "steady: dashboard layout engine from ${_tm_npm} (up to date)")
    elseif(_tm_have STREQUAL "failed ${_tm_want}")
        # Not again at every configure (an offline machine would wait each time).
        message(STATUS "steady: npm ci failed before for this lock file: dashboard without the "
                       "layout engine (it shows the DOT text; remove ${_tm_npm} to try again)")
    else()
        message(STATUS "steady: npm ci in ${_tm_npm} (@viz-js/viz for the dashboard)...")
        file(MAKE_DIRECTORY "${_tm_npm}")
        file(REMOVE "${_tm_npm}/steady-npm.stamp")
        configure_file("${_tm_web}/package.json" "${_tm_npm}/package.json" COPYONLY)
        configure_file("${_tm_web}/package-lock.json" "${_tm_npm}/package-lock.json" COPYONLY)
        execute_process(COMMAND "${STEADY_NPM}" ${_tm_npm_args}
                        WORKING_DIRECTORY "${_tm_npm}"
                        RESULT_VARIABLE _tm_rc OUTPUT_VARIABLE _tm_out ERROR_VARIABLE _tm_out
                        TIMEOUT 300)
        if(_tm_rc EQUAL 0 AND EXISTS "${_tm_npm}/node_modules/${_tm_viz_rel}")
            file(WRITE "${_tm_npm}/steady-npm.stamp" "${_tm_want}")
            set(_tm_node_modules "${_tm_npm}/node_modules")
            message(STATUS "steady: npm ci done: dashboard with the layout engine")
        else()
            # npm's first error line says why (ENOTFOUND, ECONNREFUSED, EINTEGRITY...)
            string(REGEX MATCH "npm (ERR!|error)[^\n]*" _tm_why "${_tm_out}")
            if(NOT _tm_why)
                set(_tm_why "exit ${_tm_rc}")
            endif()
            file(WRITE "${_tm_npm}/steady-npm.stamp" "failed ${_tm_want}")
            message(STATUS "steady: npm ci failed (${_tm_why}): dashboard without the layout "
                           "engine (it shows the DOT text; remove ${_tm_npm} to try again)")
        endif()
    endif()
endif()

# The asset list.
file(GLOB _tm_web_files CONFIGURE_DEPENDS
     "${_tm_web}/*.html" "${_tm_web}/*.js" "${_tm_web}/*.css" "${_tm_web}/*.svg")
list(SORT _tm_web_files)
set(_tm_manifest_text "")
set(_tm_deps "")
foreach(_f IN LISTS _tm_web_files)
    get_filename_component(_name "${_f}" NAME)
    get_filename_component(_ext "${_f}" LAST_EXT)
    string(SUBSTRING "${_ext}" 1 -1 _type) # html, js, css, svg: web_embed.cmake maps them
    if(_name STREQUAL "index.html")
        string(APPEND _tm_manifest_text "/\t${_f}\t${_type}\n")
    endif()
    string(APPEND _tm_manifest_text "/${_name}\t${_f}\t${_type}\n")
    list(APPEND _tm_deps "${_f}")
endforeach()
set(_tm_have_viz 0)
if(_tm_node_modules)
    set(_tm_viz "${_tm_node_modules}/${_tm_viz_rel}")
    string(APPEND _tm_manifest_text
           "/viz/viz-standalone.js\t${_tm_viz}\tjs\n")
    list(APPEND _tm_deps "${_tm_viz}")
    set(_tm_have_viz 1)
endif()
set(_tm_manifest "${CMAKE_CURRENT_BINARY_DIR}/web_assets.txt")
file(CONFIGURE OUTPUT "${_tm_manifest}" CONTENT "${_tm_manifest_text}" @ONLY)

add_custom_command(
    OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/assets.c"
    COMMAND "${CMAKE_COMMAND}" "-DMANIFEST=${_tm_manifest}"
            "-DOUT=${CMAKE_CURRENT_BINARY_DIR}/assets.c" "-DHAVE_VIZ=${_tm_have_viz}"
            -P "${CMAKE_CURRENT_SOURCE_DIR}/web_embed.cmake"
    DEPENDS "${_tm_manifest}" "${CMAKE_CURRENT_SOURCE_DIR}/web_embed.cmake" ${_tm_deps}
    COMMENT "Embedding the dashboard (web/) in assets.c"
    VERBATIM)
list(APPEND TM_SOURCES "${CMAKE_CURRENT_BINARY_DIR}/assets.c")

# For the browser test (tests/telemetry/web.cmake).
set_property(GLOBAL PROPERTY STEADY_WEB_ASSET_MANIFEST "${_tm_manifest}")
set_property(GLOBAL PROPERTY STEADY_WEB_HAVE_VIZ ${_tm_have_viz})
set_property(GLOBAL PROPERTY STEADY_WEB_NODE_MODULES "${_tm_node_modules}")
