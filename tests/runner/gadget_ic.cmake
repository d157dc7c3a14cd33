# Make a Gadget-4 HDF5 IC file at z = 9 with lagframe-run itself (the quickstart box, 64³
# particles), then run configs/gadget_ic.toml as shipped, with only the file path changed: the LPT
# frame must be rebuilt (and the velocities found consistent with LPT) and the run must finish
# with its outputs.
file(REMOVE_RECURSE "${OUT}")
set(small)
execute_process(COMMAND "${RUNNER}" "${QUICKSTART}" ${small} --set "output.redshifts=[9.0]"
                --set "output.snapshot=\"gadget_hdf5\"" --set "output.plots=false" --set "output.slice=false"
                --set "output.power_spectrum=false" --set "output.directory=\"${OUT}/ic\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "making the IC file failed (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${small} --set "initial_conditions.file=\"${OUT}/ic/snapshot_z9.000.hdf5\""
                --set "output.directory=\"${OUT}/run\"" --set "output.plots=false"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}\n${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the run from the IC file failed (${rc})")
endif()
if(NOT out MATCHES "LPT frame rebuilt from .* velocities vs LPT: rms ([0-9.e+-]+)")
  message(FATAL_ERROR "no velocity consistency report")
endif()
if(NOT out MATCHES "initial conditions from .* at z = 9.000")
  message(FATAL_ERROR "the run did not start at the file's redshift")
endif()
foreach(f pk_z0.000.txt slice_z0.000.png run_summary.txt)
  if(NOT EXISTS "${OUT}/run/${f}")
    message(FATAL_ERROR "missing output ${f}")
  endif()
endforeach()
# A missing IC file: exit status 2, no output folder.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" --set "initial_conditions.file=\"${OUT}/nonexistent.hdf5\""
                --set "output.directory=\"${OUT}/missing\"" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "nonexistent.hdf5" OR EXISTS "${OUT}/missing")
  message(FATAL_ERROR "a missing IC file should exit 2 naming it and write nothing (rc ${rc}): ${err}")
endif()
