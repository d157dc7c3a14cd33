# [halos] through lagframe-run (examples/runner/halo_outputs.hpp): the quickstart box (64³
# particles, 128 Mpc/h, tCOLA) to z = 0 with an npy snapshot, FoF haloes, HOD galaxies and
# multipoles, on 2 threads and again on 1.
#  1. the group catalogue equals, as a partition of the particles, the FoF groups of the
#     snapshot's positions found independently (scipy's periodic k-d tree pairs within
#     b = 0.2 mean spacings, connected components, at least 20 members);
#  2. the catalogue's masses are length x particle mass, the text summary and the HDF5 file
#     agree, the mass function's counts are the catalogue's, its Tinker column is positive;
#  3. every galaxy has a host, centrals sit at their host's centre, the redshift-space positions
#     differ from the real ones along z only, and the occupation table counts the galaxies;
#  4. the bias table's matter P(k) is the P(k) table's less its shot noise, and the haloes'
#     bias at k < 0.1 h/Mpc is in (1, 3); the multipole table is finite and P0 of the matter positive;
#  5. the run on 1 thread writes the same groups (IDs) and the same galaxies.
# Variables: RUNNER, CONFIG (configs/quickstart.toml), OUT (a scratch folder).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
set(common --set "output.redshifts=[0.0]" --set "output.snapshot=\"npy\"" --set "output.slice=false"
           --set "halos.hod=true" --set "halos.hod_log_m_min=12.8" --set "halos.hod_log_m1=13.8")

