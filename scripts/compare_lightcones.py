#!/usr/bin/python3
"""Compare one lightcone shell from two runs: 3D power spectrum and angular power spectrum.

Usage: compare_lightcones.py DIR_A DIR_B [--shell N] [--base lightcone] [--grid 256]
                             [--kmax 1.0] [--check-pk K:TOL[,K:TOL...]] [--check-cl K:TOL]

DIR_A and DIR_B hold the shell files <base>_<NNN>.hdf5 of two runs of the same initial
conditions (e.g. an sCOLA lightcone and the full-box tCOLA one; io/lightcone_hdf5.hpp). For
shell N the script computes

* P(k) of the shell's particles: the difference between the particles and the unperturbed
  lattice points of the same shell (every replica, the same footprint and kept fraction),
  deposited with CIC on a grid of --grid cells per side over a cube around the selection, binned in shells of
  the grid's fundamental wavenumber (pairs of bins), CIC window divided out; the lattice is the
  exact unclustered selection, so the survey window cancels;
* C_ell of the shell's HEALPix map (healpix_counts, as counts / mean - 1) with healpy.anafast
  (for a cone, over the pixels whose centres lie in it and zero elsewhere: a pseudo-C_ell, the
  same mask for both runs).

It prints both ratios A/B and, with --check-pk K:TOL (e.g. 0.5:0.01,1.0:0.03: |P_A/P_B - 1| < TOL
for every bin with k <= K) and --check-cl K:TOL (|C_A/C_B - 1| < TOL for 2 <= ell <= K chi_mid,
the multipole of wavenumber K at the shell's mid distance), exits with status 1 when a check
fails. Exit status 3 without numpy, h5py or healpy (Debian's python3-numpy, python3-h5py,
python3-healpy).
"""
import argparse
import os
import sys


def read_shell(directory, base, shell):
    import h5py
    import numpy as np

    path = os.path.join(directory, "%s_%03d.hdf5" % (base, shell))
    with h5py.File(path, "r") as f:
        out = {key: f.attrs[key] for key in f.attrs}
        out["position"] = np.asarray(f["position"], dtype=np.float64)
        out["id"] = np.asarray(f["id"])
        out["healpix_counts"] = np.asarray(f["healpix_counts"]) if "healpix_counts" in f else None
    out["path"] = path
    return out


def kept(ids, fraction):
    """lightcone::kept_particle: splitmix64 of the id against fraction * 2^64."""
    import numpy as np

    if fraction >= 1.0:
        return np.ones(ids.shape, dtype=bool)
    with np.errstate(over="ignore"):
        z = ids.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 < fraction


def in_footprint(s, x, r):
    """Whether the points x (relative to the observer, at distances r) lie in the footprint."""
    import numpy as np

    shape = int(s["footprint"])
    if shape == 1:  # a cone
        axis = np.asarray(s["axis"], dtype=np.float64)
        return x @ (axis / np.linalg.norm(axis)) >= np.cos(np.radians(float(s["opening_deg"]))) * r
    if shape == 2:  # a rectangle in RA = atan2(y, x), Dec = asin(z / r)
        ra = np.degrees(np.arctan2(x[:, 1], x[:, 0])) % 360.0
        dec = np.degrees(np.arcsin(np.clip(x[:, 2] / np.maximum(r, 1e-300), -1.0, 1.0)))
        ra_lo, ra_hi = (float(v) for v in s["ra_deg"])
        dec_lo, dec_hi = (float(v) for v in s["dec_deg"])
        return (ra >= ra_lo) & (ra <= ra_hi) & (dec >= dec_lo) & (dec <= dec_hi)
    return np.ones(len(r), dtype=bool)


