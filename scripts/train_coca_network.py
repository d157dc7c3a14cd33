#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Train the tCOCA network emulator and write it as a TorchScript file.

    /usr/bin/python3 scripts/train_coca_network.py TRAINING_DIR OUTPUT.pt [--iterations N]
                                                   [--validation-seed S] [--threads T]

TRAINING_DIR is what examples/coca_vs_cola writes: for every training seed N
  training_seed<N>.bin                  residual momenta p − p_LPT of a many-step reference run
                                        (frame/emulators/recorded.hpp format)
  training_seed<N>_psi1.npy, _psi2.npy  its LPT fields Ψ1, Ψ2 (N³ × 3 float32, Lagrangian order)
  fourier_linear.bin                    the least-squares Fourier emulator fitted to them
                                        (frame/emulators/fourier_linear.hpp format)

The model (the contract of frame/emulators/torchscript.hpp):
    p_ML(q, a) = p_lin(q, a) + Σ_k c_k(a) F_k(q),
  p_lin: the fourier_linear prediction (per k-shell and time, linear in the coefficients of Ψ1
         and Ψ2, copied from fourier_linear.bin and kept fixed);
  F_k:   K vector fields from a periodic 3D convolutional network of Ψ1 and Ψ2 (dilated 3³
         convolutions, receptive field 15 grid cells), computed once per run (`prepare`);
  c_k(a): a learned table over the stored times, linear in a between them.
Time enters through c_k(a) and the fourier_linear coefficients, so one evaluation (`momenta`)
costs three inverse FFTs and a K-term sum, and the network runs once per simulation.
`weighted_momenta` gives a weighted sum of evaluations at the same cost (the frame's exact
drift integral over the stored times). With --iterations 0 and --init the script re-exports a
model's weights with the current methods. A model trained with another torch version (a GPU
machine's) comes here as a plain state dict: --save-state there, --init FILE.pth here.

Training: the network and the table minimise the part of the residual momenta that
fourier_linear leaves, summed over the stored times (mean square, relative to what
fourier_linear leaves), with the 48 symmetries of the cube as augmentation (axes permuted
and flipped, vector components with them). One seed is held out for validation; the
explained fraction on it is printed. CPU only; deterministic for a given --seed and thread
count.

The TorchScript file is written to a temporary name and renamed. It carries its particle grid,
box side, time range and base frame as attributes, which the C++ loader checks.
"""

import argparse
import glob
import os
import re
import struct
import sys
import time
from typing import List

import numpy as np
import torch
from torch import nn


# ---------------------------------------------------------------------------------------------
# Reading lagframe's files
# ---------------------------------------------------------------------------------------------

def read_recorded(path):
    """Residual momenta file (frame/emulators/recorded.hpp): (times (T,), momenta (T, N³, 3), side, n, base)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"LFRECPI1":
        raise ValueError(f"{path}: not a lagframe recorded-momenta file (bad magic)")
    element, name_length = struct.unpack_from("<II", data, 8)
    n, side, count = struct.unpack_from("<QdQ", data, 16)
    offset = 40
    base = data[offset:offset + name_length].decode()
    offset += name_length
    times = np.frombuffer(data, "<f8", count, offset)
    offset += 8 * count
    dtype = "<f4" if element == 4 else "<f8"
    momenta = np.frombuffer(data, dtype, count * n ** 3 * 3, offset).reshape(count, n ** 3, 3)
    if offset + momenta.nbytes != len(data):
        raise ValueError(f"{path}: size does not match its header")
    return times.copy(), momenta.astype(np.float32), side, n, base


