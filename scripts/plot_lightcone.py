#!/usr/bin/python3
"""Draw a lightcone: a shell's HEALPix density map (Mollweide) and a wedge of its particles.

Usage: plot_lightcone.py DIRECTORY [--base lightcone] [--shell N] [--slab 30] [--wedge-deg 90]
                         [--smooth-deg 1.0]

DIRECTORY holds the shell files <base>_<NNN>.hdf5 that lagframe writes (io/lightcone_hdf5.hpp;
examples/lightcone). Two pictures are written there:

* <base>_map_<NNN>.png: the density contrast delta = counts / mean - 1 of shell N (default: the
  middle shell) in Mollweide projection, smoothed with a Gaussian beam of
  --smooth-deg degrees (0: none), colour log10(1 + delta);
* <base>_wedge.png: the kept particles of every shell within --slab Mpc/h of the plane through
  the observer perpendicular to the lightcone's axis (the z axis for a full-sky lightcone), as
  comoving distance against angle in that plane, over --wedge-deg degrees, coloured by the
  log10 of the number of kept particles in its 5 x 5 Mpc/h cell of the plane.

Uses Debian's python3-numpy, python3-h5py, python3-healpy and python3-matplotlib (exit status 3
without them); writes each PNG atomically (<name>.tmp, then renamed; removed if interrupted).
"""
import argparse
import glob
import os
import signal
import sys


def shells(directory, base):
    import h5py

    out = []
    for path in sorted(glob.glob(os.path.join(directory, base + "_[0-9][0-9][0-9].hdf5"))):
        with h5py.File(path, "r") as f:
            attrs = {key: f.attrs[key] for key in f.attrs}
            attrs["path"] = path
            attrs["count"] = len(f["id"])
            attrs["mapped"] = int(f["healpix_counts"][()].sum()) if "healpix_counts" in f else 0
            if int(attrs.get("complete", 1)) != 1:
                continue  # a partial shell saved for a restart
            out.append(attrs)
    return out


def save(fig, path):
    import matplotlib.pyplot as plt

    tmp = path + ".tmp"
    try:
        fig.savefig(tmp, dpi=130, format="png")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    print("wrote %s" % path)


def draw_map(shell, smooth_deg, output):
    import h5py
    import healpy as hp
    import matplotlib.pyplot as plt
    import numpy as np

    with h5py.File(shell["path"], "r") as f:
        counts = np.asarray(f["healpix_counts"], dtype=np.float64)
    nside = hp.npix2nside(len(counts))
    delta = counts / counts.mean() - 1.0
    if smooth_deg > 0:
        delta = hp.smoothing(delta, fwhm=np.radians(smooth_deg))
    shown = np.log10(np.maximum(1.0 + delta, 1e-2))
    lo, hi = np.percentile(shown, 0.5), np.percentile(shown, 99.5)
    fig = plt.figure(figsize=(9.0, 6.0))
    title = (r"lightcone shell %d: $%.0f \leq \chi < %.0f\ h^{-1}$Mpc, $%.3f \leq z < %.3f$"
             % (int(shell["shell"]), shell["chi_min"], shell["chi_max"], shell["z_min"], shell["z_max"]))
    subtitle = "%d crossings, N_side = %d" % (int(counts.sum()), nside)
    if smooth_deg > 0:
        subtitle += r", smoothed %.2g$^\circ$ FWHM" % smooth_deg
    hp.mollview(shown, fig=fig.number, title="", unit=r"$\log_{10}(1 + \delta)$", cmap="magma", min=lo, max=hi,
                cbar=True, format="%.2f")
    for ax in fig.axes:  # room for the two-line title above the map
        box = ax.get_position()
        ax.set_position([box.x0, box.y0 * 0.93, box.width, box.height * 0.93])
    fig.suptitle(title + "\n" + subtitle, fontsize=11, y=0.985)
    hp.graticule(dpar=30, dmer=60, alpha=0.3, color="white")
    save(fig, output)