def lattice_in_shell(s):
    """The unperturbed lattice points of every replica inside the shell and its footprint."""
    import numpy as np

    n = int(s["particles_1d"])
    if n == 0:
        raise SystemExit("%s does not record particles_1d (written by an older lagframe)" % s["path"])
    side = float(s["box_size"])
    obs = np.asarray(s["observer"], dtype=np.float64)
    lo, hi = float(s["chi_min"]), float(s["chi_max"])
    q1 = np.arange(n) * (side / n)
    qx, qy, qz = np.meshgrid(q1, q1, q1, indexing="ij")
    q = np.stack([qx.ravel(), qy.ravel(), qz.ravel()], axis=1)
    ids = np.arange(n**3, dtype=np.uint64)
    keep = kept(ids, float(s["particle_fraction"]))
    q = q[keep]
    reach = int(np.ceil(hi / side)) + 1
    points = []
    for i in range(-reach, reach + 1):
        for j in range(-reach, reach + 1):
            for k in range(-reach, reach + 1):
                x = q + side * np.array([i, j, k]) - obs
                r = np.sqrt(np.einsum("ij,ij->i", x, x))
                ok = (r >= lo) & (r < hi)
                ok &= in_footprint(s, x, r)
                if ok.any():
                    points.append(x[ok] + obs)
    return np.concatenate(points) if points else np.zeros((0, 3))


def cic(points, origin, cell, grid):
    """CIC counts of points on a periodic grid of `grid` cells of side `cell` starting at origin."""
    import numpy as np

    u = (points - origin) / cell
    i0 = np.floor(u).astype(np.int64)
    t = u - i0
    field = np.zeros(grid**3, dtype=np.float64)
    for dx in (0, 1):
        wx = t[:, 0] if dx else 1.0 - t[:, 0]
        ix = (i0[:, 0] + dx) % grid
        for dy in (0, 1):
            wy = t[:, 1] if dy else 1.0 - t[:, 1]
            iy = (i0[:, 1] + dy) % grid
            for dz in (0, 1):
                wz = t[:, 2] if dz else 1.0 - t[:, 2]
                iz = (i0[:, 2] + dz) % grid
                field += np.bincount((ix * grid + iy) * grid + iz, weights=wx * wy * wz, minlength=grid**3)
    return field.reshape(grid, grid, grid)


def shell_power(s, lattice, grid):
    """P(k) of particles minus lattice on a grid around the observer (units: arbitrary, common)."""
    import numpy as np

    # A cube around the selection (the lattice points span it), padded so that nothing overlaps
    # its periodic images.
    lo_corner, hi_corner = lattice.min(axis=0), lattice.max(axis=0)
    side = float(np.max(hi_corner - lo_corner)) * 1.05 + 8.0
    cell = side / grid
    origin = 0.5 * (lo_corner + hi_corner) - 0.5 * side
    alpha = len(s["position"]) / len(lattice)
    delta = cic(s["position"], origin, cell, grid) - alpha * cic(lattice, origin, cell, grid)
    modes = np.fft.rfftn(delta)
    k1 = 2.0 * np.pi * np.fft.fftfreq(grid, d=cell)
    kz = 2.0 * np.pi * np.fft.rfftfreq(grid, d=cell)
    kx, ky, kzz = np.meshgrid(k1, k1, kz, indexing="ij")
    kk = np.sqrt(kx**2 + ky**2 + kzz**2)
    window = (np.sinc(kx * cell / (2 * np.pi)) * np.sinc(ky * cell / (2 * np.pi)) * np.sinc(kzz * cell / (2 * np.pi))) ** 2
    power = np.abs(modes) ** 2 / window**2
    # Modes with kz = 0 and kz = Nyquist appear once in the half-complex layout, the others twice.
    weight = np.full(kk.shape, 2.0)
    weight[:, :, 0] = 1.0
    if grid % 2 == 0:
        weight[:, :, -1] = 1.0
    k_f = 2.0 * np.pi / side
    width = 2.0 * k_f
    index = np.floor(kk / width).astype(np.int64).ravel()
    nbins = int(np.pi / cell / width)
    sel = (index >= 1) & (index < nbins)
    w = weight.ravel()[sel]
    count = np.bincount(index[sel], weights=w, minlength=nbins)
    k_mean = np.bincount(index[sel], weights=w * kk.ravel()[sel], minlength=nbins)
    p_mean = np.bincount(index[sel], weights=w * power.ravel()[sel], minlength=nbins)
    ok = count > 0
    return k_mean[ok] / count[ok], p_mean[ok] / count[ok] * cell**6 / side**3


