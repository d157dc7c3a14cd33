# Install lagframe from BINARY_DIR into a scratch prefix, then configure, build and run a tiny
# downstream project that finds it with find_package(lagframe CONFIG REQUIRED).
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
