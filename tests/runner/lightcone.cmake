# [lightcone] through lagframe-run (examples/runner/lightcone_output.hpp), 32³ particles, 40
# steps, npy snapshots at z = 0.06, 0.04 and 0, shells [0, 150] and [150, chi(0.1)] Mpc/h with
# HEALPix maps:
#  1. an uninterrupted run writes both shells; h5py reads them, with the documented datasets and
#     attributes (io/lightcone_hdf5.hpp), and the maps;
#  2. the same run interrupted one step after the z = 0.04 snapshot (LAGFRAME_RUN_INTERRUPT_AFTER_STEP)
#     leaves the nearer shell in progress (io/lightcone_stream.hpp): its records, streamed on
#     past the snapshot, and its pending file saved at the snapshot (a_front = 1/1.04), no shell file;
#  3. a restart from z = 0.06 is refused (the partial shell belongs to the z = 0.04 snapshot);
#  4. the restart from z = 0.04, in the same folder, completes it: both shells equal those of the
#     uninterrupted run (same particles and replicas in the same order, positions to rounding,
#     same maps), and no working file is left.
# Variables: RUNNER, CONFIG, OUT (a scratch folder).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
set(common --set "box.particles_1d=32" --set "force.grid_1d=64" --set "output.plots=false" --set "output.slice=false"
           --set "output.redshifts=[0.06, 0.04, 0.0]" --set "output.snapshot=\"npy\"" --set "stepper.steps=40"
           --set "lightcone.z_max=0.1" --set "lightcone.shell_edges_mpc_h=[150.0]" --set "lightcone.healpix_nside=8")

execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "output.directory=\"${OUT}/whole\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the lightcone run failed (${rc}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "lightcone: 2 shell\\(s\\) from z = 0 to 0.1" OR NOT out MATCHES "wrote [^\n]*lightcone_001.hdf5 \\(lightcone shell 2 of 2")
  message(FATAL_ERROR "no lightcone shells reported:\n${out}")
endif()
if(NOT out MATCHES "step +([0-9]+)/[0-9]+ +a = [0-9.]+ +z = +0.040 ")
  message(FATAL_ERROR "no step ends at z = 0.04:\n${out}")
endif()
math(EXPR stop "${CMAKE_MATCH_1} + 1")

set(check [=[
import sys, h5py, numpy as np
folder = sys.argv[1]
expect = {0: (0.0, 150.0), 1: (150.0, None)}
for s, (lo, hi) in expect.items():
    with h5py.File('%s/lightcone_%03d.hdf5' % (folder, s), 'r') as f:
        a = f.attrs
        for key in ('shell', 'chi_min', 'chi_max', 'observer', 'box_size', 'nside', 'complete', 'a_front',
                    'omega_m', 'omega_b', 'omega_k', 'h', 'n_s', 'sigma_8'):
            assert key in a, 'attribute %s missing in shell %d' % (key, s)
        assert a['shell'] == s and a['complete'] == 1 and a['nside'] == 8 and a['box_size'] == 128.0
        assert np.allclose(a['observer'], [64.0, 64.0, 64.0]) and abs(a['omega_m'] - 0.3111) < 1e-12
        assert abs(a['chi_min'] - lo) < 1e-6 and (hi is None or abs(a['chi_max'] - hi) < 1e-6)
        n = f['id'].shape[0]
        assert n > 1000, 'shell %d has only %d particles' % (s, n)
        assert f['replica'].shape == (n, 3) and f['a'].shape == (n,) and f['position'].shape == (n, 3)
        assert f['velocity'].shape == (n, 3) and f['healpix_counts'].shape == (12 * 64,)
        assert f['healpix_counts'][...].sum() == n
        r = np.linalg.norm(f['position'][...] - a['observer'], axis=1)
        assert r.min() >= a['chi_min'] - 1e-3 and r.max() <= a['chi_max'] + 1e-3
    m = np.load('%s/lightcone_%03d_healpix.npy' % (folder, s))
    assert m.shape == (768,) and abs(m.mean()) < 1e-9
print('shells of %s: datasets and attributes as documented' % folder)
]=])
file(WRITE "${OUT}/check.py" "${check}")
execute_process(COMMAND /usr/bin/python3 "${OUT}/check.py" "${OUT}/whole" RESULT_VARIABLE rc OUTPUT_VARIABLE pyout ERROR_VARIABLE pyerr)
message(STATUS "${pyout}${pyerr}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the shell files are not as documented (or h5py is missing: apt-get install python3-h5py)")
endif()

# Interrupted one step after the z = 0.04 snapshot: the nearer shell is partial.
execute_process(COMMAND ${CMAKE_COMMAND} -E env LAGFRAME_RUN_INTERRUPT_AFTER_STEP=${stop} "${RUNNER}" "${CONFIG}" ${common}
                        --set "output.directory=\"${OUT}/resumed\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 143 OR NOT err MATCHES "interrupted by signal 15 after step ${stop}/")
  message(FATAL_ERROR "the run should stop after step ${stop} (rc ${rc}):\n${err}")
endif()
execute_process(COMMAND /usr/bin/python3 -c "
import h5py, os, sys
folder = '${OUT}/resumed'
with h5py.File(folder + '/lightcone_000.pending.hdf5', 'r') as f:
    rows = int(f.attrs['rows'])
    ok = abs(f.attrs['a_front'] - 1 / 1.04) < 1e-9 and rows > 0 and f['healpix_counts'][...].sum() >= rows
# The records went on after the snapshot (one more step), and no shell file is there yet.
ok = ok and os.path.getsize(folder + '/lightcone_000.crossings.bin') > 52 * rows
ok = ok and not os.path.exists(folder + '/lightcone_000.hdf5')
sys.exit(0 if ok else 1)" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the interrupted run did not leave the nearer shell in progress, saved at z = 0.04")
endif()

# A restart from the earlier snapshot is refused: the partial shell is the z = 0.04 one.
set(restart --set "initial_conditions.restart_directory=\"${OUT}/resumed\"" --set "output.directory=\"${OUT}/resumed\"")
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} ${restart} --set "initial_conditions.restart_redshift=0.06"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "initial_conditions.restart_redshift \\(--set\\) = 0.06 cannot continue the earlier run's lightcone: .*restart from the snapshot written with it")
  message(FATAL_ERROR "a restart from z = 0.06 should be refused naming restart_redshift (rc ${rc}):\n${err}")
