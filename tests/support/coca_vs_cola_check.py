#!/usr/bin/python3
"""Check of examples/coca_vs_cola --quick's table: the emulator fitted to one training run still
does its job on the held-out seed. With the same 9 steps and 8 force evaluations (interior
placement), tCOCA's largest |P/P_ref - 1| for k <= 1 h/Mpc must be below half of tCOLA's
(measured: 0.011 against 0.055), and the perfect emulator (the seed's own run replayed) must be
within 1 % with no force at all.

Usage: coca_vs_cola_check.py TABLE
"""
import sys

import numpy as np


def main(path):
    names = [line[1:].split() for line in open(path) if line.startswith("#")][-1]
    data = np.loadtxt(path, ndmin=2)
    c = {name: data[:, i] for i, name in enumerate(names)}
    keep = c["k[h/Mpc]"] <= 1.0
    worst = {label: float(np.max(np.abs(c[f"P/P_ref_{label}"][keep] - 1))) for label in
             ("tCOCA_nf8", "tCOLA-int_nf8", "perfect_nf0")}
    print("max |P/P_ref - 1| for k <= 1: " + ", ".join(f"{k} {v:.4f}" for k, v in worst.items()))
    if not worst["tCOCA_nf8"] < 0.5 * worst["tCOLA-int_nf8"]:
        raise SystemExit("tCOCA with 8 forces is not twice as close to the reference as tCOLA with the same steps")
    if not worst["perfect_nf0"] < 0.01:
        raise SystemExit("the perfect emulator is not within 1 % of its own run")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