def draw_wedge(all_shells, slab, wedge_deg, output):
    import h5py
    import matplotlib.pyplot as plt
    import numpy as np

    first = all_shells[0]
    obs = np.asarray(first["observer"], dtype=np.float64)
    axis = np.asarray(first.get("axis", [0.0, 0.0, 1.0]), dtype=np.float64)
    if int(first.get("footprint", 0)) == 2:  # a rectangle: the direction of its centre (RA, Dec)
        ra, dec = np.radians(np.mean(first["ra_deg"])), np.radians(np.mean(first["dec_deg"]))
        axis = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    full_sky = int(first.get("footprint", 0)) == 0
    normal = np.array([0.0, 0.0, 1.0]) if full_sky else axis / np.linalg.norm(axis)
    # Two directions spanning the plane perpendicular to `normal` (for a cone: the axis lies in
    # the plane instead, so the wedge shows the cone: use a plane containing the axis).
    if not full_sky:
        helper = np.array([0.0, 0.0, 1.0]) if abs(normal[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        e1 = normal
        e2 = np.cross(helper, e1)
        e2 /= np.linalg.norm(e2)
        normal = np.cross(e1, e2)
    else:
        e1, e2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    radius, angle = [], []
    for s in all_shells:
        with h5py.File(s["path"], "r") as f:
            x = np.asarray(f["position"], dtype=np.float64) - obs
        height = x @ normal
        sel = np.abs(height) < 0.5 * slab
        u, v = x[sel] @ e1, x[sel] @ e2
        theta = np.degrees(np.arctan2(v, u))
        keep = np.abs(theta) <= 0.5 * wedge_deg
        radius.append(np.hypot(u, v)[keep])
        angle.append(np.radians(theta[keep]))
    radius, angle = np.concatenate(radius), np.concatenate(angle)
    chi_max = max(float(s["chi_max"]) for s in all_shells)
    z_max = max(float(s["z_max"]) for s in all_shells)
    z_min = min(float(s["z_min"]) for s in all_shells)
    fraction = float(first.get("particle_fraction", 1.0))

    fig = plt.figure(figsize=(8.0, 7.0))
    ax = fig.add_subplot(projection="polar")
    ax.grid(False)
    # Points coloured by the number of kept particles within 5 Mpc/h in the plane (a density
    # estimate), drawn densest last.
    local = np.zeros(len(radius))
    if len(radius) > 0:
        px, py = radius * np.cos(angle), radius * np.sin(angle)
        cell = 5.0
        ix, iy = np.floor(px / cell).astype(np.int64), np.floor(py / cell).astype(np.int64)
        key = ix * 1000003 + iy
        uniq, inverse, per = np.unique(key, return_inverse=True, return_counts=True)
        local = per[inverse].astype(np.float64)
    order = np.argsort(local)
    mesh = ax.scatter(angle[order], radius[order], c=np.log10(local[order]), s=1.2, lw=0, cmap="magma",
                      vmin=0.0, vmax=max(np.log10(local.max()) if len(local) else 1.0, 0.5))
    ax.set_facecolor("black")
    ax.set_thetamin(-0.5 * wedge_deg)
    ax.set_thetamax(0.5 * wedge_deg)
    ax.set_rlim(0.0, chi_max)
    ax.grid(color="white", alpha=0.2)
    # Redshift of each radial tick: chi(z) = (c / H0) * integral of dz / E(z) for the file's
    # cosmology (matter, curvature and Lambda; labels only).
    om, ok = float(first["omega_m"]), float(first.get("omega_k", 0.0))
    z_table = np.linspace(0.0, 20.0, 20001)
    e_inv = 1.0 / np.sqrt(om * (1 + z_table) ** 3 + ok * (1 + z_table) ** 2 + (1.0 - om - ok))
    chi_table = 2997.92458 * np.concatenate([[0.0], np.cumsum(0.5 * (e_inv[1:] + e_inv[:-1]) * np.diff(z_table))])
    edges_chi, edges_z = chi_table, z_table
    ticks = [t for t in ax.get_yticks() if 0 < t <= chi_max]
    ax.set_yticks(ticks)
    ax.set_yticklabels(["%.0f (z = %.2f)" % (t, np.interp(t, edges_chi, edges_z)) for t in ticks], color="white", fontsize=8)
    ax.set_xlabel(r"comoving distance $\chi$ [$h^{-1}$Mpc] (redshift), angle in the plane [deg]", labelpad=12)
    plane = "the observer's x-y plane" if full_sky else "the plane containing the axis"
    ax.set_title(r"lightcone wedge: $%.2f \leq z < %.2f$, a slab of $\pm %.0f\ h^{-1}$Mpc about %s"
                 "\n%d particles shown (kept fraction %.3g)" % (z_min, z_max, 0.5 * slab, plane, len(radius), fraction),
                 fontsize=10)
    bar = fig.colorbar(mesh, ax=ax, fraction=0.035, pad=0.08)
    bar.set_label(r"$\log_{10}$ kept particles per $5 \times 5\ h^{-1}$Mpc cell of the slab")
    fig.tight_layout()
    save(fig, output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--base", default="lightcone")
    parser.add_argument("--shell", type=int, default=None, help="shell of the map (default: the middle one)")
    parser.add_argument("--slab", type=float, default=30.0, help="slab thickness in Mpc/h")
    parser.add_argument("--wedge-deg", type=float, default=90.0, help="opening of the wedge in degrees")
    parser.add_argument("--smooth-deg", type=float, default=1.0, help="Gaussian FWHM of the map in degrees (0: none)")
    args = parser.parse_args()
    try:
        import h5py  # noqa: F401
        import healpy  # noqa: F401
        import matplotlib

        matplotlib.use("Agg")
        import numpy  # noqa: F401
    except ImportError as e:
        print("plot_lightcone.py needs numpy, h5py, healpy and matplotlib: %s" % e, file=sys.stderr)
        sys.exit(3)
    found = shells(args.directory, args.base)
    if not found:
        print("plot_lightcone.py: no complete shell files %s_NNN.hdf5 in %s" % (args.base, args.directory), file=sys.stderr)
        sys.exit(2)
    if args.shell is None:
        mapped = [s for s in found if s["mapped"] > 0]
        chosen = sorted(mapped, key=lambda s: int(s["shell"]))[len(mapped) // 2] if mapped else None
    else:
        chosen = next((s for s in found if int(s["shell"]) == args.shell), None)
        if chosen is None:
            print("plot_lightcone.py: no shell %d in %s" % (args.shell, args.directory), file=sys.stderr)
            sys.exit(2)
    if chosen is not None and chosen["mapped"] > 0:
        draw_map(chosen, args.smooth_deg,
                 os.path.join(args.directory, "%s_map_%03d.png" % (args.base, int(chosen["shell"]))))
    draw_wedge(found, args.slab, args.wedge_deg, os.path.join(args.directory, "%s_wedge.png" % args.base))


if __name__ == "__main__":
    # SIGTERM ends the script through the finally in save() (no temporary is left).
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
