#!/usr/bin/python3
"""Pictures of the [halos] tables that lagframe-run writes at an output redshift.

Usage: plot_halos.py KIND TABLE PNG

KIND is one of
  mass_function   mass_function_z<z>.txt (or lightcone_mass_function.txt): dn/dlnM of the FoF (and M_200m) masses with the
                  Tinker et al. 2008 and Sheth & Tormen 1999 fits, and the ratio to Tinker
  hod             hod_z<z>.txt: measured mean occupation per mass bin against the model
  bias            bias_z<z>.txt: real-space P(k) of the haloes (galaxies) and the matter, and b(k)
  multipoles      multipoles_z<z>.txt: k P_ell for the matter (and the galaxies) against
                  Kaiser, and P2/P0
  lightcone       lightcone_halos.txt: the haloes on the sky (Mollweide, colour z_obs) and a
                  wedge of comoving distance against RA
  lightcone_multipoles
                  lightcone_multipoles.txt: k P_ell (ell = 0, 2, 4) of the lightcone galaxies in redshift and
                  real space (local line of sight), and P2/P0
Columns are found by the names in the table's header line, so the tables may gain columns.
The picture is written to a temporary name and renamed when complete.
Needs Debian's python3-numpy and python3-matplotlib.
"""
import os
import sys

import numpy as np


def read_table(path):
    """Comment lines (without '# ') and the columns by name."""
    comments = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                comments.append(line[1:].strip())
    names = comments[-1].split()
    data = np.loadtxt(path, ndmin=2)
    if data.shape[1] != len(names):
        raise SystemExit(f"{path}: {data.shape[1]} columns, header names {len(names)}")
    return comments[:-1], {name: data[:, i] for i, name in enumerate(names)}


def save(fig, png):
    tmp = png + ".tmp"
    fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    os.replace(tmp, png)