endif()

# The restart from z = 0.04 in the same folder: the same shells as the uninterrupted run.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} ${restart} --set "initial_conditions.restart_redshift=0.04"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "lightcone: continued from [^\n]* \\(1 of 2 shells complete there\\)")
  message(FATAL_ERROR "the restart failed (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND /usr/bin/python3 "${OUT}/check.py" "${OUT}/resumed" RESULT_VARIABLE rc OUTPUT_VARIABLE pyout ERROR_VARIABLE pyerr)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the restarted run's shells are not as documented:\n${pyout}${pyerr}")
endif()
execute_process(COMMAND /usr/bin/python3 -c "
import h5py, numpy as np, sys
worst = 0.0
for s in (0, 1):
    with h5py.File('${OUT}/whole/lightcone_%03d.hdf5' % s, 'r') as a, h5py.File('${OUT}/resumed/lightcone_%03d.hdf5' % s, 'r') as b:
        if not (np.array_equal(a['id'][...], b['id'][...]) and np.array_equal(a['replica'][...], b['replica'][...])):
            print('shell %d: different particles' % s); sys.exit(1)
        if not np.array_equal(a['healpix_counts'][...], b['healpix_counts'][...]):
            print('shell %d: different maps' % s); sys.exit(1)
        worst = max(worst, np.abs(a['position'][...].astype(float) - b['position'][...]).max())
import glob
left = glob.glob('${OUT}/resumed/*.crossings.bin') + glob.glob('${OUT}/resumed/*.pending.hdf5')
if left:
    print('working files left: %s' % left); sys.exit(1)
print('restarted shells: same particles and maps, positions within %.1e Mpc/h' % worst)
sys.exit(0 if worst < 1e-3 else 1)" RESULT_VARIABLE rc OUTPUT_VARIABLE pyout ERROR_VARIABLE pyerr)
message(STATUS "${pyout}${pyerr}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the restarted run's shells differ from the uninterrupted run's")
endif()
