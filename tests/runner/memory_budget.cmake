# The memory budget of lagframe-run (examples/runner/memory_budget.hpp).
#  1. A run of CONFIG at 96³ particles with its default outputs (P(k) and slices at z = 1 and 0):
#     the peak measured in run_summary.txt (VmHWM) must be within 10 % of the estimate there,
#     and --check must print the estimate by phase.
#  2. With LAGFRAME_RUN_AVAILABLE_MIB standing in for MemAvailable: a run that does not fit is
#     refused with exit status 2, one line on stderr and no output folder, with or without
#     --check; --force runs it anyway; a malformed value is refused naming the variable.
# Variables: RUNNER, CONFIG, OUT (a scratch folder).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
set(common --set "box.particles_1d=96" --set "output.plots=false")

# The measured and estimated peaks of the run in FOLDER (its run_summary.txt, also left in
# `summary`).
function(read_peak folder measured_var estimated_var)
  file(READ "${folder}/run_summary.txt" text)
  if(NOT text MATCHES "# peak memory: ([0-9]+) MiB measured \\(VmHWM, reached [^)]*\\), ([0-9]+) MiB estimated")
    message(FATAL_ERROR "${folder}/run_summary.txt has no measured and estimated peak:\n${text}")
  endif()
  set(${measured_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
  set(${estimated_var} ${CMAKE_MATCH_2} PARENT_SCOPE)
  set(summary "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/run\"" --check
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "memory estimate \\[MiB\\] by phase and component:.*evolution.*estimated peak: [0-9]+ MiB during"
   OR EXISTS "${OUT}/run")
  message(FATAL_ERROR "--check should print the memory estimate and write nothing (rc ${rc}):\n${out}\n${err}")
endif()

execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/run\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the 96³ run failed (${rc}):\n${out}\n${err}")
endif()
read_peak("${OUT}/run" measured estimated)
math(EXPR low "${estimated} * 90 / 100")
math(EXPR high "${estimated} * 110 / 100")
message(STATUS "96³ run: peak ${measured} MiB measured, ${estimated} MiB estimated")
if(measured LESS low OR measured GREATER high)
  message(FATAL_ERROR "measured peak ${measured} MiB is not within 10 % of the estimate ${estimated} MiB")
endif()
if(NOT summary MATCHES "# memory by phase \\[MiB\\], estimated / measured peak while it ran")
  message(FATAL_ERROR "run_summary.txt has no memory by phase:\n${summary}")
endif()

# The same run with the LPT fields as int16 (frame.fields = "fixed16"): two fields of 3 int16
# instead of 3 floats, 12 B per particle less, 10.1 MiB at 96³, in the estimate and in the peak.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/fixed16\""
                        --set "frame.fields=\"fixed16\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the 96³ run with frame.fields = \"fixed16\" failed (${rc}):\n${out}\n${err}")
endif()
read_peak("${OUT}/fixed16" measured16 estimated16)
math(EXPR measured_saving "${measured} - ${measured16}")
math(EXPR estimated_saving "${estimated} - ${estimated16}")
message(STATUS "96³ run with fixed16 fields: peak ${measured16} MiB measured, ${estimated16} MiB estimated "
               "(${measured_saving} and ${estimated_saving} MiB less)")
if(estimated_saving LESS 9 OR estimated_saving GREATER 12 OR measured_saving LESS 7 OR measured_saving GREATER 13)
  message(FATAL_ERROR "fixed16 fields should save about 10 MiB at 96³ (12 B per particle): "
                      "${estimated_saving} MiB estimated, ${measured_saving} MiB measured")
endif()

# A machine too small for the run.
foreach(mode check run)
  set(extra "")
  if(mode STREQUAL "check")
    set(extra --check)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env LAGFRAME_RUN_AVAILABLE_MIB=10 "${RUNNER}" "${CONFIG}" ${common}
                          --set "output.directory=\"${OUT}/small_${mode}\"" ${extra}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines line_count)
  if(NOT rc EQUAL 2 OR NOT line_count EQUAL 1 OR EXISTS "${OUT}/small_${mode}"
     OR NOT err MATCHES "lagframe-run: memory: the estimated peak of [0-9]+ MiB \\(during [a-z ]+\\) exceeds the [0-9]+ MiB available \\(LAGFRAME_RUN_AVAILABLE_MIB 10 MiB, plus [0-9]+ MiB this program holds\\): .*or pass --force")
    message(FATAL_ERROR "a run that does not fit should be refused (${mode}; exit 2, one line, no output; rc ${rc}):\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E env LAGFRAME_RUN_AVAILABLE_MIB=10 "${RUNNER}" "${CONFIG}" ${common}
                        --set "output.directory=\"${OUT}/forced\"" --check --force
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "does not fit, run anyway \\(--force\\)")
  message(FATAL_ERROR "--force should accept the run (rc ${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env LAGFRAME_RUN_AVAILABLE_MIB=lots "${RUNNER}" "${CONFIG}" ${common}
                        --set "output.directory=\"${OUT}/malformed\"" --check
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "LAGFRAME_RUN_AVAILABLE_MIB = \"lots\" is invalid")
  message(FATAL_ERROR "a malformed LAGFRAME_RUN_AVAILABLE_MIB should be refused naming it (rc ${rc}):\n${err}")
endif()
message(STATUS "memory budget: estimate printed, peak within 10 %, small machine refused, --force accepted")
