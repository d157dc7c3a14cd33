#!/usr/bin/python3
"""Plot (or check) the output of examples/mock_catalogue.

Usage: plot_mock_catalogue.py FOLDER [--check]

FOLDER holds mass_function.txt, bias.txt, multipoles.txt, hod.txt, halos.txt,
slice_density.npy and slice_galaxies.txt (and, when the example was built with HDF5,
fof_subhalo_tab_000.hdf5 and galaxies.hdf5). Writes, each atomically (a temporary name
renamed when complete): mass_function.png, bias.png, multipoles.png, hod.png, slice.png.

With --check nothing is plotted: the tables must exist, be non-empty and finite, the five
figures must exist, and the HDF5 catalogues (if present, read with h5py when installed) must
agree with the text tables. Exit status 1 with a message on the first problem.
Needs Debian's python3-numpy and python3-matplotlib (python3-h5py for the HDF5 check).
"""
import os
import sys

import numpy as np

TABLES = ("mass_function.txt", "bias.txt", "multipoles.txt", "hod.txt", "halos.txt", "slice_galaxies.txt")
FIGURES = ("mass_function.png", "bias.png", "multipoles.png", "hod.png", "slice.png")


def header_comments(path):
    with open(path) as f:
        return [line[1:].strip() for line in f if line.startswith("#")]


def load(folder, name):
    data = np.loadtxt(os.path.join(folder, name), ndmin=2)
    return data