def read_fourier_linear(path):
    """fourier_linear model file: dict with n, side, times (T,), alpha, beta (T, B)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"LFFLIN01":
        raise ValueError(f"{path}: not a lagframe fourier_linear model (bad magic)")
    n, side, t_count, shells = struct.unpack_from("<QdQQ", data, 8)
    offset = 40
    times = np.frombuffer(data, "<f8", t_count, offset)
    offset += 8 * t_count
    alpha = np.frombuffer(data, "<f8", t_count * shells, offset).reshape(t_count, shells)
    offset += 8 * t_count * shells
    beta = np.frombuffer(data, "<f8", t_count * shells, offset).reshape(t_count, shells)
    return {"n": n, "side": side, "times": times.copy(), "alpha": alpha.copy(), "beta": beta.copy()}


def vector_grid(flat, n):
    """(N³, 3) in Lagrangian order (i·N + j)·N + k → (3, N, N, N)."""
    return np.ascontiguousarray(flat.reshape(n, n, n, 3).transpose(3, 0, 1, 2))


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

def shell_index(n: int) -> torch.Tensor:
    """round(|m|) of every r2c mode of an n³ grid (m: integer wavevector), as fourier_linear."""
    m = torch.fft.fftfreq(n, d=1.0 / n)
    mz = torch.arange(n // 2 + 1, dtype=torch.float64)
    mx, my, mzz = torch.meshgrid(m.double(), m.double(), mz, indexing="ij")
    return torch.round(torch.sqrt(mx * mx + my * my + mzz * mzz)).long()


class PeriodicFeatures(nn.Module):
    """K vector fields from Ψ1, Ψ2: dilated periodic 3³ convolutions (dilations 1, 2, 4)."""

    def __init__(self, hidden: int, vectors: int):
        super().__init__()
        layers = []
        channels = 6
        for dilation in (1, 2, 4):
            layers.append(nn.Conv3d(channels, hidden, 3, padding=dilation, dilation=dilation,
                                    padding_mode="circular"))
            layers.append(nn.GELU())
            channels = hidden
        layers.append(nn.Conv3d(channels, 3 * vectors, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class CocaNet(nn.Module):
    def __init__(self, fl, hidden: int, vectors: int, input_scale: float, base_frame: str):
        super().__init__()
        n = int(fl["n"])
        self.particles_1d = n
        self.side_mpc_h = float(fl["side"])
        self.base_frame = base_frame
        self.a_min = float(fl["times"][0])
        self.a_max = float(fl["times"][-1])
        self.vectors = vectors
        self.input_scale = float(input_scale)
        self.register_buffer("times", torch.tensor(fl["times"], dtype=torch.float64))
        self.register_buffer("alpha", torch.tensor(fl["alpha"], dtype=torch.float64))
        self.register_buffer("beta", torch.tensor(fl["beta"], dtype=torch.float64))
        self.register_buffer("shells", shell_index(n))
        self.features = PeriodicFeatures(hidden, vectors)
        self.coefficients = nn.Parameter(0.1 * torch.randn(len(fl["times"]), vectors, dtype=torch.float32))
        # Size of what fourier_linear leaves at each stored time (set from the training data):
        # the table c_k(a) is in these units, so all times train at the same rate.
        self.register_buffer("scales", torch.ones(len(fl["times"]), dtype=torch.float64))

    def interpolation(self, a: float):
        """(lo, hi, w): the stored times around a and the weight of hi (as fourier_linear)."""
        t = self.times
        count = t.shape[0]
        hi = int(torch.searchsorted(t, torch.tensor([a], dtype=torch.float64))[0].item())
        tol = 1e-12 * abs(a)
        if hi < count and abs(float(t[hi].item()) - a) <= tol:
            return hi, hi, 0.0
        if hi > 0 and abs(float(t[hi - 1].item()) - a) <= tol:
            return hi - 1, hi - 1, 0.0
        if hi == 0 or hi >= count:
            raise ValueError("a is outside the model's time range")
        lo = hi - 1
        w = (a - float(t[lo].item())) / (float(t[hi].item()) - float(t[lo].item()))
        return lo, hi, w

    @torch.jit.export
    def prepare(self, fields: torch.Tensor) -> List[torch.Tensor]:
        """fields: (6, N, N, N) float32, Ψ1 then Ψ2 (Mpc/h). Returns the Fourier transforms of
        the fields and the network's vector fields F_k (3K, N, N, N)."""
        if fields.dim() != 4 or fields.shape[0] != 6 or fields.shape[1] != self.particles_1d:
            raise ValueError("prepare expects LPT fields of shape (6, N, N, N) on the model's grid")
        fields_hat = torch.fft.rfftn(fields.double(), dim=(-3, -2, -1))
        features = self.features(fields.unsqueeze(0) * self.input_scale)[0]
        return [fields_hat, features]

    @torch.jit.export
    def momenta(self, prepared: List[torch.Tensor], a: float) -> torch.Tensor:
        """p_ML at scale factor a: (3, N, N, N) float32, Mpc/h momenta (docs/physics.md §1.2)."""
        lo, hi, w = self.interpolation(a)
        al = (1.0 - w) * self.alpha[lo] + w * self.alpha[hi]
        be = (1.0 - w) * self.beta[lo] + w * self.beta[hi]
        fields_hat = prepared[0]
        n = self.particles_1d
        p_hat = al[self.shells] * fields_hat[0:3] + be[self.shells] * fields_hat[3:6]
        p = torch.fft.irfftn(p_hat, s=[n, n, n], dim=(-3, -2, -1))
        c = ((1.0 - w) * self.coefficients[lo] * self.scales[lo] + w * self.coefficients[hi] * self.scales[hi]).float()
        features = prepared[1]
        correction = (c.view(self.vectors, 1, 1, 1, 1) * features.view(self.vectors, 3, n, n, n)).sum(0)
        return (p + correction.double()).float()

    @torch.jit.export
    def weighted_momenta(self, prepared: List[torch.Tensor], times: List[float], weights: List[float]) -> torch.Tensor:
        """Σ_m weights[m]·momenta(prepared, times[m]) with one inverse FFT: the prediction is
        linear in its per-time coefficients (the frame's exact drift integral uses it)."""
        if len(times) != len(weights):
            raise ValueError("weighted_momenta needs one weight per time")
        al = torch.zeros_like(self.alpha[0])
        be = torch.zeros_like(self.beta[0])
        c = torch.zeros(self.vectors, dtype=torch.float64)
        for m in range(len(times)):
            lo, hi, w = self.interpolation(times[m])
            al += weights[m] * ((1.0 - w) * self.alpha[lo] + w * self.alpha[hi])
            be += weights[m] * ((1.0 - w) * self.beta[lo] + w * self.beta[hi])
            c += weights[m] * ((1.0 - w) * self.coefficients[lo] * self.scales[lo] +
                               w * self.coefficients[hi] * self.scales[hi])
        fields_hat = prepared[0]
        n = self.particles_1d
        p_hat = al[self.shells] * fields_hat[0:3] + be[self.shells] * fields_hat[3:6]
        p = torch.fft.irfftn(p_hat, s=[n, n, n], dim=(-3, -2, -1))
        features = prepared[1]
        correction = (c.float().view(self.vectors, 1, 1, 1, 1) * features.view(self.vectors, 3, n, n, n)).sum(0)
        return (p + correction.double()).float()

    def forward(self, fields: torch.Tensor, a: float) -> torch.Tensor:
        return self.momenta(self.prepare(fields), a)


