# Checks (or writes) docs/scenario-reference.md: it must be exactly what
# `scsim scenario-reference` prints from the scenario schema's declarations.
# ctest runs the check (tests/python/CMakeLists.txt); `cmake --build build --target docs`
# (top-level CMakeLists.txt) or MODE=write regenerates the file.
#   cmake -DSCSIM=path/to/scsim -DREFERENCE=docs/scenario-reference.md -DMODE=write|check -P reference.cmake
execute_process(COMMAND ${SCSIM} scenario-reference OUTPUT_VARIABLE body ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`scsim scenario-reference` failed (${rc}): ${err}")
endif()
set(generated "${body}")
if(MODE STREQUAL "write")
  file(WRITE ${REFERENCE} "${generated}")
  message(STATUS "wrote ${REFERENCE}")
elseif(MODE STREQUAL "check")
  if(NOT EXISTS ${REFERENCE})
    message(FATAL_ERROR "${REFERENCE} is missing; run: cmake --build build --target docs")
  endif()
  file(READ ${REFERENCE} committed)
  if(NOT committed STREQUAL generated)
    message(FATAL_ERROR "${REFERENCE} differs from what the scenario schema generates; "
                        "run `cmake --build build --target docs` and commit the result")
  endif()
  message(STATUS "${REFERENCE} is current")
else()
  message(FATAL_ERROR "MODE must be write or check, not '${MODE}'")
endif()