def angular_power(s):
    import healpy as hp
    import numpy as np

    counts = s["healpix_counts"].astype(np.float64)
    nside = hp.npix2nside(len(counts))
    inside = np.ones(len(counts), dtype=bool)
    if int(s["footprint"]) != 0:  # a cone or a rectangle: the pixels whose centres lie in it (a pseudo-C_ell)
        centres = np.array(hp.pix2vec(nside, np.arange(len(counts)))).T
        inside = in_footprint(s, centres, np.ones(len(centres)))
    delta = np.zeros(len(counts))
    delta[inside] = counts[inside] / counts[inside].mean() - 1.0
    return hp.anafast(delta, lmax=3 * nside - 1)


def parse_checks(text):
    if not text:
        return []
    out = []
    for part in text.split(","):
        k, tol = part.split(":")
        out.append((float(k), float(tol)))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir_a")
    parser.add_argument("dir_b")
    parser.add_argument("--shell", type=int, default=0)
    parser.add_argument("--base", default="lightcone")
    parser.add_argument("--grid", type=int, default=256)
    parser.add_argument("--kmax", type=float, default=1.0, help="largest k printed (h/Mpc)")
    parser.add_argument("--check-pk", default="", help="K:TOL[,K:TOL...]: |P_A/P_B - 1| < TOL for k <= K")
    parser.add_argument("--check-cl", default="", help="K:TOL: |C_A/C_B - 1| < TOL for 2 <= ell <= K chi_mid")
    args = parser.parse_args()
    try:
        import h5py  # noqa: F401
        import healpy  # noqa: F401
        import numpy as np
    except ImportError as e:
        print("compare_lightcones.py needs numpy, h5py and healpy: %s" % e, file=sys.stderr)
        sys.exit(3)

    a = read_shell(args.dir_a, args.base, args.shell)
    b = read_shell(args.dir_b, args.base, args.shell)
    chi_mid = 0.5 * (float(a["chi_min"]) + float(a["chi_max"]))
    print("shell %d: %.1f-%.1f Mpc/h (z = %.4f-%.4f): %d particles in A, %d in B (%+.3f %%)"
          % (args.shell, a["chi_min"], a["chi_max"], a["z_min"], a["z_max"], len(a["id"]), len(b["id"]),
             100.0 * (len(a["id"]) / max(len(b["id"]), 1) - 1.0)))
    failed = False

    lattice = lattice_in_shell(a)
    k, pa = shell_power(a, lattice, args.grid)
    _, pb = shell_power(b, lattice, args.grid)
    ratio = pa / pb
    print("%10s %14s %14s %10s" % ("k [h/Mpc]", "P_A", "P_B", "P_A/P_B"))
    for i in range(len(k)):
        if k[i] <= args.kmax and (i < 6 or i % 4 == 0):
            print("%10.4f %14.4g %14.4g %10.4f" % (k[i], pa[i], pb[i], ratio[i]))
    for kmax, tol in parse_checks(args.check_pk):
        worst = np.max(np.abs(ratio[k <= kmax] - 1.0))
        ok = worst < tol
        failed |= not ok
        print("P(k): max |P_A/P_B - 1| = %.4f for k <= %g h/Mpc (tolerance %g): %s" % (worst, kmax, tol, "ok" if ok else "FAILED"))

    if a["healpix_counts"] is not None and b["healpix_counts"] is not None:
        ca, cb = angular_power(a), angular_power(b)
        ell = np.arange(len(ca))
        cl_ratio = ca / cb
        print("%6s %14s %14s %10s" % ("ell", "C_A", "C_B", "C_A/C_B"))
        for l in list(range(2, 8)) + list(range(8, len(ca), 8)):
            print("%6d %14.4g %14.4g %10.4f" % (l, ca[l], cb[l], cl_ratio[l]))
        for kmax, tol in parse_checks(args.check_cl):
            lmax = int(kmax * chi_mid)
            sel = (ell >= 2) & (ell <= lmax)
            worst = np.max(np.abs(cl_ratio[sel] - 1.0))
            ok = worst < tol
            failed |= not ok
            print("C_ell: max |C_A/C_B - 1| = %.4f for 2 <= ell <= %d (k = %g h/Mpc at %.1f Mpc/h; tolerance %g): %s"
                  % (worst, lmax, kmax, chi_mid, tol, "ok" if ok else "FAILED"))
    elif args.check_cl:
        print("C_ell: the shell files have no HEALPix maps", file=sys.stderr)
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
