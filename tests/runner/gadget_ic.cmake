# Make a Gadget-4 HDF5 IC file at z = 9 with lagframe-run itself (the quickstart box, 64³
# particles), then run configs/gadget_ic.toml as shipped, with only the file path changed and
# lagframe's zero-based particle ids declared: the LPT frame must be rebuilt (and the velocities
# found consistent with LPT) and the run must finish with its outputs. The shipped
# id_convention ("one_based", N-GenIC's) must be refused for that file, naming the key and the
# fix; so must a missing IC file.
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${RUNNER}" "${QUICKSTART}" --set "output.redshifts=[9.0]"
                --set "output.snapshot=\"gadget_hdf5\"" --set "output.plots=false" --set "output.slice=false"
                --set "output.power_spectrum=false" --set "output.directory=\"${OUT}/ic\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "making the IC file failed (${rc}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "wrote [^\n]*/snapshot_z9.000.hdf5 \\(Gadget-4 HDF5 layout, 1 file\\)")
  message(FATAL_ERROR "the snapshot is not named by its file:\n${out}")
endif()
set(ic --set "initial_conditions.file=\"${OUT}/ic/snapshot_z9.000.hdf5\"")
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${ic} --set "output.directory=\"${OUT}/one_based\""
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "initial_conditions.id_convention \\(line [0-9]+\\) = \"one_based\" does not fit snapshot_z9.000.hdf5, whose ParticleIDs are zero_based: set id_convention = \"zero_based\""
   OR EXISTS "${OUT}/one_based")
  message(FATAL_ERROR "one_based ids on a zero-based file should exit 2 naming initial_conditions.id_convention (rc ${rc}): ${err}")
endif()
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${ic} --set "initial_conditions.id_convention=\"zero_based\""
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
foreach(f pk_z0.000.txt slice_z0.000.npy run_summary.txt)
  if(NOT EXISTS "${OUT}/run/${f}")
    message(FATAL_ERROR "missing output ${f}")
  endif()
endforeach()
# The file named by its base (snapshot_z9.000 for snapshot_z9.000.hdf5), as Gadget names snapshots.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" --set "initial_conditions.file=\"${OUT}/ic/snapshot_z9.000\""
                --set "initial_conditions.id_convention=\"zero_based\"" --set "output.directory=\"${OUT}/base\"" --check
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR EXISTS "${OUT}/base")
  message(FATAL_ERROR "an IC file named by its base should be found (rc ${rc}): ${err}")
endif()
# A missing IC file: exit status 2, no output folder.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" --set "initial_conditions.file=\"${OUT}/nonexistent.hdf5\""
                --set "output.directory=\"${OUT}/missing\"" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "initial_conditions.file \\(--set\\) = .*nonexistent.hdf5\" is invalid: expected an existing file"
   OR EXISTS "${OUT}/missing")
  message(FATAL_ERROR "a missing IC file should exit 2 naming it and write nothing (rc ${rc}): ${err}")
endif()
