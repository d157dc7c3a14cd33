// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file power_spectrum.hpp
/// Density modes and the shell-averaged power spectrum of a particle set (docs/physics.md §12.1–12.4):
///   δ̂_k = FFT[mesh of 1 + δ]_k · e^{−ik·Δ/2(1,1,1)} / W(k),   P(k) = ⟨ L³/N_g⁶ |δ̂_k|² − shot ⟩_shell,
/// with the assignment window W = Π sinc(k_iΔ/2)^p, optional interlacing (Sefusatti et al.
/// 2016: a second mesh deposited with positions shifted by s = Δ/2(1,1,1), combined as
/// ½[δ̂₁ + e^{+ik·s} δ̂₂]), and the aliased Poisson shot noise of Jing (2005) eq. 20:
/// Σ_n W²(k + 2k_N n)/n̄ = C₁(k)/n̄ with C₁ = Π_i (1 − (2/3) s_i²) for CIC etc.
///
/// Conventions: the modes are in the unnormalised FFT convention (δ̂_k = Σ_x δ(x) e^{−ik·x}),
/// referred to the box origin (the mesh values sit at cell centres (i + ½)Δ, mesh/concepts.hpp,
/// hence the half-cell phase), k = 0 set to zero. Bins: bin b collects |k| ∈ [(b + ½)dk,
/// (b + 3/2)dk) (centred on (b + 1)dk; with dk = k_f these are the integer shells |n| ≈ b + 1),
/// for all b with (b + 1)dk ≤ k_max; empty bins are dropped. Half-complex weighting: modes with
/// 0 < k_z < k_N count twice. `modes` counts independent modes: half the number of wavevectors
/// in the bin (k and −k are one mode), so a Gaussian field's P has relative variance 1/modes.

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <memory>
#include <numbers>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/source/sheet.hpp"

namespace lagframe::analysis {

/// Options of the spectrum estimators.
struct spectrum_options {
  std::size_t grid_1d = 0;          ///< mesh cells per side (required, ≥ 2)
  bool interlacing = false;         ///< second, shifted deposit cancels odd aliasing images
  bool deconvolve = true;           ///< divide the modes by the assignment window W(k)
  bool subtract_shot_noise = false; ///< subtract the (aliased) Poisson shot noise
  double dk = 0;                    ///< bin width in h/Mpc; 0 → the fundamental k_f = 2π/L
  double k_max = 0;                 ///< largest bin centre in h/Mpc; 0 → the Nyquist k_N = πN_g/L
  /// The density from the Lagrangian sheet resampled n³ times per particle (source/sheet.hpp,
  /// blend policy) instead of the particles; 0 or 1: the particles. Needs every particle of a
  /// cubic Lagrangian grid, in particle-id order. Less discreteness noise before shell crossing;
  /// do not subtract shot noise with it (the sheet has none of the particles' kind).
  std::size_t sheet_resample = 0;

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(grid_1d >= 2, "spectrum_options.grid_1d", grid_1d, "a mesh of at least 2 cells per side");
    require(std::isfinite(dk) && dk >= 0.0, "spectrum_options.dk", dk, "a finite bin width ≥ 0 (0: k_f)");
    require(std::isfinite(k_max) && k_max >= 0.0, "spectrum_options.k_max", k_max,
            "a finite wavenumber ≥ 0 (0: Nyquist)");
    require(sheet_resample <= 8, "spectrum_options.sheet_resample", sheet_resample,
            "0 (particles) or a resampling factor in [1, 8]");
    require(sheet_resample <= 1 || !subtract_shot_noise, "spectrum_options.subtract_shot_noise", "true",
            "false with sheet_resample > 1 (the resampled sheet has no Poisson shot noise)");
  }
};

/// Shell-averaged power spectrum.
struct power_spectrum_result {
  std::vector<double> k;      ///< mean |k| of the modes in the bin, h/Mpc
  std::vector<double> power;  ///< (Mpc/h)³
  std::vector<double> modes;  ///< number of independent modes
};