def plot_mass_function(plt, comments, c, png):
    mc, t08, st = c["M_centre[Msun/h]"], c["T08_200m"], c["ST99"]
    fof, err, n = c["dndlnM_FoF[(h/Mpc)^3]"], c["err_FoF"], c["count_FoF"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    keep = n > 0
    top.errorbar(mc[keep], fof[keep], yerr=err[keep], fmt="o", ms=4, label="FoF")
    if "dndlnM_200m" in c:
        so, eso, nso = c["dndlnM_200m"], c["err_200m"], c["count_200m"]
        k2 = nso > 0
        top.errorbar(mc[k2] * 1.03, so[k2], yerr=eso[k2], fmt="s", ms=4, mfc="none", label=r"$M_\mathrm{200m}$")
    top.loglog(mc, t08, "-", color="k", label=r"Tinker et al. 2008 ($\Delta = 200$m)")
    top.loglog(mc, st, "--", color="grey", label="Sheth & Tormen 1999")
    top.set_ylabel(r"$dn/d\ln M\ [h^3\,\mathrm{Mpc}^{-3}]$")
    top.set_title("\n".join(comments[:2]), fontsize=8)
    top.legend(fontsize=8)
    with np.errstate(divide="ignore", invalid="ignore"):
        bottom.errorbar(mc[keep], fof[keep] / t08[keep], yerr=err[keep] / t08[keep], fmt="o", ms=4)
        bottom.plot(mc, st / t08, "--", color="grey")
    bottom.axhline(1.0, color="k", lw=0.8)
    bottom.axhspan(0.85, 1.15, color="k", alpha=0.08)
    bottom.set_ylim(0.3, 1.7)
    bottom.set_xscale("log")
    bottom.set_xlabel(r"$M\ [h^{-1}M_\odot]$")
    bottom.set_ylabel("ratio to Tinker 08")
    save(fig, png)


def plot_hod(plt, comments, c, png):
    m, halos = c["M[Msun/h]"], c["haloes"]
    keep = halos > 0
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.errorbar(m[keep], c["Ncen"][keep], yerr=c["err_cen"][keep], fmt="o", ms=4, color="C0",
                label=r"centrals $\langle N_c\rangle$")
    ax.errorbar(m[keep], c["Nsat"][keep], yerr=c["err_sat"][keep], fmt="s", ms=4, color="C1",
                label=r"satellites $\langle N_s\rangle$")
    ax.plot(m[keep], c["Ncen_model"][keep], "-", color="C0", lw=1, label="model (bin average)")
    sat_model = np.where(c["Nsat_model"] > 0, c["Nsat_model"], np.nan)
    ax.plot(m[keep], sat_model[keep], "-", color="C1", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, None)
    ax.set_xlabel(r"$M\ [h^{-1}M_\odot]$ (the HOD mass)")
    ax.set_ylabel(r"$\langle N \rangle$ per halo")
    ax.set_title("\n".join(comments[:2]), fontsize=8)
    ax.legend(fontsize=8)
    save(fig, png)


def plot_bias(plt, comments, c, png):
    k = c["k[h/Mpc]"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"wspace": 0.3})
    left.loglog(k, c["P_lin"], "-", color="grey", lw=1, label="linear")
    left.loglog(k, c["P_mm[(Mpc/h)^3]"], "-", color="k", label="matter")
    tracers = [("h", "haloes", "C0")]
    if "P_gg" in c:
        tracers.append(("g", "galaxies", "C1"))
    for t, title, colour in tracers:
        p = c[f"P_{t}{t}"]
        left.loglog(k[p > 0], p[p > 0], "o", ms=3, color=colour, label=f"{title} (shot noise subtracted)")
        err = np.abs(c[f"b_{t}=P_{t}m/P_mm"]) / np.sqrt(np.maximum(c["modes"], 1))
        right.errorbar(k, c[f"b_{t}=P_{t}m/P_mm"], yerr=err, fmt="o", ms=3, color=colour, label=title)
    left.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    left.set_ylabel(r"$P(k)\ [(h^{-1}\mathrm{Mpc})^3]$")
    left.set_title("\n".join(comments[:2]), fontsize=7)
    left.legend(fontsize=8)
    right.set_xscale("log")
    right.set_xlim(None, 1.0)
    shown = [c[f"b_{t}=P_{t}m/P_mm"][k <= 1.0] for t, _, _ in tracers]
    right.set_ylim(0.0, 1.2 * max(float(np.nanmax(b)) for b in shown if len(b)) if any(len(b) for b in shown) else None)
    right.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    right.set_ylabel(r"$b(k) = P_{tm}/P_{mm}$")
    right.axhline(1.0, color="k", lw=0.5)
    right.legend(fontsize=8)
    save(fig, png)


def plot_multipoles(plt, comments, c, png):
    k, modes = c["k[h/Mpc]"], c["modes"]
    sets = [("m", "matter")]
    if "P0_g" in c:
        sets.append(("g", "HOD galaxies"))
    fig, axes = plt.subplots(1, len(sets) + 1, figsize=(5.5 * (len(sets) + 1), 4.6), gridspec_kw={"wspace": 0.3})
    for ax, (t, title) in zip(axes, sets):
        for ell, colour in zip((0, 2, 4), ("C0", "C1", "C2")):
            p = c[f"P{ell}_{t}"]
            err = k * np.abs(c[f"P0_{t}"]) * np.sqrt((2 * ell + 1) / np.maximum(modes, 1))
            ax.errorbar(k, k * p, yerr=err, fmt="o", ms=3, color=colour, label=rf"$\ell = {ell}$")
            ax.plot(k, k * c[f"Kaiser{ell}_{t}"], "-", color=colour, lw=1)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xscale("log")
        ax.set_xlim(None, 1.0)
        ax.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
        ax.set_ylabel(r"$k\,P_\ell(k)\ [(h^{-1}\mathrm{Mpc})^2]$")
        ax.set_title(f"{title} in redshift space (lines: Kaiser)", fontsize=9)
        ax.legend(fontsize=8)
    ratio = axes[-1]
    for t, title in sets:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio.semilogx(k, c[f"P2_{t}"] / c[f"P0_{t}"], "o", ms=3, label=title)
        ratio.axhline((c[f"Kaiser2_{t}"] / c[f"Kaiser0_{t}"])[0], lw=1, color="C0" if t == "m" else "C1")
    ratio.set_ylim(-0.5, 1.2)
    ratio.set_xlim(None, 1.0)
    ratio.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    ratio.set_ylabel(r"$P_2/P_0$ (lines: Kaiser)")
    ratio.set_title("\n".join(comments[:2]), fontsize=7)
    ratio.legend(fontsize=8)
    save(fig, png)


