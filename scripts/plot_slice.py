#!/usr/bin/python3
"""Draw a lagframe-run density slice (slice_z<z>.npy): the projected overdensity 1 + delta of a slab.

Usage: plot_slice.py SLICE.npy OUTPUT.png [--side L] [--thickness T] [--redshift Z]
                     [--spacing D] [--smooth S]

SLICE.npy holds 1 + delta on pixels x pixels (row i: x, column j: y), as lagframe-run writes
it. --side is the box side L in Mpc/h (axes), --thickness the slab thickness in Mpc/h and
--redshift the redshift (title). The image is smoothed with a Gaussian of S Mpc/h (periodic;
default: 0.75 of the mean particle spacing D when it is given, which hides the particle
lattice left in voids), so that a slab with less than a particle per pixel shows its
structure rather than its particles. The colour is
log10(1 + delta). Uses Debian's python3-numpy and python3-matplotlib (exit status 3 without
them); writes OUTPUT.png atomically (OUTPUT.png.tmp, then renamed; removed if interrupted).
"""
import argparse
import os
import signal
import sys


def smoothed(image, side, sigma):
    """Periodic Gaussian smoothing of width sigma (same length unit as side), mass-conserving."""
    import numpy as np

    n = image.shape[0]
    k = 2.0 * np.pi * np.fft.fftfreq(n, d=side / n)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    window = np.exp(-0.5 * (kx * kx + ky * ky) * sigma * sigma)
    return np.fft.ifft2(np.fft.fft2(image) * window).real


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("slice")
    parser.add_argument("output")
    parser.add_argument("--side", type=float, default=None, help="box side in Mpc/h (default: pixel units)")
    parser.add_argument("--thickness", type=float, default=None, help="slab thickness in Mpc/h")
    parser.add_argument("--redshift", type=float, default=None)
    parser.add_argument("--spacing", type=float, default=None, help="mean particle spacing L/N_p in Mpc/h")
    parser.add_argument("--smooth", type=float, default=None, help="Gaussian smoothing in Mpc/h (0: none)")
    args = parser.parse_args()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError:
        sys.exit(3)

    image = np.load(args.slice).astype(np.float64)
    n = image.shape[0]
    side = args.side if args.side else float(n)
    unit = r"$h^{-1}\,\mathrm{Mpc}$" if args.side else "pixels"
    sigma = args.smooth if args.smooth is not None else (0.75 * args.spacing if args.spacing else 0.0)
    if sigma > 0:
        image = smoothed(image, side, sigma)
    # log10(1 + delta) with a floor well below the mean (empty pixels), the range from the image.
    log_rho = np.log10(np.maximum(image, 1e-3))
    lo = max(np.percentile(log_rho, 1), -1.5)
    hi = max(np.percentile(log_rho, 99.9), lo + 1.0)

    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    shown = ax.imshow(log_rho.T, origin="lower", extent=[0, side, 0, side], cmap="magma", vmin=lo, vmax=hi,
                      interpolation="nearest")
    bar = fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.03)
    bar.set_label(r"$\log_{10}(1 + \delta)$")
    ax.set_xlabel(r"$x$ [" + unit + "]")
    ax.set_ylabel(r"$y$ [" + unit + "]")
    title = []
    if args.redshift is not None:
        title.append("z = %g" % args.redshift)
    if args.thickness is not None:
        title.append(r"slab $0 \leq z_\mathrm{com} < %g\ h^{-1}\mathrm{Mpc}$" % args.thickness)
    if sigma > 0:
        title.append(r"smoothed %.2g $h^{-1}$Mpc" % sigma)
    ax.set_title(",  ".join(title), fontsize=10)
    fig.tight_layout()
    tmp = args.output + ".tmp"
    try:
        fig.savefig(tmp, dpi=120, format="png")
        os.replace(tmp, args.output)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    # SIGTERM ends the script through the finally above (no temporary is left).
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
