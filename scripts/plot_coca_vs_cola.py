#!/usr/bin/python3
"""Plot the coca_vs_cola table: P/P_ref - 1 and 1 - r(k) for tCOLA and tCOCA at each n_f.

Columns are named P/P_ref_<method>_nf<N> and 1-r_<method>_nf<N> (method: tCOLA, tCOLA-int,
tCOCA, tCOCA-net, perfect).

Usage: plot_coca_vs_cola.py TABLE.txt OUTPUT.png
Uses Debian's python3-numpy and python3-matplotlib; writes OUTPUT.png atomically.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(table, output):
    names = None
    with open(table) as f:
        for line in f:
            if line.startswith("#") and "k[h/Mpc]" in line:
                names = line[1:].split()
    data = np.loadtxt(table)
    k = data[:, 0]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 7))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    # One colour per n_f, one line style per method (label "<method>_nf<N>").
    styles = {"tCOLA": "--", "tCOLA-int": ":", "tCOCA": "-", "tCOCA-net": "-.", "perfect": "-"}
    counts = []
    for col in range(1, data.shape[1], 2):
        label = names[col][len("P/P_ref_"):] if names else str(col)
        method, _, n_f = label.rpartition("_nf")
        if n_f not in counts:
            counts.append(n_f)
        colour = "black" if method == "perfect" else colours[counts.index(n_f) % len(colours)]
        style = styles.get(method, "-")
        if method == "perfect" and n_f != "0":
            style = ":"  # the perfect emulator with forces
        width = 0.6 if method == "perfect" else 1.2
        top.semilogx(k, data[:, col] - 1.0, style, color=colour, lw=width, label=label)
        bottom.loglog(k, np.maximum(data[:, col + 1], 1e-7), style, color=colour, lw=width)
    top.axhline(0.0, color="grey", lw=0.5)
    top.set_ylabel(r"$P/P_\mathrm{ref} - 1$")
    top.set_ylim(-0.5, 0.2)
    top.legend(fontsize=6, ncol=3)
    bottom.set_ylabel(r"$1 - r(k)$")
    bottom.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    top.set_title("tCOLA (dashed, dotted: interior placement), tCOCA (solid, dash-dot: network)\n"
                  "perfect emulator in black (dotted: with forces); against PM with 100 steps; "
                  "colour: force evaluations", fontsize=9)
    fig.tight_layout()
    tmp = output + ".tmp.png"
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, output)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
