#!/usr/bin/python3
"""Plot the output of examples/sheet_vs_particles: density slices of the three runs at z = 1 and
the P(k) ratios of the N^3 runs to the (2N)^3 run at z = 3 and z = 1.

Usage: plot_sheet_vs_particles.py FOLDER [N]   (N³ coarse particles in N Mpc/h; default 64)
Reads FOLDER/sheet_vs_particles_pk.txt and FOLDER/slices_z1.npy; writes
FOLDER/sheet_vs_particles.png atomically. Needs Debian's python3-numpy and python3-matplotlib.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

def main(folder, n):
    box = float(n)
    slab = (0.375 * box, 0.625 * box)
    table = os.path.join(folder, "sheet_vs_particles_pk.txt")
    with open(table) as f:
        names = None
        for line in f:
            if line.startswith("#") and "k[h/Mpc]" in line:
                names = line[1:].split()
    data = np.loadtxt(table)
    col = {n: data[:, i] for i, n in enumerate(names)} if names else {}
    k = data[:, 0]
    slices = np.load(os.path.join(folder, "slices_z1.npy"))

    fig = plt.figure(figsize=(13, 8.5))
    grid = fig.add_gridspec(2, 3, height_ratios=[1.1, 1], hspace=0.3, wspace=0.25)
    titles = [f"{2 * n}³ particles", f"{n}³ particles", f"{n}³ sheet (n = 2)"]
    logs = [np.log10(np.maximum(s, 1e-2)) for s in slices]
    vmin, vmax = -1.0, max(float(np.percentile(l, 99.9)) for l in logs)
    axes = []
    for i in range(3):
        ax = fig.add_subplot(grid[0, i])
        shown = ax.imshow(logs[i].T, origin="lower", extent=[0, box, 0, box], vmin=vmin, vmax=vmax,
                          cmap="magma")
        ax.set_title(f"{titles[i]}, z = 1", fontsize=10)
        ax.set_xlabel(r"$x\ [h^{-1}\mathrm{Mpc}]$")
        ax.set_ylabel(r"$y\ [h^{-1}\mathrm{Mpc}]$")
        axes.append(ax)
    bar = fig.colorbar(shown, ax=axes, fraction=0.03, pad=0.02)
    bar.set_label(r"$\log_{10}(1 + \delta)$, slab %g < z < %g Mpc/h" % slab)

    for column, z in enumerate(("z3", "z1")):
        ax = fig.add_subplot(grid[1, column])
        ax.axhspan(0.98, 1.02, color="grey", alpha=0.2, label="±2 %")
        ax.semilogx(k, col.get("particles/128_" + z, data[:, 4 + 5 * column]), label=f"{n}³ particles")
        ax.semilogx(k, col.get("sheet/128_" + z, data[:, 5 + 5 * column]), label=f"{n}³ sheet")
        ax.axhline(1.0, color="k", lw=0.6)
        k_c = 0.5 * np.pi
        ax.axvline(k_c, color="k", ls=":", lw=0.8)
        ax.axvline(2 * k_c, color="k", ls="--", lw=0.8)
        ax.text(k_c * 1.03, 0.6, r"$k_c$", fontsize=9)
        ax.text(2 * k_c * 1.03, 0.6, r"$2k_c$", fontsize=9)
        ax.set_ylim(0.5, 1.5)
        ax.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
        ax.set_ylabel(r"$P/P_{%d^3}$" % (2 * n))
        ax.set_title("z = 3" if z == "z3" else "z = 1", fontsize=10)
        ax.legend(fontsize=8)
    note = fig.add_subplot(grid[1, 2])
    note.axis("off")
    note.text(0.0, 0.9, f"Truncated spectrum: EH × exp[−(k/k_c)⁸],\nk_c = half the Nyquist frequency of {n}³ particles\n"
              f"in {n} Mpc/h. tCOLA, 40 steps, TSC {2 * n}³ mesh.\nSame Gaussian field in all runs.\n\n"
              "P(k) of every run from its resampled sheet;\nthe slices of the particle runs from their particles.",
              fontsize=9, va="top")
    tmp = os.path.join(folder, "sheet_vs_particles.tmp.png")
    fig.savefig(tmp, dpi=100, bbox_inches="tight")
    os.replace(tmp, os.path.join(folder, "sheet_vs_particles.png"))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 64)