def plot_lightcone_multipoles(plt, comments, c, png):
    k, modes = c["k[h/Mpc]"], c["modes"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"wspace": 0.3})
    for t, title, marker in (("s", "redshift space", "o"), ("r", "real space", "s")):
        for ell, colour in zip((0, 2, 4), ("C0", "C1", "C2")):
            p = c[f"P{ell}_{t}"]
            err = k * np.abs(c[f"P0_{t}"]) * np.sqrt((2 * ell + 1) / np.maximum(modes, 1))
            left.errorbar(k, k * p, yerr=err, fmt=marker, ms=3, color=colour, mfc=colour if t == "s" else "none",
                          label=rf"$\ell = {ell}$, {title}")
        with np.errstate(divide="ignore", invalid="ignore"):
            right.semilogx(k, c[f"P2_{t}"] / c[f"P0_{t}"], marker, ms=3, mfc="C0" if t == "s" else "none", color="C0",
                           label=title)
    left.axhline(0, color="k", lw=0.5)
    left.set_xscale("log")
    left.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    left.set_ylabel(r"$k\,P_\ell(k)\ [(h^{-1}\mathrm{Mpc})^2]$")
    left.set_title("lightcone galaxies, local line of sight (window not removed)", fontsize=9)
    left.legend(fontsize=8)
    right.axhline(0, color="k", lw=0.5)
    right.set_ylim(-0.5, 1.2)
    right.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    right.set_ylabel(r"$P_2/P_0$")
    right.legend(fontsize=8)
    fig.suptitle("\n".join(comments[:2]), fontsize=7, y=1.06)
    save(fig, png)


def plot_lightcone(plt, comments, c, png):
    ra, dec, z = c["RA[deg]"], c["DEC[deg]"], c["z_obs"]
    mass = c["mass[Msun/h]"]
    crowd = max(1.0, len(mass) / 3000.0)  # smaller points for many haloes
    size = (0.3 + 20.0 * (mass / max(float(mass.max()), 1.0)) ** 0.5) / crowd if len(mass) else 1.0
    fig = plt.figure(figsize=(14, 5))
    sky = fig.add_subplot(1, 2, 1, projection="mollweide")
    lon = np.radians(np.where(ra > 180.0, ra - 360.0, ra))
    points = sky.scatter(-lon, np.radians(dec), s=size, c=z, cmap="viridis", lw=0)
    sky.set_xticklabels([])
    sky.grid(True, lw=0.3)
    sky.set_title("haloes on the sky (RA increasing to the left), colour: z_obs", fontsize=9)
    fig.colorbar(points, ax=sky, orientation="horizontal", fraction=0.05, pad=0.05, label="z_obs")
    wedge = fig.add_subplot(1, 2, 2, projection="polar")
    slab = np.abs(dec) < 3.0
    wedge.scatter(np.radians(ra[slab]), c["chi[Mpc/h]"][slab], s=(size[slab] if np.ndim(size) else size) * 3, c="k", lw=0)
    wedge.set_title("haloes with |Dec| < 3 deg: comoving distance [Mpc/h] against RA", fontsize=9, pad=18)
    fig.suptitle("\n".join(comments[:2]), fontsize=8, y=1.08)
    save(fig, png)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("mass_function", "hod", "bias", "multipoles", "lightcone",
                                         "lightcone_multipoles"):
        raise SystemExit(__doc__)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    comments, columns = read_table(argv[2])
    {"mass_function": plot_mass_function, "hod": plot_hod, "bias": plot_bias, "multipoles": plot_multipoles,
     "lightcone": plot_lightcone, "lightcone_multipoles": plot_lightcone_multipoles}[argv[1]](
        plt, comments, columns, argv[3])


if __name__ == "__main__":
    main(sys.argv)
