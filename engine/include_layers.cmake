# The include direction of tinyskip, checked on every build (engine/CMakeLists.txt
# runs this script before compiling the engine). sim/ includes neither
# mcu_model/ nor engine/; mcu_model/ includes sim/ only; and each engine/
# directory includes only directories of lower layers below. Directories in
# one layer do not include each other. An include against the direction fails
# the build with the file, the line and the rule it breaks.
#
# Usage: cmake -DROOT=<source dir> -DSTAMP=<file to touch> -P include_layers.cmake

# Lowest first; a directory may include those of the layers before its own.
set(ENGINE_LAYERS
  "report runtime significance"  # leaves: scores, the C runtime, significance
  "search"                       # design space, problem, algorithms, Pareto
  "config"                       # experiment configs (names layers of a space)
  "results"                      # run store, points.csv, winner files
  "codegen"                      # C code for a design point
  "measure"                      # building and timing generated programs
  "explore"                      # experiments, evaluation, flash/latency tables
  "calibrate"                    # fitting the cost model
  "cli")                         # the command line

set(rank 0)
foreach(layer IN LISTS ENGINE_LAYERS)
  string(REPLACE " " ";" dirs "${layer}")
  foreach(dir IN LISTS dirs)
    set(RANK_${dir} ${rank})
  endforeach()
  math(EXPR rank "${rank} + 1")
endforeach()

set(violations "")
file(GLOB_RECURSE files "${ROOT}/sim/*.h" "${ROOT}/sim/*.cc" "${ROOT}/mcu_model/*.h" "${ROOT}/mcu_model/*.cc"
     "${ROOT}/engine/*.h" "${ROOT}/engine/*.cc" "${ROOT}/engine/*.c")
foreach(file IN LISTS files)
  file(RELATIVE_PATH relative "${ROOT}" "${file}")
  string(REGEX MATCH "^([a-z_]+)/([a-z_]+)?" _ "${relative}")
  set(top "${CMAKE_MATCH_1}")
  set(sub "${CMAKE_MATCH_2}")
  file(STRINGS "${file}" includes REGEX "^#include \"(sim|mcu_model|engine)/")
  foreach(line IN LISTS includes)
    string(REGEX MATCH "^#include \"([a-z_]+)/" _ "${line}")
    set(target_top "${CMAKE_MATCH_1}")
    set(target_sub "")
    if(line MATCHES "^#include \"[a-z_]+/([a-z_]+)/")
      set(target_sub "${CMAKE_MATCH_1}")
    endif()
    set(rule "")
    if(top STREQUAL "sim" AND NOT target_top STREQUAL "sim")
      set(rule "sim/ includes only sim/")
    elseif(top STREQUAL "mcu_model" AND target_top STREQUAL "engine")
      set(rule "mcu_model/ never includes engine/")
    elseif(top STREQUAL "engine" AND target_top STREQUAL "engine" AND NOT sub STREQUAL target_sub)
      if(NOT DEFINED RANK_${sub} OR NOT DEFINED RANK_${target_sub})
        set(rule "every engine/ directory has a layer in engine/include_layers.cmake")
      elseif(NOT RANK_${target_sub} LESS RANK_${sub})
        set(rule "engine/${sub} may include only lower layers than its own, and ${target_sub} is not lower")
      endif()
    endif()
    if(rule)
      string(APPEND violations "\n  ${relative}: ${line}: ${rule}")
    endif()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "include direction broken (engine/include_layers.cmake):${violations}")
endif()
file(TOUCH "${STAMP}")