namespace detail {

inline double sinc(double x) { return x == 0.0 ? 1.0 : std::sin(x) / x; }

/// Jing (2005) C(s) for one axis: Σ_n W²_1D(k + 2k_N n) for the B-spline of order p.
inline double jing_c(int order, double k, double dx) {
  const double s2 = std::pow(std::sin(0.5 * k * dx), 2);
  switch (order) {
    case 1: return 1.0;
    case 2: return 1.0 - 2.0 / 3.0 * s2;
    case 3: return 1.0 - s2 + 2.0 / 15.0 * s2 * s2;
    default: return 1.0 - 4.0 / 3.0 * s2 + 2.0 / 5.0 * s2 * s2 - 4.0 / 315.0 * s2 * s2 * s2;  // p = 4
  }
}

/// Σ_n (−1)^n W²_1D(k + 2k_N n): the image sum with alternating sign (truncated at |n| ≤ 2000;
/// the terms fall as n^{−2p}). With interlacing only images with even Σ n_i survive, so the
/// shot noise is ½[Π C + Π this] / n̄.
inline double alternating_image_sum(int order, double k, double dx) {
  const double x = 0.5 * k * dx;
  double sum = 0;
  for (int n = 2000; n >= 1; --n) {
    for (const int m : {n, -n}) {
      sum += ((n % 2 == 0) ? 1.0 : -1.0) * std::pow(sinc(x + std::numbers::pi * m), 2 * order);
    }
  }
  return sum + std::pow(sinc(x), 2 * order);
}

/// Bin layout shared by the auto and cross spectra.
struct binning {
  double k_fund = 0, dk = 0;
  std::size_t bins = 0;
  binning(std::size_t n, double side, const spectrum_options& opt) {
    k_fund = 2.0 * std::numbers::pi / side;
    dk = opt.dk > 0 ? opt.dk : k_fund;
    const double k_max = opt.k_max > 0 ? opt.k_max : 0.5 * static_cast<double>(n) * k_fund;
    bins = static_cast<std::size_t>(std::floor(k_max / dk * (1.0 + 1e-12)));
    require(bins >= 1, "spectrum_options.k_max", k_max, lagframe::detail::concat("at least one bin width dk = ", dk));
  }
  /// Bin of |k|, or −1 when outside.
  [[nodiscard]] long bin_of(double kmag) const {
    const double b = std::floor(kmag / dk - 0.5);
    return (b < 0 || b >= static_cast<double>(bins)) ? -1 : static_cast<long>(b);
  }
};

/// Visit every stored mode except k = 0 with (bin, weight, |k|, i, j, k index), accumulating
/// into per-x-plane partial sums (deterministic for any thread count) of `channels` values,
/// then reduce. visit(idx, accum) must add `weight · value_c` to accum[c].
template <class Visit>
std::vector<std::vector<double>> accumulate_bins(std::size_t n, const binning& bins, int channels, Visit visit) {
  const std::size_t nz = n / 2 + 1;
  const std::size_t stride = bins.bins * static_cast<std::size_t>(channels + 2);
  std::vector<double> planes(n * stride, 0.0);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(n); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    double* acc = planes.data() + i * stride;
    const double kx = bins.k_fund * static_cast<double>(wavenumber_index(i, n));
    for (std::size_t j = 0; j < n; ++j) {
      const double ky = bins.k_fund * static_cast<double>(wavenumber_index(j, n));
      for (std::size_t k = 0; k < nz; ++k) {
        if (i == 0 && j == 0 && k == 0) continue;
        const double kz = bins.k_fund * static_cast<double>(k);
        const double kmag = std::sqrt(kx * kx + ky * ky + kz * kz);
        const long b = bins.bin_of(kmag);
        if (b < 0) continue;
        const double w = (k == 0 || (n % 2 == 0 && k == n / 2)) ? 1.0 : 2.0;
        double* slot = acc + static_cast<std::size_t>(b) * static_cast<std::size_t>(channels + 2);
        slot[0] += w;
        slot[1] += w * kmag;
        visit(i, j, k, w, slot + 2);
      }
    }
  }
  std::vector<std::vector<double>> out(static_cast<std::size_t>(channels + 2), std::vector<double>(bins.bins, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t b = 0; b < bins.bins; ++b)
      for (int c = 0; c < channels + 2; ++c)
        out[static_cast<std::size_t>(c)][b] += planes[i * stride + b * static_cast<std::size_t>(channels + 2) + static_cast<std::size_t>(c)];
  return out;
}

/// Per-axis shot-noise tables: the (deconvolved) aliased shot noise is
/// [Π C(k_i) or ½(Π C + Π A)] / Π W²(k_i) (the W² only when deconvolving).
struct shot_noise_tables {
  std::vector<double> c, a, inv_w2;
  shot_noise_tables(std::size_t n, double side, int order, const spectrum_options& opt) : c(n), a(n), inv_w2(n, 1.0) {
    const double dx = side / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double k = 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) / side;
      c[i] = order > 0 ? jing_c(order, k, dx) : 1.0;
      a[i] = order > 0 && opt.interlacing ? alternating_image_sum(order, k, dx) : 1.0;
      if (opt.deconvolve && order > 0) inv_w2[i] = std::pow(sinc(0.5 * k * dx), -2.0 * order);
    }
  }
  [[nodiscard]] double at(std::size_t i, std::size_t j, std::size_t k, bool interlaced) const {
    const double cc = c[i] * c[j] * c[k];
    const double base = interlaced ? 0.5 * (cc + a[i] * a[j] * a[k]) : cc;
    return base * inv_w2[i] * inv_w2[j] * inv_w2[k];
  }
};