foreach(threads 2 1)
  set(plots true)
  if(threads EQUAL 1)
    set(plots false)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env OMP_NUM_THREADS=${threads}
                          "${RUNNER}" "${CONFIG}" ${common} --set "output.plots=${plots}"
                          --set "output.directory=\"${OUT}/threads${threads}\""
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${threads} thread(s):\n${out}\n${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the [halos] run on ${threads} thread(s) failed (${rc})")
  endif()
  if(NOT out MATCHES "haloes at z = 0: [0-9]+ FoF groups of >= 20 particles" OR NOT out MATCHES "galaxies at z = 0: [0-9]+ ")
    message(FATAL_ERROR "no haloes or galaxies reported")
  endif()
endforeach()
foreach(f fof_subhalo_tab_z0.000.hdf5 halos_z0.000.txt mass_function_z0.000.txt galaxies_z0.000.hdf5 hod_z0.000.txt
          bias_z0.000.txt multipoles_z0.000.txt mass_function_z0.000.png hod_z0.000.png bias_z0.000.png
          multipoles_z0.000.png)
  if(NOT EXISTS "${OUT}/threads2/${f}")
    message(FATAL_ERROR "missing ${OUT}/threads2/${f}")
  endif()
endforeach()

set(check [=[
import sys, h5py, numpy as np
from scipy.spatial import cKDTree
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
folder, other = sys.argv[1], sys.argv[2]
tag = 'z0.000'
x = np.load('%s/positions_%s.npy' % (folder, tag)).astype(np.float64)
n = len(x)
with h5py.File('%s/fof_subhalo_tab_%s.hdf5' % (folder, tag), 'r') as f:
    head = dict(f['Header'].attrs)
    length = f['Group/GroupLen'][:].astype(np.int64)
    offset = f['Group/GroupOffsetType'][:, 1].astype(np.int64)
    mass = f['Group/GroupMass'][:]
    pos = f['Group/GroupPos'][:]
    ids = f['IDs/ID'][:].astype(np.int64)
L = head['BoxSize']
link = head['LinkingLength']
assert abs(link - 0.2 * L / round(n ** (1 / 3))) < 1e-9 * L, link
# 1. The partition against an independent FoF.
tree = cKDTree(np.mod(x, L), boxsize=L)
pairs = tree.query_pairs(link, output_type='ndarray')
graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
_, label = connected_components(graph, directed=False)
sizes = np.bincount(label)
ref_kept = sizes[label] >= 20
mine = np.full(n, -1)
for g in range(len(length)):
    mine[ids[offset[g]:offset[g] + length[g]]] = g
assert np.array_equal(ref_kept, mine >= 0), 'points in groups differ: %d vs %d' % (ref_kept.sum(), (mine >= 0).sum())
both = np.unique(np.stack([label[ref_kept], mine[ref_kept]]), axis=1)
assert both.shape[1] == len(length) == len(np.unique(label[ref_kept])), 'the groups differ as sets'
assert np.all(np.diff(length) <= 0), 'groups not ordered by length'
# 2. Masses, the text summary, the mass function.
mp = head['ParticleMass']
assert np.allclose(mass, length * mp, rtol=1e-6)
summary = np.loadtxt('%s/halos_%s.txt' % (folder, tag), ndmin=2)
assert len(summary) == len(length) and np.array_equal(summary[:, 1].astype(np.int64), length)
assert np.allclose(summary[:, 3:6], pos, atol=1e-4)
mf = np.loadtxt('%s/mass_function_%s.txt' % (folder, tag), ndmin=2)
names = [l[1:].split() for l in open('%s/mass_function_%s.txt' % (folder, tag)) if l.startswith('#')][-1]
col = {c: mf[:, i] for i, c in enumerate(names)}
assert col['count_FoF'].sum() == len(length), (col['count_FoF'].sum(), len(length))
assert np.all(col['T08_200m'] > 0) and np.all(col['ST99'] > 0)
# 3. Galaxies.
with h5py.File('%s/galaxies_%s.hdf5' % (folder, tag), 'r') as f:
    gh = dict(f['Header'].attrs)
    host = f['Galaxies/HaloIndex'][:]
    central = f['Galaxies/Central'][:]
    gpos = f['Galaxies/Position'][:]
    rsd = f['Galaxies/RedshiftSpacePosition'][:]
assert gh['NumGalaxies'] == len(host) > 0 and gh['LineOfSightAxis'] == 2
assert np.all(host < len(length))
assert np.allclose(gpos[central == 1], pos[host[central == 1]], atol=1e-4)
assert np.array_equal(rsd[:, :2], gpos[:, :2]) and not np.array_equal(rsd[:, 2], gpos[:, 2])
occ = np.loadtxt('%s/hod_%s.txt' % (folder, tag), ndmin=2)
counted = np.sum(occ[:, 1] * (occ[:, 2] + occ[:, 5]))
assert 0.9 * len(host) <= counted <= len(host), (counted, len(host))
# 4. Bias: the matter P(k) of bias_z is that of pk_z (made in the force's meshes) less its
#    shot-noise column; haloes above 20 particles are biased, 1 < b < 3 at k < 0.1 h/Mpc.
bias = np.loadtxt('%s/bias_%s.txt' % (folder, tag), ndmin=2)
pk = np.loadtxt('%s/pk_%s.txt' % (folder, tag), ndmin=2)
assert np.allclose(bias[:, 1], pk[:len(bias), 1] - pk[:len(bias), 4], rtol=1e-6), 'P_mm differs from pk - P_shot'
low = bias[:, 0] < 0.1
b_halo = np.sum(bias[low, 5] * bias[low, -1]) / np.sum(bias[low, -1])
assert 1.0 < b_halo < 3.0, b_halo
# Multipoles.
mp_table = np.loadtxt('%s/multipoles_%s.txt' % (folder, tag), ndmin=2)
assert np.all(np.isfinite(mp_table)) and np.all(mp_table[:, 1] > 0)
# 5. One thread: the same groups and galaxies.
with h5py.File('%s/fof_subhalo_tab_%s.hdf5' % (other, tag), 'r') as f:
    assert np.array_equal(f['IDs/ID'][:], ids) and np.array_equal(f['Group/GroupLen'][:], length)
with h5py.File('%s/galaxies_%s.hdf5' % (other, tag), 'r') as f:
    assert np.array_equal(f['Galaxies/Position'][:], gpos)
print('halos check passed: %d groups equal the independent FoF (%d pairs), %d galaxies, halo bias %.3f' % (len(length), len(pairs), len(host), b_halo))
]=])
execute_process(COMMAND /usr/bin/python3 -c "${check}" "${OUT}/threads2" "${OUT}/threads1"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the [halos] files do not check out")
endif()
