# planning = "measure" without force.wisdom_file keeps the FFTW wisdom beside the configuration
# file (fftw_wisdom.f and .d), and the effective configuration names it. Variables: RUNNER,
# CONFIG (configs/quickstart.toml, copied into OUT), OUT (a scratch folder).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
file(COPY "${CONFIG}" DESTINATION "${OUT}/configs")
get_filename_component(name "${CONFIG}" NAME)
execute_process(COMMAND "${RUNNER}" "${OUT}/configs/${name}" --set "box.particles_1d=16" --set "force.grid_1d=32"
                        --set "force.planning=\"measure\"" --set "output.plots=false" --set "output.slice=false"
                        --set "output.directory=\"${OUT}/run\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the run with planning = \"measure\" failed (${rc}):\n${out}\n${err}")
endif()
foreach(suffix f d)
  if(NOT EXISTS "${OUT}/configs/fftw_wisdom.${suffix}")
    message(FATAL_ERROR "no FFTW wisdom beside the configuration (${OUT}/configs/fftw_wisdom.${suffix})")
  endif()
endforeach()
file(READ "${OUT}/run/run_summary.txt" summary)
if(NOT summary MATCHES "wisdom_file = \"${OUT}/configs/fftw_wisdom\"")
  message(FATAL_ERROR "run_summary.txt does not name the wisdom file:\n${summary}")
endif()
message(STATUS "wisdom kept in ${OUT}/configs/fftw_wisdom.f and .d")
