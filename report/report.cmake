# report.html's charting library: plotly.js from the npm registry, pinned with
# its integrity hash in report/package-lock.json, fetched with `npm ci` into the
# build tree at configure time (not into the source tree, so build directories
# never share or fight over node_modules) and compiled into scsim together with
# report/template.html by report/embed.cmake. Set SCSIM_PLOTLY_JS to use a
# plotly.min.js that is already on disk instead (offline builds).
set(SCSIM_PLOTLY_JS "" CACHE FILEPATH "plotly.min.js to inline into report.html (default: npm ci of report/package-lock.json)")
set(_report_dir ${PROJECT_SOURCE_DIR}/report)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${_report_dir}/package.json ${_report_dir}/package-lock.json)

if(SCSIM_PLOTLY_JS)
  set(_plotly ${SCSIM_PLOTLY_JS})
  if(NOT EXISTS ${_plotly})
    message(FATAL_ERROR "SCSIM_PLOTLY_JS=${_plotly} does not exist")
  endif()
else()
  set(_npm_dir ${CMAKE_BINARY_DIR}/report-npm)
  set(_plotly ${_npm_dir}/node_modules/plotly.js-dist-min/plotly.min.js)
  file(SHA256 ${_report_dir}/package-lock.json _lock_hash)
  if(NOT EXISTS ${_plotly} OR NOT "${_lock_hash}" STREQUAL "${SCSIM_REPORT_LOCK_HASH}")
    find_program(SCSIM_NPM npm)
    if(NOT SCSIM_NPM)
      message(FATAL_ERROR "npm not found: it fetches plotly.js for report.html. Run `bash scripts/install-deps` "
                          "(installs Debian's npm), or set -DSCSIM_PLOTLY_JS=/path/to/plotly.min.js.")
    endif()
    file(MAKE_DIRECTORY ${_npm_dir})
    configure_file(${_report_dir}/package.json ${_npm_dir}/package.json COPYONLY)
    configure_file(${_report_dir}/package-lock.json ${_npm_dir}/package-lock.json COPYONLY)
    message(STATUS "report.html: npm ci (plotly.js, as pinned in report/package-lock.json)")
    execute_process(COMMAND ${SCSIM_NPM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
                    WORKING_DIRECTORY ${_npm_dir} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
    if(NOT _rc EQUAL 0 OR NOT EXISTS ${_plotly})
      message(FATAL_ERROR "npm ci in ${_npm_dir} failed (${_rc}):\n${_out}${_err}\n"
                          "report.html needs plotly.js; set -DSCSIM_PLOTLY_JS=/path/to/plotly.min.js to build offline.")
    endif()
    set(SCSIM_REPORT_LOCK_HASH ${_lock_hash} CACHE INTERNAL "package-lock.json of the last npm ci")
  endif()
endif()

set(_assets ${CMAKE_BINARY_DIR}/generated/report_assets.cpp)
add_custom_command(
  OUTPUT ${_assets}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DPLOTLY=${_plotly} -DTEMPLATE=${_report_dir}/template.html -DOUT=${_assets}
          -P ${_report_dir}/embed.cmake
  DEPENDS ${_plotly} ${_report_dir}/template.html ${_report_dir}/embed.cmake
  COMMENT "Embedding report/template.html and plotly.js into scsim"
  VERBATIM)
target_sources(scsim_app PRIVATE ${_assets})