template <class Real>
power_spectrum_result power_of_modes(const real_field<Real>& modes, const spectrum_options& opt, double nbar,
                                     int order) {
  opt.validate();
  const std::size_t n = modes.size_1d();
  require(n == opt.grid_1d, "power_spectrum_of_modes: mesh size of the modes", n,
          lagframe::detail::concat("spectrum_options.grid_1d = ", opt.grid_1d));
  if (opt.subtract_shot_noise) {
    require(std::isfinite(nbar) && nbar > 0.0, "power_spectrum_of_modes: shot_noise_nbar", nbar,
            "a positive number density in (h/Mpc)³ when subtracting shot noise");
  }
  const double side = modes.side();
  const binning bins(n, side, opt);
  const double norm = side * side * side / std::pow(static_cast<double>(n), 6);
  const shot_noise_tables shot(n, side, order, opt);
  const bool subtract = opt.subtract_shot_noise;
  const auto* data = modes.complex_data();
  const auto sums = accumulate_bins(n, bins, 1, [&](std::size_t i, std::size_t j, std::size_t k, double w, double* acc) {
    double p = norm * std::norm(std::complex<double>(data[modes.complex_index(i, j, k)]));
    if (subtract) p -= shot.at(i, j, k, opt.interlacing) / nbar;
    acc[0] += w * p;
  });
  power_spectrum_result r;
  for (std::size_t b = 0; b < bins.bins; ++b) {
    if (sums[0][b] == 0.0) continue;
    r.k.push_back(sums[1][b] / sums[0][b]);
    r.power.push_back(sums[2][b] / sums[0][b]);
    r.modes.push_back(0.5 * sums[0][b]);
  }
  return r;
}

}  // namespace detail