def fourier_linear_prediction(model: CocaNet, fields_hat, t: int):
    n = model.particles_1d
    p_hat = model.alpha[t][model.shells] * fields_hat[0:3] + model.beta[t][model.shells] * fields_hat[3:6]
    return torch.fft.irfftn(p_hat, s=[n, n, n], dim=(-3, -2, -1)).float()


# ---------------------------------------------------------------------------------------------
# Symmetries of the cube (augmentation)
# ---------------------------------------------------------------------------------------------

MARGIN = 7  # receptive radius of PeriodicFeatures: 1 + 2 + 4 cells

PERMUTATIONS = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]


def transform_vectors(x, perm, flips):
    """x: (..., 3V, N, N, N) holding V vector fields. Axes permuted by perm and flipped where
    flips[d], with the components permuted and sign-flipped alongside."""
    lead = x.shape[:-4]
    v = x.shape[-4] // 3
    n = x.shape[-1]
    y = x.reshape(*lead, v, 3, n, n, n)
    nd = y.dim()
    spatial = [nd - 3 + p for p in perm]
    y = y.permute(*range(nd - 3), *spatial)
    y = y[..., list(perm), :, :, :]
    for d in range(3):
        if flips[d]:
            y = torch.flip(y, dims=[nd - 3 + d])
            y[..., d, :, :, :] = -y[..., d, :, :, :]
    return y.reshape(*lead, 3 * v, n, n, n)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("training_dir")
    parser.add_argument("output")
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--crop", type=int, default=0,
                        help="side of training crops (cells; the loss is taken there, the network sees a "
                             "margin of its receptive radius around it); 0: the whole grid")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--vectors", type=int, default=4)
    parser.add_argument("--times-per-iteration", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--validation-seed", type=int, default=None,
                        help="training seed held out for validation (default: the last one)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--init", default=None,
                        help="continue from the weights of this TorchScript file, or of a plain state dict "
                             "(.pth, as --save-state writes)")
    parser.add_argument("--save-state", default=None,
                        help="also write the weights as a plain state dict (.pth): it loads in other torch "
                             "versions, where a TorchScript file may not")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    fl_path = os.path.join(args.training_dir, "fourier_linear.bin")
    if not os.path.exists(fl_path):
        sys.exit(f"train_coca_network: {fl_path} is missing (run examples/coca_vs_cola first)")
    fl = read_fourier_linear(fl_path)
    n = int(fl["n"])
    files = sorted(glob.glob(os.path.join(args.training_dir, "training_seed*.bin")))
    seeds = [int(re.search(r"training_seed(\d+)\.bin$", f).group(1)) for f in files]
    if len(seeds) < 2:
        sys.exit("train_coca_network: need at least two training runs (one is held out)")
    validation = args.validation_seed if args.validation_seed is not None else seeds[-1]
    if validation not in seeds:
        sys.exit(f"train_coca_network: validation seed {validation} is not among {seeds}")

    runs = {}
    base_frame = None
    for seed, path in zip(seeds, files):
        times, momenta, side, n_file, base = read_recorded(path)
        if n_file != n or abs(side - fl["side"]) > 1e-12 * side or not np.allclose(times, fl["times"], rtol=1e-12):
            sys.exit(f"train_coca_network: {path} does not match fourier_linear.bin (grid, box or times)")
        base_frame = base
        psi = [vector_grid(np.load(os.path.join(args.training_dir, f"training_seed{seed}_psi{o}.npy")), n)
               for o in (1, 2)]
        fields = torch.from_numpy(np.concatenate(psi, axis=0))  # (6, N, N, N)
        runs[seed] = {"fields": fields, "momenta": momenta}

    rms_psi = float(torch.sqrt(torch.mean(runs[seeds[0]]["fields"][0:3] ** 2)))
    model = CocaNet(fl, args.hidden, args.vectors, 1.0 / rms_psi, base_frame)

    # What fourier_linear leaves: the target of the network part.
    for seed, run in runs.items():
        fields_hat = torch.fft.rfftn(run["fields"].double(), dim=(-3, -2, -1))
        left = []
        for t in range(len(fl["times"])):
            p = torch.from_numpy(vector_grid(run["momenta"][t], n))
            left.append(p - fourier_linear_prediction(model, fields_hat, t))
        run["left"] = torch.stack(left)  # (T, 3, N, N, N)
        run.pop("momenta")
    scales = torch.sqrt(torch.stack([torch.mean(runs[s]["left"].double() ** 2, dim=(1, 2, 3, 4)) for s in seeds]).mean(0))
    model.scales.copy_(scales)
    for run in runs.values():  # train in units of the scales
        run["left"] = (run["left"] / scales.view(-1, 1, 1, 1, 1).float()).contiguous()
    print("rms of what fourier_linear leaves at the first, middle and last stored time: "
          f"{scales[0]:.3g}, {scales[len(scales) // 2]:.3g}, {scales[-1]:.3g} (Mpc/h momentum units)")

    if args.init:
        if args.init.endswith(".pth"):
            model.load_state_dict(torch.load(args.init, map_location="cpu"))
        else:
            model.load_state_dict(torch.jit.load(args.init).state_dict())
        print(f"continuing from {args.init}")
    train_seeds = [s for s in seeds if s != validation]
    crop = args.crop if 0 < args.crop < n else n
    T = len(fl["times"])
    optimiser = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, args.iterations)

    def explained(seed, perm=(0, 1, 2), flips=(False, False, False)):
        run = runs[seed]
        with torch.no_grad():
            x = transform_vectors(run["fields"], perm, flips)
            target = transform_vectors(run["left"], perm, flips)
            features = model.features(x.unsqueeze(0) * model.input_scale)[0]
            pred = (model.coefficients.view(T, args.vectors, 1, 1, 1, 1) *
                    features.view(1, args.vectors, 3, n, n, n)).sum(1)
            return 1.0 - float(torch.sum((pred - target) ** 2) / torch.sum(target ** 2))

    start = time.time()
    for it in range(args.iterations):
        seed = train_seeds[rng.integers(len(train_seeds))]
        perm = PERMUTATIONS[rng.integers(6)]
        flips = tuple(bool(b) for b in rng.integers(0, 2, 3))
        chosen = rng.choice(T, size=min(args.times_per_iteration, T), replace=False)
        run = runs[seed]
        # A random periodic crop: the network sees crop + 2·margin cells, the loss the central crop.
        if crop + 2 * MARGIN < n:
            start_cell = [int(v) for v in rng.integers(0, n, 3)]
            side = crop + 2 * MARGIN
            inner = slice(MARGIN, MARGIN + crop)
            ix, iy, iz = [torch.arange(o, o + side) % n for o in start_cell]
            x = run["fields"][:, ix][:, :, iy][:, :, :, iz]
            target = run["left"][chosen][:, :, ix][:, :, :, iy][:, :, :, :, iz]
        else:  # the whole periodic grid (the convolutions are periodic: no shift needed)
            inner = slice(0, n)
            x = run["fields"]
            target = run["left"][chosen]
        x = transform_vectors(x, perm, flips)
        target = transform_vectors(target, perm, flips)[:, :, inner, inner, inner]
        features = model.features(x.unsqueeze(0) * model.input_scale)[0][:, inner, inner, inner]
        m = features.shape[-1]
        c = model.coefficients[torch.from_numpy(chosen)]
        pred = (c.view(len(chosen), args.vectors, 1, 1, 1, 1) * features.reshape(1, args.vectors, 3, m, m, m)).sum(1)
        loss = torch.sum((pred - target) ** 2) / torch.sum(target ** 2)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if it % 25 == 0 or it == args.iterations - 1:
            print(f"iteration {it:4d}: training loss {loss.item():.4f} (fraction of the fourier_linear "
                  f"residual left), {time.time() - start:.0f} s", flush=True)

    train_explained = np.mean([explained(s) for s in train_seeds])
    validation_explained = explained(validation)
    print(f"fraction of what fourier_linear leaves that the network explains: training {train_explained:.3f}, "
          f"validation seed {validation} {validation_explained:.3f}")

    model.eval()
    if args.save_state:
        tmp = args.save_state + ".tmp"
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, args.save_state)
        print(f"wrote {args.save_state} (state dict)")
    scripted = torch.jit.script(model)
    tmp = args.output + ".tmp"
    scripted.save(tmp)
    os.replace(tmp, args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB), torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
