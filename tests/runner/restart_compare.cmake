# Run CONFIG (16³ particles, snapshots at z = 1 and 0 in FORMAT: npy or gadget_hdf5), then
# restart from its z = 1 snapshot into a second folder (restart_format "auto": the earlier
# run's format, read from its run_summary.txt), and compare the z = 0 positions of the two runs
# with numpy: equal to rounding (1e-4 of the particle spacing, minimum image). A restart that
# changes a key of the evolution is refused (exit 2, naming the key), one that changes only
# output keys is not.
file(REMOVE_RECURSE "${OUT}")
if(NOT FORMAT)
  set(FORMAT npy)
endif()
set(common --set "box.particles_1d=16" --set "force.grid_1d=32" --set "output.snapshot=\"${FORMAT}\""
           --set "output.plots=false" --set "output.slice=false")
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/whole\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "uninterrupted run failed (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/resumed\""
                --set "initial_conditions.restart_directory=\"${OUT}/whole\""
                --set "initial_conditions.restart_redshift=1.0"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "restarted run:\n${out}\n${err}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "restarted at z = 1.000")
  message(FATAL_ERROR "restarted run failed (${rc})")
endif()
if(NOT out MATCHES "restarted at z = 1.000[^\n]*\nstep   6/11")
  message(FATAL_ERROR "the restarted run did not continue from step 5 of the same grid")
endif()
if(EXISTS "${OUT}/resumed/positions_z1.000.npy" OR EXISTS "${OUT}/resumed/snapshot_z1.000.hdf5")
  message(FATAL_ERROR "the restarted run wrote an output from before its restart time")
endif()
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/refused\""
                --set "initial_conditions.restart_directory=\"${OUT}/whole\"" --set "initial_conditions.restart_redshift=1.0"
                --set "force.grid_1d=64" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "force.grid_1d \\(--set\\) = 64 differs from the earlier run's 32" OR EXISTS "${OUT}/refused")
  message(FATAL_ERROR "a restart with another force mesh should be refused naming force.grid_1d (rc ${rc}): ${err}")
endif()
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/checked\""
                --set "initial_conditions.restart_directory=\"${OUT}/whole\"" --set "initial_conditions.restart_redshift=1.0"
                --set "output.power_spectrum=false" --check RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "a restart that changes only output keys should be accepted (rc ${rc}): ${err}")
endif()
execute_process(COMMAND /usr/bin/python3 -c "
import numpy as np, sys
def positions(run):
    if '${FORMAT}' == 'npy':
        return np.load('${OUT}/' + run + '/positions_z0.000.npy').astype(np.float64)
    import h5py
    with h5py.File('${OUT}/' + run + '/snapshot_z0.000.hdf5', 'r') as f:
        x = f['PartType1/Coordinates'][...].astype(np.float64)
        return x[np.argsort(f['PartType1/ParticleIDs'][...])]
a, b = positions('whole'), positions('resumed')
L, dq = 128.0, 128.0 / 16
d = (a - b + L / 2) % L - L / 2
worst = np.abs(d).max() / dq
print('max |x_whole - x_restarted| = %.2e particle spacings' % worst)
sys.exit(0 if a.shape == b.shape and worst < 1e-4 else 1)
" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "restarted and uninterrupted runs differ (or numpy is missing: apt-get install python3-numpy)")
endif()