/// Density-contrast modes of a particle set (mean density 1 on an N_g³ mesh, k = 0 zeroed) in
/// the unnormalised FFT convention, referred to the box origin, deconvolved by W(k) if asked,
/// interlaced if asked (see the file comment), written into storage the caller owns: `first`
/// receives the modes, `second` (interlacing only; may be null otherwise) is work space, both
/// N_g³ fields of the box's side whose contents are overwritten (e.g. a force's work meshes
/// between two of its evaluations, force::particle_mesh::work_mesh, when N_g is the force's),
/// `ws` holds the deposit's sort buffers and `plan` is an N_g³ plan. With a plan made with
/// fft::planning::estimate the modes are bitwise those of density_modes. At the Nyquist planes
/// the half-cell phase makes the stored self-conjugate elements complex; only |δ̂|² is
/// meaningful there. Positions in Mpc/h inside [0, side). Spawns OpenMP threads and FFTW
/// threads; allocates nothing but the sheet's depositor (sheet_resample > 1) and 2 N_g phases.
template <mesh::mass_assignment A, class Real>
void density_modes_into(std::span<const vec3<Real>> positions, const spectrum_options& opt, real_field<Real>& first,
                        real_field<Real>* second, mesh::deposit_workspace& ws, const fft::r2c_plan<Real>& plan) {
  opt.validate();
  const double side = first.side();
  require(std::isfinite(side) && side > 0.0, "density_modes: side", side, "a positive box side in Mpc/h");
  require(!positions.empty(), "density_modes: number of positions", positions.size(), "at least one particle");
  const std::size_t n = opt.grid_1d;
  require(first.size_1d() == n && plan.size_1d() == n, "density_modes: mesh size", first.size_1d(),
          lagframe::detail::concat("spectrum_options.grid_1d = ", n, " for the mesh and the plan"));
  require(!opt.interlacing || (second != nullptr && second->size_1d() == n && second->side() == side),
          "density_modes: second mesh", second != nullptr ? second->size_1d() : 0,
          lagframe::detail::concat("an N_g = ", n, " mesh of the same side with interlacing"));
  const double cells = std::pow(static_cast<double>(n), 3);
  const auto mass = static_cast<Real>(cells / static_cast<double>(positions.size()));
  std::unique_ptr<source::sheet::depositor<A, Real>> sheet;
  if (opt.sheet_resample > 1) {
    const auto np = static_cast<std::size_t>(std::llround(std::cbrt(static_cast<double>(positions.size()))));
    require(np * np * np == positions.size(), "density_modes: number of positions with sheet_resample", positions.size(),
            "the N³ particles of a Lagrangian grid, in particle-id order");
    sheet = std::make_unique<source::sheet::depositor<A, Real>>(box{.side_mpc_h = side, .particles_1d = np},
                                                               source::source_options{.resample = opt.sheet_resample,
                                                                                      .policy = source::multistream_policy::blend});
  }
  const auto deposit = [&](real_field<Real>& grid, const vec3<double>& shift) {
    if (sheet) {
      grid.fill(Real(0));
      sheet->deposit(positions, mass, grid, shift);
    } else {
      mesh::deposit_replacing<A>(positions, mass, grid, ws, shift);
    }
  };
  deposit(first, {0.0, 0.0, 0.0});
  plan.forward(first);
  const double dx = side / static_cast<double>(n);
  if (opt.interlacing) {
    deposit(*second, vec3<double>{0.5 * dx, 0.5 * dx, 0.5 * dx});
    plan.forward(*second);
  }
  // Per-axis factors: origin phase e^{−ik_iΔ/2} / W_1D, and the interlacing phase e^{+ik_iΔ/2}.
  std::vector<std::complex<double>> factor(n), shift(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double k = 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) / side;
    const double w = opt.deconvolve ? std::pow(detail::sinc(0.5 * k * dx), A::order) : 1.0;
    factor[i] = std::polar(1.0 / w, -0.5 * k * dx);
    shift[i] = std::polar(1.0, 0.5 * k * dx);
  }
  auto* d1 = first.complex_data();
  const auto total = d1[0].real();
  if (!std::isfinite(static_cast<double>(total))) {
    throw numerical_error(lagframe::detail::concat("lagframe: density_modes: the density is not finite (total ", total, ")"));
  }
  const auto* d2 = opt.interlacing ? second->complex_data() : nullptr;
  const std::size_t nz = first.complex_last();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(n); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    for (std::size_t j = 0; j < n; ++j) {
      const std::complex<double> fij = factor[i] * factor[j];
      const std::complex<double> sij = shift[i] * shift[j];
      for (std::size_t k = 0; k < nz; ++k) {
        const std::size_t idx = first.complex_index(i, j, k);
        std::complex<double> v(d1[idx]);
        if (d2 != nullptr) v = 0.5 * (v + sij * shift[k] * std::complex<double>(d2[idx]));
        d1[idx] = std::complex<Real>(fij * factor[k] * v);
      }
    }
  }
  d1[0] = 0;
}