def save(fig, folder, name):
    tmp = os.path.join(folder, name[:-4] + ".tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, os.path.join(folder, name))


def plot_mass_function(folder, plt):
    d = load(folder, "mass_function.txt")
    mlo, mhi, mc, npart, n_fof, fof, e_fof, n_so, so, e_so, st, t08 = (d[:, i] for i in range(12))
    comments = header_comments(os.path.join(folder, "mass_function.txt"))
    mp = float(comments[0].split("particle mass")[1].split()[0])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    keep = n_fof > 0
    top.errorbar(mc[keep], fof[keep], yerr=e_fof[keep], fmt="o", ms=4, label="FoF ($b = 0.2$)")
    keep_so = n_so > 0
    top.errorbar(mc[keep_so] * 1.03, so[keep_so], yerr=e_so[keep_so], fmt="s", ms=4, mfc="none",
                 label=r"$M_\mathrm{200m}$ (SO about the potential minimum)")
    mm = np.geomspace(mlo[0], mhi[-1], 200)
    top.loglog(mc, t08, "-", color="k", label="Tinker et al. 2008 ($\\Delta = 200$m)")
    top.loglog(mc, st, "--", color="grey", label="Sheth & Tormen 1999")
    for ax in (top, bottom):
        ax.axvline(100 * mp, color="tab:red", lw=0.8, ls=":")
    top.text(100 * mp * 1.05, top.get_ylim()[0] * 3 if top.get_ylim()[0] > 0 else 1e-7, "100 particles",
             color="tab:red", fontsize=8)
    top.set_ylabel(r"$dn/d\ln M\ [h^3\,\mathrm{Mpc}^{-3}]$")
    top.set_title(comments[0].split(";")[0].replace("mock_catalogue: ", ""), fontsize=9)
    top.legend(fontsize=8)
    with np.errstate(divide="ignore", invalid="ignore"):
        bottom.errorbar(mc[keep], fof[keep] / t08[keep], yerr=e_fof[keep] / t08[keep], fmt="o", ms=4)
        bottom.errorbar(mc[keep_so] * 1.03, so[keep_so] / t08[keep_so], yerr=e_so[keep_so] / t08[keep_so], fmt="s",
                        ms=4, mfc="none")
        bottom.plot(mc, st / t08, "--", color="grey")
    bottom.axhline(1.0, color="k", lw=0.8)
    bottom.axhspan(0.85, 1.15, color="k", alpha=0.08, label="±15 %")
    bottom.set_ylim(0.4, 1.6)
    bottom.set_xscale("log")
    bottom.set_xlabel(r"$M\ [h^{-1}M_\odot]$")
    bottom.set_ylabel("ratio to Tinker 08")
    bottom.legend(fontsize=8, loc="lower right")
    save(fig, folder, "mass_function.png")
    plt.close(fig)


def plot_bias(folder, plt):
    d = load(folder, "bias.txt")
    k, pmm, plin, phh, phm, bh, pgg, pgm, bg = (d[:, i] for i in range(9))
    comments = header_comments(os.path.join(folder, "bias.txt"))
    shot = {}
    for part in comments[1].split("1/n:")[1].split(","):
        name, value = part.split()[0], part.split()[1]
        shot[name] = float(value)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    left.loglog(k, pmm, label=r"matter $P_\mathrm{mm}$")
    left.loglog(k, plin, "--", color="grey", label="linear theory")
    left.loglog(k, np.where(phh > 0, phh, np.nan), label=r"haloes $P_\mathrm{hh}$ (shot noise subtracted)")
    left.loglog(k, np.where(pgg > 0, pgg, np.nan), label=r"galaxies $P_\mathrm{gg}$ (shot noise subtracted)")
    left.axhline(shot["haloes"], color="C2", ls=":", lw=0.9, label=r"$1/\bar n$ haloes")
    left.axhline(shot["galaxies"], color="C3", ls=":", lw=0.9, label=r"$1/\bar n$ galaxies")
    left.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    left.set_ylabel(r"$P(k)\ [(h^{-1}\mathrm{Mpc})^3]$")
    left.set_title("real space, z = 0", fontsize=10)
    left.legend(fontsize=8)
    right.semilogx(k, bh, "o-", ms=3, color="C2", label=r"haloes $b = P_\mathrm{hm}/P_\mathrm{mm}$")
    right.semilogx(k, bg, "s-", ms=3, color="C3", label=r"galaxies $b = P_\mathrm{gm}/P_\mathrm{mm}$")
    large = k < 0.1
    modes = d[:, 9]
    for b, colour, name in ((bh, "C2", "haloes"), (bg, "C3", "galaxies")):
        mean = np.sum(b[large] * modes[large]) / np.sum(modes[large])
        right.axhline(mean, color=colour, lw=0.7, ls="--", label=f"{name}: {mean:.2f} ($k < 0.1$, mode-weighted)")
    right.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    right.set_ylabel(r"$b(k)$")
    right.set_title("scale-dependent bias", fontsize=10)
    right.legend(fontsize=8)
    save(fig, folder, "bias.png")
    plt.close(fig)


def plot_multipoles(folder, plt):
    d = load(folder, "multipoles.txt")
    k = d[:, 0]
    m = d[:, 1:4]
    km = d[:, 4:7]
    g = d[:, 7:10]
    kg = d[:, 10:13]
    modes = d[:, 13]
    comments = header_comments(os.path.join(folder, "multipoles.txt"))
    f = float(comments[0].split("f = ")[1].split(",")[0])
    b = float(comments[0].split("b = ")[1].split()[0])
    bias_comments = header_comments(os.path.join(folder, "bias.txt"))
    galaxy_shot = float(bias_comments[1].split("galaxies ")[1].split(",")[0])
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), gridspec_kw={"wspace": 0.3})
    for ax, data, theory, shot, title in ((axes[0], m, km, 0.0, "matter"),
                                          (axes[1], g, kg, galaxy_shot, f"HOD galaxies ($b = {b:.2f}$)")):
        for ell, colour in zip((0, 2, 4), ("C0", "C1", "C2")):
            # Gaussian error of one multipole, dominated by the monopole and the shot noise.
            err = k * (np.abs(data[:, 0]) + shot) * np.sqrt((2 * ell + 1) / np.maximum(modes, 1))
            ax.errorbar(k, k * data[:, ell // 2], yerr=err, fmt="o", ms=3, color=colour, label=rf"$\ell = {ell}$")
            ax.plot(k, k * theory[:, ell // 2], "-", color=colour, lw=1)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xscale("log")
        ax.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
        ax.set_ylabel(r"$k\,P_\ell(k)\ [(h^{-1}\mathrm{Mpc})^2]$")
        ax.set_title(f"{title}, redshift space (mean of 3 lines of sight)\nlines: Kaiser (1987) with linear $P(k)$",
                     fontsize=9)
        ax.legend(fontsize=8)
    ratio_m = (4 * f / 3 + 4 * f * f / 7) / (1 + 2 * f / 3 + f * f / 5)
    beta = f / b
    ratio_g = (4 * beta / 3 + 4 * beta * beta / 7) / (1 + 2 * beta / 3 + beta * beta / 5)
    with np.errstate(divide="ignore", invalid="ignore"):
        axes[2].semilogx(k, m[:, 1] / m[:, 0], "o", ms=3, label="matter")
        axes[2].semilogx(k, g[:, 1] / g[:, 0], "s", ms=3, label="galaxies")
    axes[2].axhline(ratio_m, color="C0", lw=1, label=f"Kaiser, f = {f:.3f}")
    axes[2].axhline(ratio_g, color="C1", lw=1, label=rf"Kaiser, $\beta = f/b = {beta:.3f}$")
    axes[2].axhspan(0.95 * ratio_m, 1.05 * ratio_m, color="C0", alpha=0.1)
    axes[2].axvline(0.08, color="k", lw=0.6, ls=":")
    axes[2].set_ylim(-0.5, 1.2)
    axes[2].set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    axes[2].set_ylabel(r"$P_2/P_0$")
    axes[2].set_title("quadrupole to monopole (band: ±5 %)", fontsize=9)
    axes[2].legend(fontsize=8)
    save(fig, folder, "multipoles.png")
    plt.close(fig)


def plot_hod(folder, plt):
    d = load(folder, "hod.txt")
    m, halos, cen, cen_model, ecen, sat, sat_model, esat = (d[:, i] for i in range(8))
    keep = halos > 0
    params = header_comments(os.path.join(folder, "hod.txt"))[1]
    value = {key: float(params.split(key + " ")[1].split(",")[0]) for key in ("log Mmin", "sigma", "log M0", "log M1", "alpha")}
    from math import erf
    mm = np.geomspace(m[0] / 1.6, m[-1] * 1.6, 400)
    ncen = 0.5 * (1 + np.vectorize(erf)((np.log10(mm) - value["log Mmin"]) / value["sigma"]))
    m0, m1 = 10 ** value["log M0"], 10 ** value["log M1"]
    nsat = np.where(mm > m0, np.clip(mm - m0, 0, None) / m1, 0.0) ** value["alpha"] * (mm > m0)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.errorbar(m[keep], cen[keep], yerr=ecen[keep], fmt="o", ms=4, color="C0", label=r"centrals $\langle N_c\rangle$")
    ax.errorbar(m[keep], sat[keep], yerr=esat[keep], fmt="s", ms=4, color="C1", label=r"satellites $\langle N_s\rangle$")
    ax.plot(mm, ncen, "-", color="C0", lw=1, label="Zheng et al. 2007 model")
    ax.plot(mm, np.where(nsat > 0, nsat, np.nan), "-", color="C1", lw=1)
    ax.plot(m[keep], cen_model[keep], "+", color="k", ms=7, label="model averaged over the bin's haloes")
    ax.plot(m[keep], np.where(sat_model[keep] > 0, sat_model[keep], np.nan), "+", color="k", ms=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, None)
    ax.set_xlabel(r"$M_\mathrm{FoF}\ [h^{-1}M_\odot]$ (the HOD mass)")
    ax.set_ylabel(r"$\langle N \rangle$ per halo")
    ax.set_title(header_comments(os.path.join(folder, "hod.txt"))[1], fontsize=8)
    ax.legend(fontsize=8)
    save(fig, folder, "hod.png")
    plt.close(fig)


def plot_slice(folder, plt):
    image = np.load(os.path.join(folder, "slice_density.npy"))
    g = load(folder, "slice_galaxies.txt")
    comment = header_comments(os.path.join(folder, "slice_galaxies.txt"))[0]
    side = float(comment.split("box ")[1].split()[0])
    slab = float(comment.split("z < ")[1].split()[0])
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    for ax, column, title in ((axes[0], 1, "real space"), (axes[1], 2, "redshift space (line of sight: y)")):
        shown = ax.imshow(np.log10(np.maximum(image.T, 1e-2)), origin="lower", extent=[0, side, 0, side], cmap="Greys",
                          vmin=-1, vmax=2.5)
        cen = g[:, 3] > 0.5
        ax.scatter(g[cen, 0], g[cen, column], s=6, c="tab:red", lw=0, label="centrals")
        ax.scatter(g[~cen, 0], g[~cen, column], s=4, c="tab:blue", lw=0, label="satellites")
        ax.set_xlabel(r"$x\ [h^{-1}\mathrm{Mpc}]$")
        ax.set_ylabel(r"$y\ [h^{-1}\mathrm{Mpc}]$")
        ax.set_title(f"{title}; slab $0 \\leq z < {slab:g}\\ h^{{-1}}$Mpc", fontsize=10)
        ax.legend(fontsize=8, loc="upper right", markerscale=2)
    bar = fig.colorbar(shown, ax=list(axes), fraction=0.025, pad=0.02)
    bar.set_label(r"$\log_{10}(1 + \delta)$ of the matter, projected")
    save(fig, folder, "slice.png")
    plt.close(fig)


def check(folder):
    problems = []
    for name in TABLES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            problems.append(f"{name} is missing or empty")
            continue
        data = load(folder, name)
        if data.size == 0 or not np.all(np.isfinite(data)):
            problems.append(f"{name} has no rows or non-finite values")
    for name in FIGURES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or os.path.getsize(path) < 1000:
            problems.append(f"{name} is missing")
    if os.path.isfile(os.path.join(folder, "slice_density.npy")):
        image = np.load(os.path.join(folder, "slice_density.npy"))
        if abs(float(np.mean(image)) - 1.0) > 1e-6:
            problems.append("slice_density.npy does not have mean 1")
    leftovers = [n for n in os.listdir(folder) if ".tmp" in n]
    if leftovers:
        problems.append(f"temporary files left: {leftovers}")
    halos = load(folder, "halos.txt") if os.path.isfile(os.path.join(folder, "halos.txt")) else None
    tab = os.path.join(folder, "fof_subhalo_tab_000.hdf5")
    if os.path.isfile(tab) and halos is not None:
        try:
            import h5py
        except ImportError:
            h5py = None
        if h5py is not None:
            with h5py.File(tab, "r") as f:
                h = f["Header"].attrs
                if int(h["Ngroups_Total"]) != halos.shape[0]:
                    problems.append("Ngroups_Total differs from the rows of halos.txt")
                length = f["Group/GroupLen"][:]
                offset = f["Group/GroupOffsetType"][:, 1]
                if int(length.sum()) != int(h["Nids_Total"]) or f["IDs/ID"].shape[0] != int(h["Nids_Total"]):
                    problems.append("GroupLen does not sum to Nids_Total")
                if not np.array_equal(offset, np.concatenate([[0], np.cumsum(length)[:-1]])):
                    problems.append("GroupOffsetType[:, 1] is not the running sum of GroupLen")
                if not np.array_equal(length, halos[:, 1].astype(length.dtype)):
                    problems.append("GroupLen differs from halos.txt")
                mass = f["Group/GroupMass"][:] * 1e10
                if not np.allclose(mass, halos[:, 2], rtol=1e-5):
                    problems.append("GroupMass differs from halos.txt")
            with h5py.File(os.path.join(folder, "galaxies.hdf5"), "r") as f:
                n = int(f["Header"].attrs["NumGalaxies"])
                if f["Galaxies/Position"].shape != (n, 3) or f["Galaxies/RedshiftSpacePosition"].shape != (n, 3):
                    problems.append("galaxies.hdf5: dataset shapes differ from NumGalaxies")
    if problems:
        sys.exit("plot_mock_catalogue --check: " + "; ".join(problems))
    print(f"plot_mock_catalogue --check: {folder} is complete")


def main(folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plot_mass_function(folder, plt)
    plot_bias(folder, plt)
    plot_multipoles(folder, plt)
    plot_hod(folder, plt)
    plot_slice(folder, plt)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[2] == "--check":
        check(sys.argv[1])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit(__doc__)
