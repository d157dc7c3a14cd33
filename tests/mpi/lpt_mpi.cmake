# Run the MPI initial-condition check with 1, 2 and 3 ranks: each run must pass, and the field
# checksums must be the same for every rank count.
set(reference "")
foreach(n 1 2 3)
  execute_process(COMMAND "${MPIEXEC}" --allow-run-as-root --oversubscribe -n ${n} "${PROGRAM}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${n} rank(s):\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lpt_mpi with ${n} rank(s) failed (${rc}):\n${out}\n${err}")
  endif()
  string(REGEX MATCHALL "checksum [0-9a-f]+" sums "${out}")
  if(n EQUAL 1)
    set(reference "${sums}")
  elseif(NOT sums STREQUAL reference)
    message(FATAL_ERROR "fields with ${n} ranks differ from 1 rank: ${sums} vs ${reference}")
  endif()
endforeach()