/// Density-contrast modes of a particle set (see density_modes_into), in meshes of its own.
/// Allocates one N_g³ mesh (two when interlacing), the deposit's sort buffers and an FFT plan.
template <mesh::mass_assignment A, class Real>
real_field<Real> density_modes(std::span<const vec3<Real>> positions, double side, const spectrum_options& opt) {
  opt.validate();
  require(std::isfinite(side) && side > 0.0, "density_modes: side", side, "a positive box side in Mpc/h");
  const fft::r2c_plan<Real> plan(opt.grid_1d, fft::planning::estimate);
  mesh::deposit_workspace ws;
  real_field<Real> first(opt.grid_1d, side);
  real_field<Real> second;
  if (opt.interlacing) second = real_field<Real>(opt.grid_1d, side);
  density_modes_into<A>(positions, opt, first, opt.interlacing ? &second : nullptr, ws, plan);
  return first;
}

/// Power spectrum of modes from density_modes<A>: P = L³/N_g⁶ |δ̂|², shell-averaged; with
/// opt.subtract_shot_noise, the aliased Poisson shot noise C₁(k)/n̄ of Jing (2005) for the
/// assignment A (divided by W² when opt.deconvolve) is subtracted mode by mode, and with
/// opt.interlacing the even-image version ½[Π C + Π Σ(−1)^n W²]/n̄ (the odd images cancel;
/// cf. Wang & Yu 2024). `shot_noise_nbar` = N_p/V in (h/Mpc)³, required when subtracting.
template <mesh::mass_assignment A, class Real>
power_spectrum_result power_spectrum_of_modes(const real_field<Real>& modes, const spectrum_options& opt,
                                              double shot_noise_nbar = 0) {
  return detail::power_of_modes(modes, opt, shot_noise_nbar, A::order);
}

/// Same for modes of a field without an assignment window (e.g. built directly in Fourier
/// space): a subtracted shot noise is the plain 1/n̄.
template <class Real>
power_spectrum_result power_spectrum_of_modes(const real_field<Real>& modes, const spectrum_options& opt,
                                              double shot_noise_nbar = 0) {
  return detail::power_of_modes(modes, opt, shot_noise_nbar, 0);
}

/// Power spectrum of a particle set: density_modes<A> then power_spectrum_of_modes<A> with
/// n̄ = N_p/side³.
template <mesh::mass_assignment A, class Real>
power_spectrum_result power_spectrum(std::span<const vec3<Real>> positions, double side, const spectrum_options& opt) {
  const auto modes = density_modes<A>(positions, side, opt);
  return power_spectrum_of_modes<A>(modes, opt, static_cast<double>(positions.size()) / (side * side * side));
}

/// Transfer function T(k) = √(P/P_ref) (docs/physics.md §12.5). Throws config_error if the binnings
/// differ and numerical_error if a ratio is negative or P_ref is zero.
[[nodiscard]] inline std::vector<double> transfer(const power_spectrum_result& test, const power_spectrum_result& ref) {
  require(test.k.size() == ref.k.size(), "transfer: number of bins", test.k.size(),
          lagframe::detail::concat("the reference's ", ref.k.size()));
  std::vector<double> t(test.k.size());
  for (std::size_t b = 0; b < t.size(); ++b) {
    require(std::abs(test.k[b] - ref.k[b]) <= 1e-9 * std::abs(ref.k[b]) && test.modes[b] == ref.modes[b],
            "transfer: bin k", test.k[b], lagframe::detail::concat("the reference's ", ref.k[b], " (same binning)"));
    const double ratio = test.power[b] / ref.power[b];
    if (!(ratio >= 0.0) || ref.power[b] == 0.0) {
      throw numerical_error(lagframe::detail::concat("lagframe: transfer: P/P_ref = ", test.power[b], "/", ref.power[b],
                                                     " at k = ", ref.k[b], " has no real square root"));
    }
    t[b] = std::sqrt(ratio);
  }
  return t;
}

}  // namespace lagframe::analysis
