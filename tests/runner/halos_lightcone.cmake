# [halos] with [lightcone] through lagframe-run (examples/runner/halo_outputs.hpp): the
# quickstart box (64³ particles, 128 Mpc/h, tCOLA) with a full-sky lightcone to z = 0.04 about
# the box centre (replicas included), HOD galaxies on it.
#  1. the lightcone's groups equal, as sets of particle ids, the FoF groups of the shell's
#     crossings found independently (scipy's k-d tree pairs within 0.2 L/N_p, no periodicity,
#     connected components, at least 20 members);
#  2. each halo's a is its members' mean crossing a; its RA, DEC and chi are those of its centre
#     about the observer; z_cos is the redshift of the lightcone at chi (within the spread of
#     the members' a);
#  3. the galaxies' RA, DEC and Chi follow from their positions, 1 + ZObs = (1 + ZCos)(1 + v_r/c),
#     and the redshift-space position lies on the line of sight at ChiObs; the haloes' picture
#     is drawn;
#  4. the n(z) table counts the haloes and galaxies of the catalogues, in the comoving volumes
#     of full-sky shells computed here; the lightcone's halo density is the box's at z = 0
#     within 10 %;
#  5. the lightcone's mass function counts the halo table's masses over the lightcone's volume,
#     its Tinker 2008 column lies just below the box's at z = 0, and it matches the box's
#     measured mass function within 15 % in the bins with 100 box haloes;
#  6. the lightcone galaxies' multipoles are finite, with more monopole and a positive
#     quadrupole in redshift space than in real space on large scales.
# Variables: RUNNER, CONFIG (configs/quickstart.toml), OUT (a scratch folder).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${RUNNER}" "${CONFIG}" --set "output.directory=\"${OUT}\"" --set "output.redshifts=[0.0]"
                        --set "output.power_spectrum=false" --set "output.slice=false" --set "lightcone.z_max=0.04"
                        --set "halos.hod=true" --set "halos.hod_log_m_min=12.8" --set "halos.hod_log_m1=13.8"
                        --set "halos.multipoles=true"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}\n${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the run failed (${rc})")
endif()
if(NOT out MATCHES "lightcone haloes: [1-9][0-9]* FoF groups of >= 20 particles among [0-9]+ crossings"
   OR NOT out MATCHES "lightcone galaxies: [1-9]")
  message(FATAL_ERROR "no lightcone haloes or galaxies reported")
endif()
if(NOT EXISTS "${OUT}/lightcone_halos.png")
  message(FATAL_ERROR "no picture of the lightcone's haloes")
endif()

set(check [=[
import os, sys, h5py, numpy as np
from scipy.spatial import cKDTree
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
folder = sys.argv[1]
with h5py.File(folder + '/lightcone_000.hdf5', 'r') as f:
    x = f['position'][:]
    a = f['a'][:]
    pid = f['id'][:].astype(np.int64)
    o = np.array(f.attrs['observer'])
    L = float(f.attrs['box_size'])
    npart = int(f.attrs['particles_1d'])
n = len(x)
link = 0.2 * L / npart
# 1. Groups as multisets of ids against an independent FoF of the crossings.
pairs = cKDTree(x).query_pairs(link, output_type='ndarray')
_, label = connected_components(coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)),
                                directed=False)
sizes = np.bincount(label)
order = np.argsort(label, kind='stable')
bounds = np.concatenate([[0], np.cumsum(sizes)])
ref = sorted(tuple(sorted(pid[order[bounds[g]:bounds[g + 1]]])) for g in range(len(sizes)) if sizes[g] >= 20)
with h5py.File(folder + '/lightcone_fof_subhalo_tab.hdf5', 'r') as f:
    length = f['Group/GroupLen'][:].astype(np.int64)
    offset = f['Group/GroupOffsetType'][:, 1].astype(np.int64)
    ids = f['IDs/ID'][:].astype(np.int64)
    ascale = f['Group/GroupAscale'][:]
mine = sorted(tuple(sorted(ids[offset[g]:offset[g] + length[g]])) for g in range(len(length)))
assert mine == ref, 'lightcone groups differ: %d here, %d independent' % (len(mine), len(ref))
# 2. The halo table.
t = np.loadtxt(folder + '/lightcone_halos.txt', ndmin=2)
names = [l[1:].split() for l in open(folder + '/lightcone_halos.txt') if l.startswith('#')][-1]
c = {k: t[:, i] for i, k in enumerate(names)}
assert len(t) == len(length) and np.array_equal(c['length'].astype(np.int64), length)
assert np.allclose(c['a'], ascale, rtol=1e-6)
# Members' mean a: the points of each group found by the partition above (same groups; a halo
# seen in two replicas has the same ids twice, so each key may name several).
members_of = {}
for g in range(len(sizes)):
    if sizes[g] >= 20:
        members_of.setdefault(tuple(sorted(pid[order[bounds[g]:bounds[g + 1]]])), []).append(order[bounds[g]:bounds[g + 1]])
for g in range(len(length)):
    means = [a[m].mean() for m in members_of[tuple(sorted(ids[offset[g]:offset[g] + length[g]]))]]
    assert min(abs(c['a'][g] - m) for m in means) < 1e-7, (g, c['a'][g], means)
r = np.stack([c['x[Mpc/h]'], c['y'], c['z']], axis=1) - o
chi = np.linalg.norm(r, axis=1)
assert np.allclose(c['chi[Mpc/h]'], chi, rtol=1e-6, atol=1e-5)  # the table's 9 digits
assert np.allclose(c['DEC[deg]'], np.degrees(np.arcsin(r[:, 2] / chi)), atol=1e-5)
ra = np.degrees(np.arctan2(r[:, 1], r[:, 0])) % 360.0
assert np.allclose(np.minimum(np.abs(c['RA[deg]'] - ra), 360 - np.abs(c['RA[deg]'] - ra)), 0, atol=1e-5)
assert np.all(np.abs(c['z_cos'] - (1 / c['a'] - 1)) < 2e-3), np.abs(c['z_cos'] - (1 / c['a'] - 1)).max()
# 3. Galaxies.
with h5py.File(folder + '/lightcone_galaxies.hdf5', 'r') as f:
    G = f['Galaxies']
    gx, gv, rsd = G['Position'][:], G['Velocity'][:], G['RedshiftSpacePosition'][:]
    gra, gdec, gchi, zc, zo, chio = (G[k][:] for k in ('RA', 'DEC', 'Chi', 'ZCos', 'ZObs', 'ChiObs'))
    G_zc, G_zo = zc, zo
    assert np.allclose(f['Header'].attrs['Observer'], o)
rg = gx - o
dist = np.linalg.norm(rg, axis=1)
assert len(gx) > 0 and np.allclose(gchi, dist, rtol=1e-9)
assert np.allclose(gdec, np.degrees(np.arcsin(rg[:, 2] / dist)), atol=1e-9)
vr = np.sum(gv * rg, axis=1) / dist
assert np.allclose(1 + zo, (1 + zc) * (1 + vr / 299792.458), rtol=1e-12)
assert np.allclose(rsd - o, rg * (chio / dist)[:, None], atol=1e-9)
# 4. n(z): the counts are the tables', the volumes those of full-sky shells (flat LCDM,
#    Omega_m = 0.3111, to 1e-3), n = N / V.
nz = np.loadtxt(folder + '/lightcone_nz.txt', ndmin=2)
nz_names = [l[1:].split() for l in open(folder + '/lightcone_nz.txt') if l.startswith('#')][-1]
z = {k: nz[:, i] for i, k in enumerate(nz_names)}
zc = c['z_cos']
assert z['N_haloes'].sum() == np.sum((zc >= z['z_low'][0]) & (zc < z['z_high'][-1]))
assert z['N_galaxies'].sum() == np.sum((G_zc >= z['z_low'][0]) & (G_zc < z['z_high'][-1]))
assert z['N_galaxies_z_obs'].sum() == np.sum((G_zo >= z['z_low'][0]) & (G_zo < z['z_high'][-1]))
def chi_of(zz):
    a = np.linspace(1 / (1 + zz), 1, 20001)
    e = np.sqrt(0.3111 / a ** 3 + 1 - 0.3111)
    f = 1 / (a * a * e)
    return 2997.92458 * np.sum((f[1:] + f[:-1]) / 2 * np.diff(a))
vol = [4 * np.pi / 3 * (chi_of(h) ** 3 - chi_of(l) ** 3) for l, h in zip(z['z_low'], z['z_high'])]
assert np.allclose(z['volume[(Mpc/h)^3]'], vol, rtol=1e-3), (z['volume[(Mpc/h)^3]'][:3], vol[:3])
assert np.allclose(z['n_haloes[(h/Mpc)^3]'], z['N_haloes'] / z['volume[(Mpc/h)^3]'])
# The lightcone's mean halo density (z < 0.04: little evolution) is the box's at z = 0, within
# 10 % (Poisson 2-4 %; haloes cut by the lightcone's edges).
box_haloes = len(np.loadtxt(folder + '/halos_z0.000.txt', ndmin=2))
ratio = (z['N_haloes'].sum() / z['volume[(Mpc/h)^3]'].sum()) / (box_haloes / L ** 3)
assert abs(ratio - 1) < 0.1, ratio
print('lightcone halo density / box halo density at z = 0: %.3f' % ratio)
# 5. The lightcone's mass function: its counts are the halo table's masses with z_cos in the
#    range, binned on the table's edges, over the n(z) table's total volume; its Tinker 2008
#    column, averaged over 0 <= z < 0.04, lies 0-10 % below the box's at z = 0 (the haloes
#    grow), and its measured dn/dlnM is the box's within 15 % where the box has 100 haloes.
def table(path):
    d = np.loadtxt(path, ndmin=2)
    h = [l[1:].split() for l in open(path) if l.startswith('#')][-1]
    return {k: d[:, i] for i, k in enumerate(h)}
lmf, bmf = table(folder + '/lightcone_mass_function.txt'), table(folder + '/mass_function_z0.000.txt')
inside = (zc >= z['z_low'][0]) & (zc < z['z_high'][-1])
edges = np.append(lmf['M_low[Msun/h]'], lmf['M_high[Msun/h]'][-1])
counts = np.histogram(c['mass[Msun/h]'][inside], bins=edges)[0]
assert np.array_equal(lmf['count_FoF'].astype(np.int64), counts), (lmf['count_FoF'], counts)
dlnm = np.log(lmf['M_high[Msun/h]'] / lmf['M_low[Msun/h]'])
assert np.allclose(lmf['dndlnM_FoF[(h/Mpc)^3]'], counts / (z['volume[(Mpc/h)^3]'].sum() * dlnm), rtol=1e-6)
nb = min(len(lmf['T08_200m']), len(bmf['T08_200m']))
assert np.allclose(lmf['M_low[Msun/h]'][:nb], bmf['M_low[Msun/h]'][:nb], rtol=1e-8)
theory_ratio = lmf['T08_200m'][:nb] / bmf['T08_200m'][:nb]
assert np.all((theory_ratio > 0.9) & (theory_ratio < 1.0)), theory_ratio
full = bmf['count_FoF'][:nb] >= 100
measured_ratio = lmf['dndlnM_FoF[(h/Mpc)^3]'][:nb][full] / bmf['dndlnM_FoF[(h/Mpc)^3]'][:nb][full]
assert full.sum() >= 2 and np.all(np.abs(measured_ratio - 1) < 0.15), ('lightcone / box mass function', measured_ratio)
assert os.path.exists(folder + '/lightcone_mass_function.png'), 'no lightcone_mass_function.png'
print('lightcone mass function / box mass function at z = 0 (bins with 100 box haloes):',
      ' '.join('%.3f' % r for r in measured_ratio))
# 6. The lightcone galaxies' multipoles (local line of sight; analysis::survey_multipoles is
#    validated in its unit test): finite, the redshift-space monopole above the real-space one
#    and the redshift-space quadrupole positive on large scales (Kaiser), with its picture.
mp = table(folder + '/lightcone_multipoles.txt')
assert len(mp['k[h/Mpc]']) > 5 and all(np.all(np.isfinite(v)) for v in mp.values()), 'lightcone_multipoles.txt: too few rows or not finite'
large = (mp['k[h/Mpc]'] > 0.05) & (mp['k[h/Mpc]'] < 0.2)
w = mp['modes'][large]
ps0, pr0, ps2 = (np.sum(mp[n][large] * w) / w.sum() for n in ('P0_s', 'P0_r', 'P2_s'))
print('lightcone galaxies, 0.05 < k < 0.2: P0_s/P0_r %.3f, P2_s/P0_s %.3f' % (ps0 / pr0, ps2 / ps0))
assert ps0 > pr0 > 0 and ps2 > 0, (ps0, pr0, ps2)
assert os.path.exists(folder + '/lightcone_multipoles.png'), 'no lightcone_multipoles.png'
print('lightcone halos check passed: %d groups equal the independent FoF of %d crossings, %d galaxies' % (len(length), n, len(gx)))
]=])
execute_process(COMMAND /usr/bin/python3 -c "${check}" "${OUT}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the lightcone [halos] files do not check out")
endif()
