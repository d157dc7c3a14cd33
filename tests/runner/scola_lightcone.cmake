# [lightcone] with [scola] through lagframe-run (examples/runner/run_scola.cpp), 32³ particles in
# 4³ tiles, 10 steps, a 20° cone at 0.2 < z < 0.3 with HEALPix maps:
#  1. lightcone.only = true: the plan is printed before the tiles run (every tile stops one step
#     early: its last possible crossing is at a = 0.83, the grid's last node before a = 1 is 0.90),
#     the measured tile-seconds after, each tile's plan and seconds in tile_work.txt, the shell
#     is written, and there is no final state;
#  2. lightcone.only = false: every tile runs to z = 0 and the same shell comes with the P(k);
#  3. the two shells are identical (ids, replicas, times, positions, velocities, maps): stopping
#     early loses nothing;
#  4. a rectangle in RA and Dec: the file says so and every crossing lies in it.
# (lightcone.only without [scola] or with a snapshot: tests/runner/bad_configs.txt.)
# Variables: RUNNER, CONFIG (configs/scola.toml), OUT.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
set(common --set "box.particles_1d=32" --set "force.grid_1d=64" --set "output.plots=false" --set "output.slice=false"
           --set "output.snapshot=\"none\"" --set "lightcone.z_min=0.2" --set "lightcone.z_max=0.3"
           --set "lightcone.healpix_nside=16" --set "lightcone.particle_fraction=0.5")
set(cone --set "lightcone.footprint=\"cone\"" --set "lightcone.opening_deg=20.0")

execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} ${cone} --set "lightcone.only=true" --set "output.directory=\"${OUT}/only\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the lightcone-only sCOLA run failed (${rc}):\n${out}\n${err}")
endif()
foreach(expected "lightcone plan: 64 of 64 tiles run; [^\n]*tiles x steps: 64 x 9\n"
                 "predicted work: 576 of 640 tile-steps, [^\n]*\\(90.0 % of every tile to the end\\)"
                 "measured: [0-9.]+ tile-seconds for 576 tile-steps [^\n]*saving [0-9.]+ %"
                 "wrote [^\n]*lightcone_000.hdf5 \\(lightcone shell 1 of 1"
                 "lightcone only: no final state")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "expected '${expected}' in the output of the lightcone-only run:\n${out}")
  endif()
endforeach()
string(FIND "${out}" "lightcone plan:" plan_at)
string(FIND "${out}" "tile 1/64 starting" first_tile_at)
if(plan_at GREATER first_tile_at)
  message(FATAL_ERROR "the plan is not printed before the tiles run:\n${out}")
endif()
# tile_work.txt: one row per tile, the planned steps (9 each) and the measured seconds.
file(STRINGS "${OUT}/only/tile_work.txt" rows REGEX "^[0-9]")
list(LENGTH rows n_rows)
list(GET rows 0 first_row)
if(NOT n_rows EQUAL 64 OR NOT first_row MATCHES "^0\\.0+e\\+00 9\\.0+e\\+00 " OR first_row MATCHES " -1\\.0+e\\+00$")
  message(FATAL_ERROR "tile_work.txt: ${n_rows} rows, first '${first_row}'")
endif()
file(GLOB final_state "${OUT}/only/pk_*" "${OUT}/only/slice*" "${OUT}/only/snapshot*")
if(final_state)
  message(FATAL_ERROR "a lightcone-only run wrote a final-state output: ${final_state}")
endif()

execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} ${cone} --set "output.directory=\"${OUT}/full\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the sCOLA run with a lightcone failed (${rc}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "predicted work: 640 of 640 tile-steps" OR NOT out MATCHES "wrote [^\n]*lightcone_000.hdf5"
   OR NOT out MATCHES "wrote [^\n]*pk_z0.000.txt")
  message(FATAL_ERROR "the sCOLA run to z = 0 did not write its shell and P(k):\n${out}")
endif()

set(check [=[
import sys, h5py, numpy as np
a, b = sys.argv[1], sys.argv[2]
with h5py.File(a + '/lightcone_000.hdf5', 'r') as f, h5py.File(b + '/lightcone_000.hdf5', 'r') as g:
    assert len(f['id']) > 1000, 'too few crossings: %d' % len(f['id'])
    assert f.attrs['particle_fraction'] == 0.5 and f.attrs['footprint'] == 1, dict(f.attrs)
    for name in ('id', 'replica', 'a', 'position', 'velocity', 'healpix_counts'):
        x, y = f[name][:], g[name][:]
        assert x.shape == y.shape and np.array_equal(x, y), name + ' differs between the early-stopped and the full tiles'
    assert f['healpix_counts'][:].sum() > 1.5 * len(f['id']), 'the maps count every crossing, the lists half of them'
    print('identical shells: %d crossings' % len(f['id']))
]=])
execute_process(COMMAND /usr/bin/python3 -c "${check}" "${OUT}/only" "${OUT}/full"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the shells differ:\n${out}\n${err}")
endif()
message(STATUS "${out}")

# 4. A rectangle 20 < RA < 40, -10 < Dec < 10 degrees: every listed crossing lies in it.
execute_process(COMMAND "${RUNNER}" "${CONFIG}" ${common} --set "lightcone.only=true" --set "lightcone.footprint=\"rectangle\""
                        --set "lightcone.ra_deg=[20.0, 40.0]" --set "lightcone.dec_deg=[-10.0, 10.0]"
                        --set "output.directory=\"${OUT}/rectangle\""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the rectangle run failed (${rc}):\n${out}\n${err}")
endif()
set(check [=[
import sys, h5py, numpy as np
with h5py.File(sys.argv[1] + '/lightcone_000.hdf5', 'r') as f:
    assert f.attrs['footprint'] == 2 and list(f.attrs['ra_deg']) == [20.0, 40.0], dict(f.attrs)
    x = f['position'][:].astype(np.float64) - f.attrs['observer']
r = np.linalg.norm(x, axis=1)
ra = np.degrees(np.arctan2(x[:, 1], x[:, 0])) % 360.0
dec = np.degrees(np.arcsin(x[:, 2] / r))
assert len(r) > 1000, len(r)
# float32 positions: 1e-3 degree of slack at the edges
assert ra.min() > 20.0 - 1e-3 and ra.max() < 40.0 + 1e-3 and dec.min() > -10.0 - 1e-3 and dec.max() < 10.0 + 1e-3, (ra.min(), ra.max(), dec.min(), dec.max())
assert ra.min() < 21.0 and ra.max() > 39.0 and dec.min() < -9.0 and dec.max() > 9.0, 'the rectangle is not filled'
print('rectangle: %d crossings, RA %.2f-%.2f, Dec %.2f-%.2f' % (len(r), ra.min(), ra.max(), dec.min(), dec.max()))
]=])
execute_process(COMMAND /usr/bin/python3 -c "${check}" "${OUT}/rectangle" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the rectangle's crossings:\n${out}\n${err}")
endif()
message(STATUS "${out}")

