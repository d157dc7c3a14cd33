#!/usr/bin/python3
"""Plot a lagframe P(k) table (k, P, P_lin, ...) with the linear prediction and a ratio panel.

Usage: plot_power_spectrum.py TABLE.txt OUTPUT.png
Uses Debian's python3-numpy and python3-matplotlib; writes OUTPUT.png atomically.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(table, output):
    title = ""
    with open(table) as f:
        for line in f:
            if line.startswith("#") and "z =" in line:
                title = line[1:].strip()
                break
    data = np.loadtxt(table)
    k, p, p_lin = data[:, 0], data[:, 1], data[:, 2]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 6), gridspec_kw={"height_ratios": [3, 1]})
    top.loglog(k, p, label="lagframe")
    top.loglog(k, p_lin, "--", label="linear theory")
    top.set_ylabel(r"$P(k)\ [(h^{-1}\mathrm{Mpc})^3]$")
    top.legend()
    top.set_title(title, fontsize=9)
    bottom.semilogx(k, p / p_lin)
    bottom.axhline(1.0, color="grey", lw=0.8)
    bottom.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    bottom.set_ylabel(r"$P/P_\mathrm{lin}$")
    fig.tight_layout()
    tmp = output + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, output)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
