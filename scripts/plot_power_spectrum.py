#!/usr/bin/python3
"""Plot a lagframe-run P(k) table (pk_z<z>.txt) against linear theory, with a ratio panel.

Usage: plot_power_spectrum.py TABLE.txt OUTPUT.png

The table's columns are k, P, P_lin, modes and, when the shot noise was kept, P_shot; its
header comment lines "redshift = ...", "particles_1d = ..." and "box_side_mpc_h = ..." give
the title and the particle Nyquist wavenumber k_Ny = pi N_p / L, marked on both panels. The
shaded band is the cosmic variance of the measurement, sigma_P / P = 1 / sqrt(modes) ("modes"
counts independent modes, k and -k once: this is sqrt(2 / N_k) with N_k the wavevectors in the
bin). With a P_shot column its level is drawn and P - P_shot shown as well. Older tables
without these header lines are plotted without them. Uses Debian's python3-numpy and
python3-matplotlib (exit status 3 without them); writes OUTPUT.png atomically (OUTPUT.png.tmp,
then renamed; removed if interrupted).
"""
import math
import os
import signal
import sys


def header_values(table):
    """The "name = value" comment lines of the table's header, and its column names."""
    values, columns = {}, []
    with open(table) as f:
        for line in f:
            if not line.startswith("#"):
                break
            text = line[1:].strip()
            if "=" in text and "," not in text.split("=")[0]:
                name, value = text.split("=", 1)
                values[name.strip()] = value.strip().split(" ")[0]
            columns = text.split()
    return values, columns


def main(table, output):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError:
        sys.exit(3)

    values, columns = header_values(table)
    data = np.atleast_2d(np.loadtxt(table))
    k, p, p_lin = data[:, 0], data[:, 1], data[:, 2]
    modes = data[:, 3] if data.shape[1] > 3 else None
    shot = None
    if any(c.startswith("P_shot") for c in columns) and data.shape[1] > 4:
        shot = data[:, 4]

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 6.4), gridspec_kw={"height_ratios": [3, 1.3]})
    if modes is not None:
        sigma = 1.0 / np.sqrt(np.maximum(modes, 1.0))
        top.fill_between(k, p * (1 - sigma), p * (1 + sigma), color="C0", alpha=0.25, lw=0,
                         label=r"cosmic variance $\sigma_P/P = (2/N_k)^{1/2}$")
        bottom.fill_between(k, (p / p_lin) * (1 - sigma), (p / p_lin) * (1 + sigma), color="C0", alpha=0.25, lw=0)
    top.loglog(k, p, color="C0", lw=1.5, label="lagframe" + (" (with shot noise)" if shot is not None else ""))
    top.loglog(k, p_lin, "--", color="k", lw=1.0, label="linear theory")
    if shot is not None:
        top.loglog(k, p - shot, color="C2", lw=1.0, alpha=0.8, label=r"$P - P_\mathrm{shot}$")
        top.loglog(k, shot, ":", color="grey", lw=1.0, label=r"shot noise $P_\mathrm{shot}$")
        bottom.semilogx(k, (p - shot) / p_lin, color="C2", lw=1.0, alpha=0.8)
    bottom.semilogx(k, p / p_lin, color="C0", lw=1.5)
    bottom.axhline(1.0, color="grey", lw=0.8)
    if "particles_1d" in values and "box_side_mpc_h" in values:
        k_ny = math.pi * float(values["particles_1d"]) / float(values["box_side_mpc_h"])
        for ax in (top, bottom):
            ax.axvline(k_ny, color="C3", lw=0.8, ls="-.")
        top.text(k_ny, 0.97, r" $k_\mathrm{Ny} = \pi N_p / L$", color="C3", fontsize=8, va="top", ha="left",
                 transform=top.get_xaxis_transform())
    positive = p[p > 0]
    if positive.size:
        top.set_ylim(0.5 * min(positive.min(), p_lin.min()), 2.0 * max(positive.max(), p_lin.max()))
    ratio = p / p_lin
    finite = ratio[np.isfinite(ratio) & (ratio > 0)]
    if finite.size:
        lo, hi = min(0.8, finite.min() * 0.9), max(1.2, finite.max() * 1.1)
        if hi / lo > 4.0:
            from matplotlib import ticker

            bottom.set_yscale("log")  # non-linear growth: decades of P/P_lin
            bottom.yaxis.set_major_locator(ticker.LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
            bottom.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: "%g" % v))
            bottom.yaxis.set_minor_formatter(ticker.NullFormatter())
        bottom.set_ylim(lo, hi)
    top.set_ylabel(r"$P(k)\ [(h^{-1}\mathrm{Mpc})^3]$")
    top.legend(fontsize=8, loc="lower left")
    if "redshift" in values:
        top.set_title("z = %g" % float(values["redshift"]))
    bottom.set_xlabel(r"$k\ [h\,\mathrm{Mpc}^{-1}]$")
    bottom.set_ylabel(r"$P/P_\mathrm{lin}$")
    fig.tight_layout()
    tmp = output + ".tmp"
    try:
        fig.savefig(tmp, dpi=120, format="png")
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    # SIGTERM ends the script through the finally above (no temporary is left).
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))
    try:
        main(sys.argv[1], sys.argv[2])
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
