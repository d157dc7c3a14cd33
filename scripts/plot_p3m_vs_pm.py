#!/usr/bin/python3
"""Plot the output of examples/p3m_vs_pm: both power spectra, their ratio and the zooms.

Usage: plot_p3m_vs_pm.py FOLDER X Y Z WIDTH THICKNESS
FOLDER holds p3m_vs_pm_pk.txt, zoom_pm.npy and zoom_p3m.npy; (X, Y, Z) is the zoom centre,
WIDTH and THICKNESS the zoom's side and slab depth (Mpc/h). Writes FOLDER/p3m_vs_pm.png
atomically. Needs Debian's python3-numpy and python3-matplotlib.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BOX_MPC_H = 128.0
PARTICLES_1D = 64


def main(folder, cx, cy, cz, width, thickness):
    data = np.loadtxt(os.path.join(folder, "p3m_vs_pm_pk.txt"))
    k, p_pm, p_p3m, p_lin, ratio = data[:, 0], data[:, 1], data[:, 2], data[:, 3], data[:, 4]
    k_nyquist = np.pi * PARTICLES_1D / BOX_MPC_H
    zooms = [np.load(os.path.join(folder, name)) for name in ("zoom_pm.npy", "zoom_p3m.npy")]

    fig = plt.figure(figsize=(11, 10))
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.15], hspace=0.28, wspace=0.3)
    spectra = grid[0, 0].subgridspec(2, 1, height_ratios=[3, 1.3], hspace=0.05)
    top = fig.add_subplot(spectra[0])
    bottom = fig.add_subplot(spectra[1], sharex=top)
    top.loglog(k, p_pm, label="tCOLA + PM (CIC, 20 steps)")
    top.loglog(k, p_p3m, label="tCOLA + P3M (TSC)")
    top.loglog(k, p_lin, "--", color="grey", label="linear theory")
    for ax in (top, bottom):
        ax.axvline(k_nyquist, color="k", lw=0.6, ls=":")
    top.text(k_nyquist * 1.05, p_lin[-1] * 3, r"$k_\mathrm{Ny}$ of the particles", fontsize=8)
    top.set_ylabel(r"$P(k)\ [(h^{-1}\mathrm{Mpc})^3]$")
    top.set_title("z = 0", fontsize=11)
    top.legend(fontsize=8)
    plt.setp(top.get_xticklabels(), visible=False)
    bottom.semilogx(k, ratio)
    bottom.axhline(1.0, color="grey", lw=0.8)
    bottom.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    bottom.set_ylabel(r"$P_\mathrm{PM}/P_\mathrm{P3M}$")

    text = fig.add_subplot(grid[0, 1])
    text.axis("off")
    text.text(0.0, 0.9, "Same initial conditions (64³ particles, 128 Mpc/h,\nz = 49), tCOLA frame, 128³ mesh.\n\n"
              "Below: the largest halo (densest point of the P3M run),\n"
              f"centre ({cx:.1f}, {cy:.1f}, {cz:.1f}) Mpc/h, a {width:g} Mpc/h square,\n"
              f"projected through a slab {thickness:g} Mpc/h thick.", fontsize=10, va="top")

    log_images = [np.log10(np.maximum(z, 1e-2)) for z in zooms]
    vmin, vmax = -1.0, max(float(np.max(img)) for img in log_images)
    extent = [cx - width / 2, cx + width / 2, cy - width / 2, cy + width / 2]
    axes = []
    for column, (title, img) in enumerate(zip(("PM", "P3M"), log_images)):
        ax = fig.add_subplot(grid[1, column])
        # Rows of the image run along x: transpose so that x is horizontal.
        shown = ax.imshow(img.T, origin="lower", extent=extent, vmin=vmin, vmax=vmax, cmap="magma")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(r"$x\ [h^{-1}\mathrm{Mpc}]$")
        ax.set_ylabel(r"$y\ [h^{-1}\mathrm{Mpc}]$")
        axes.append(ax)
    bar = fig.colorbar(shown, ax=axes, orientation="horizontal", fraction=0.05, pad=0.12)
    bar.set_label(r"$\log_{10}(1 + \delta)$, projected")
    tmp = os.path.join(folder, "p3m_vs_pm.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, os.path.join(folder, "p3m_vs_pm.png"))


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(sys.argv[1], *map(float, sys.argv[2:]))
