# Install lagframe from BINARY_DIR into a scratch prefix, then configure, build and run a tiny
# downstream project that finds it with find_package(lagframe CONFIG REQUIRED). When lagframe-run
# was built (RUNNER names it), the installed copy must be in bin/, the plot scripts in
# share/lagframe/scripts, and the installed lagframe-run must check a configuration and find
# those scripts beside itself.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer/project"
                        -B "${WORK_DIR}/build" -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_VARIABLE configure_out ERROR_VARIABLE configure_err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer failed: ${rc}\n${configure_out}\n${configure_err}")
endif()
# A project that does not ask for torch sees nothing of libtorch.
if(configure_out MATCHES "Caffe2|Torch|torch" OR configure_err MATCHES "Caffe2|Torch|torch")
  message(FATAL_ERROR "the consumer's configure output mentions libtorch:\n${configure_out}\n${configure_err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed: ${rc}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "consumer says: ${out}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "lagframe 0")
  message(FATAL_ERROR "the consumer program failed: ${rc} ${out}")
endif()

if(RUNNER AND EXISTS "${RUNNER}")
  set(installed "${WORK_DIR}/prefix/bin/lagframe-run")
  foreach(f "${installed}" "${WORK_DIR}/prefix/share/lagframe/scripts/plot_power_spectrum.py"
            "${WORK_DIR}/prefix/share/lagframe/scripts/plot_slice.py")
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "cmake --install did not install ${f}")
    endif()
  endforeach()
  file(COPY "${SOURCE_DIR}/configs/quickstart.toml" DESTINATION "${WORK_DIR}/configs")
  execute_process(COMMAND "${installed}" "${WORK_DIR}/configs/quickstart.toml" --check
                  --set "output.directory=\"${WORK_DIR}/run\"" WORKING_DIRECTORY /
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "installed lagframe-run --check: ${out}${err}")
  if(NOT rc EQUAL 0 OR NOT out MATCHES "is valid")
    message(FATAL_ERROR "the installed lagframe-run does not check a configuration (${rc})")
  endif()
  if(NOT out MATCHES "plot scripts: ${WORK_DIR}/prefix/share/lagframe/scripts")
    message(FATAL_ERROR "the installed lagframe-run does not use the installed plot scripts")
  endif()
else()
  message(STATUS "lagframe-run not built: its installation is not checked")
endif()
