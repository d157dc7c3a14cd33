// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file survey_multipoles.hpp
/// Monopole, quadrupole and hexadecapole of a catalogue in survey geometry with the local line of
/// sight (docs/mocks.md §7.4): the estimator of Yamamoto et al. (2006) with FKP weights (Feldman,
/// Kaiser & Peacock 1994), computed with FFTs as Bianchi et al. (2015) and Scoccimarro (2015):
///   F(r) = Σ_g w_g δ_D(r − r_g) − α Σ_s w_s δ_D(r − r_s),   α = Σ_g w_g / Σ_s w_s,
///   F_0(k) = ∫ F(r) e^{−ik·r},   F_ℓ(k) = ∫ F(r) L_ℓ(k̂·r̂) e^{−ik·r}  (r̂ from the observer):
///   F_2 = (3 A_2 − F_0)/2,   F_4 = (35 A_4 − 30 A_2 + 3 F_0)/8,
///   A_ℓ(k) = Σ_{a+b+c=ℓ} ℓ!/(a! b! c!) k̂_x^a k̂_y^b k̂_z^c ∫ F(r) r̂_x^a r̂_y^b r̂_z^c e^{−ik·r},
///   P_0(k) = ⟨|F_0|² − S C(k)⟩_shell / I,   P_ℓ(k) = (2ℓ + 1) ⟨Re F_ℓ F_0*⟩_shell / I (ℓ = 2, 4),
///   I = α Σ_s n̄_s w_s²,   S = Σ_g w_g² + α² Σ_s w_s²,   w = 1/(1 + n̄ P_FKP),
/// with g the galaxies, s the randoms (a synthetic catalogue with the survey's footprint and
/// n̄(r), many times denser), C(k) the aliased shot-noise shape of the assignment (Jing 2005,
/// docs/physics.md §12.3) and every field divided by the assignment window W(k) when
/// `deconvolve`. The shot noise is subtracted from the monopole only (its higher multipoles vanish
/// for a footprint that is symmetric enough, and are small otherwise). The measured multipoles are
/// those of the true ones convolved with the survey window: compare with a model convolved with
/// it, or on scales well inside the survey (k ≫ 2π / its smallest extent).
///
/// The mesh is a cube centred on the points, holding every galaxy and random with at least
/// (support + 1) empty cells on each side and at least `padding` times their largest extent, or
/// the cube the options give (to measure several catalogues on one mesh and in the same bins;
/// origin and side returned). It is periodic: points on opposite faces of a catalogue cut from a
/// periodic box are neighbours there, which padding 2 moves a box length apart. Each of the 22
/// fields (7 without the hexadecapole) is deposited serially (deterministic, independent of the
/// thread count) and transformed in turn: four complex meshes of N_g³ doubles in memory at once
/// (three without the hexadecapole).

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

#include "lagframe/analysis/power_spectrum.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/reference.hpp"

namespace lagframe::analysis {

/// Options of survey_multipoles.
struct survey_options {
  std::size_t grid_1d = 0;  ///< mesh cells per side (required, ≥ 8)
  double fkp_p0 = 1e4;      ///< FKP weight P_0 in (Mpc/h)³; 0: unit weights
  double padding = 1.0;     ///< the mesh's side is at least padding × the points' largest extent
  double side = 0;          ///< > 0: the mesh is [origin, origin + side)³ (points (support + 1) cells inside)
  vec3<double> origin{};    ///< the mesh's lower corner when side > 0, Mpc/h
  bool hexadecapole = true; ///< also P_4 (15 more fields and one more mesh)
  bool deconvolve = true;   ///< divide the modes by the assignment window W(k)
  fft::planning planning = fft::planning::estimate;  ///< FFTW planning of the mesh's transform
  double dk = 0;            ///< bin width in h/Mpc; 0 → the mesh's fundamental 2π/side
  double k_max = 0;         ///< largest bin centre in h/Mpc; 0 → the mesh's Nyquist

  void validate() const {
    require(grid_1d >= 8, "survey_options.grid_1d", grid_1d, "a mesh of at least 8 cells per side");
    require(std::isfinite(fkp_p0) && fkp_p0 >= 0.0, "survey_options.fkp_p0", fkp_p0,
            "a finite FKP P0 >= 0 in (Mpc/h)^3 (0: unit weights)");
    require(std::isfinite(padding) && padding >= 1.0, "survey_options.padding", padding, "a factor >= 1");
    require(std::isfinite(side) && side >= 0.0, "survey_options.side", side, "a finite side >= 0 in Mpc/h (0: automatic)");
    require(std::isfinite(dk) && dk >= 0.0, "survey_options.dk", dk, "a finite bin width >= 0 (0: 2 pi / side)");
    require(std::isfinite(k_max) && k_max >= 0.0, "survey_options.k_max", k_max, "a finite wavenumber >= 0 (0: Nyquist)");
  }
};

/// Shell-averaged multipoles with what went into them.
struct survey_multipoles_result {
  std::vector<double> k;      ///< mean |k| of the bin, h/Mpc
  std::vector<double> p0;     ///< monopole, shot noise subtracted, (Mpc/h)³
  std::vector<double> p2;     ///< quadrupole, (Mpc/h)³
  std::vector<double> p4;     ///< hexadecapole, (Mpc/h)³ (empty without survey_options::hexadecapole)
  std::vector<double> modes;  ///< independent modes in the bin
  double shot_noise = 0;      ///< S / I, (Mpc/h)³
  double alpha = 0;           ///< Σ_g w / Σ_s w
  double normalisation = 0;   ///< I = α Σ_s n̄ w², (h/Mpc)³
  vec3<double> origin{};      ///< the mesh's lower corner, Mpc/h
  double side = 0;            ///< the mesh's side, Mpc/h
};


/// Monopole and quadrupole of `galaxies` (with n̄ at each, (h/Mpc)³) against `randoms` (with
/// n̄ at each), the line of sight of each point from `observer` (positions and observer in one
/// Cartesian frame, Mpc/h). Throws config_error for empty or mismatched inputs, a non-finite or
/// non-positive n̄, a point at the observer, or a non-finite position.
template <mesh::mass_assignment A>
survey_multipoles_result survey_multipoles(std::span<const vec3<double>> galaxies, std::span<const double> nbar_galaxies,
                                           std::span<const vec3<double>> randoms, std::span<const double> nbar_randoms,
                                           const vec3<double>& observer, const survey_options& opt) {
  opt.validate();
  require(!galaxies.empty(), "survey_multipoles: number of galaxies", galaxies.size(), "at least one");
  require(!randoms.empty(), "survey_multipoles: number of randoms", randoms.size(), "at least one");
  require(nbar_galaxies.size() == galaxies.size(), "survey_multipoles: entries of nbar_galaxies", nbar_galaxies.size(),
          lagframe::detail::concat("one per galaxy (", galaxies.size(), ")"));
  require(nbar_randoms.size() == randoms.size(), "survey_multipoles: entries of nbar_randoms", nbar_randoms.size(),
          lagframe::detail::concat("one per random (", randoms.size(), ")"));
  const auto check_set = [&](std::span<const vec3<double>> x, std::span<const double> nbar, const char* what) {
    for (std::size_t p = 0; p < x.size(); ++p) {
      const double dx = x[p][0] - observer[0], dy = x[p][1] - observer[1], dz = x[p][2] - observer[2];
      const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
      if (!(std::isfinite(r) && r > 0.0))
        throw config_error(lagframe::detail::concat("lagframe: survey_multipoles: ", what, "[", p, "] = (", x[p][0], ", ",
                                                    x[p][1], ", ", x[p][2], ") Mpc/h is invalid: expected a finite "
                                                    "position away from the observer"));
      if (!(std::isfinite(nbar[p]) && nbar[p] > 0.0))
        throw config_error(lagframe::detail::concat("lagframe: survey_multipoles: n̄ of ", what, "[", p, "] = ", nbar[p],
                                                    " is invalid: expected a positive density in (h/Mpc)^3"));
    }
  };
  check_set(galaxies, nbar_galaxies, "galaxy");
  check_set(randoms, nbar_randoms, "random");

  // The mesh: a cube around every point with (support + 1) empty cells on each side.
  std::array<double, 3> lo{}, hi{};
  lo.fill(std::numeric_limits<double>::infinity());
  hi.fill(-std::numeric_limits<double>::infinity());
  for (const auto set : {galaxies, randoms})
    for (const auto& x : set)
      for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], x[d]), hi[d] = std::max(hi[d], x[d]);
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-6});
  const auto n = opt.grid_1d;
  const double margin_cells = static_cast<double>(A::support + 1);
  require(static_cast<double>(n) > 4.0 * margin_cells, "survey_options.grid_1d", n,
          lagframe::detail::concat("more than ", 4 * (A::support + 1), " cells for this assignment"));
  const double side = opt.side > 0.0 ? opt.side
                                     : std::max(opt.padding * extent,
                                                extent / (1.0 - 2.0 * margin_cells / static_cast<double>(n))) *
                                           (1.0 + 1e-9);
  const double dx = side / static_cast<double>(n);
  survey_multipoles_result r;
  r.side = side;
  for (int d = 0; d < 3; ++d) r.origin[d] = opt.side > 0.0 ? opt.origin[d] : 0.5 * (lo[d] + hi[d]) - 0.5 * side;
  for (int d = 0; d < 3; ++d) {
    const double below = (lo[d] - r.origin[d]) / dx, above = (r.origin[d] + side - hi[d]) / dx;
    require(below >= margin_cells && above >= margin_cells, "survey_options.side", side,
            lagframe::detail::concat("a mesh from origin ", r.origin[d], " holding the points' range [", lo[d], ", ", hi[d],
                                     "] Mpc/h of axis ", d, " with ", margin_cells, " cells to spare on each side"));
  }

  // FKP weights, α, I and S.
  const auto weight = [&](double nbar) { return 1.0 / (1.0 + nbar * opt.fkp_p0); };
  double wg = 0, wg2 = 0, ws = 0, ws2 = 0, norm = 0;
  for (double nb : nbar_galaxies) wg += weight(nb), wg2 += weight(nb) * weight(nb);
  for (double nb : nbar_randoms) {
    const double w = weight(nb);
    ws += w, ws2 += w * w, norm += nb * w * w;
  }
  r.alpha = wg / ws;
  r.normalisation = r.alpha * norm;
  const double shot = wg2 + r.alpha * r.alpha * ws2;
  r.shot_noise = shot / r.normalisation;

  // The fields F r̂_x^a r̂_y^b r̂_z^c (a + b + c = 0, 2 or 4; the plain F first).
  const auto deposit = [&](real_field<double>& grid, const std::array<int, 3>& power) {
    grid.fill(0.0);
    const auto add = [&](std::span<const vec3<double>> x, std::span<const double> nbar, double sign) {
      for (std::size_t p = 0; p < x.size(); ++p) {
        double w = sign * weight(nbar[p]);
        std::array<double, 3> e{x[p][0] - observer[0], x[p][1] - observer[1], x[p][2] - observer[2]};
        const double len = std::sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        for (int d = 0; d < 3; ++d)
          for (int m = 0; m < power[static_cast<std::size_t>(d)]; ++m) w *= e[static_cast<std::size_t>(d)] / len;
        mesh::reference::deposit_point<A>(
            grid, vec3<double>{x[p][0] - r.origin[0], x[p][1] - r.origin[1], x[p][2] - r.origin[2]}, w);
      }
    };
    add(galaxies, nbar_galaxies, 1.0);
    add(randoms, nbar_randoms, -r.alpha);
  };

  // 1/W(k) per axis (no phase: only products F_ℓ F_0* of modes of one mesh enter).
  std::vector<double> inv_window(n, 1.0), kvec(n);
  for (std::size_t i = 0; i < n; ++i) {
    kvec[i] = 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) / side;
    if (opt.deconvolve) inv_window[i] = std::pow(detail::sinc(0.5 * kvec[i] * dx), -A::order);
  }
  const fft::r2c_plan<double> plan(n, opt.planning);
  real_field<double> f0(n, side), work(n, side), f2(n, side), f4;
  if (opt.hexadecapole) f4 = real_field<double>(n, side);
  deposit(f0, {0, 0, 0});
  plan.forward(f0);
  const std::size_t nz = f0.complex_last();
  auto* c0 = f0.complex_data();
  auto* c2 = f2.complex_data();
  auto* c4 = opt.hexadecapole ? f4.complex_data() : nullptr;
  auto* cw = work.complex_data();
  const auto each_mode = [&](auto&& visit) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(n); ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < nz; ++k) visit(i, j, k, f0.complex_index(i, j, k));
    }
  };
  // F_2 = (3 A_2 − F_0)/2 and F_4 = (35 A_4 − 30 A_2 + 3 F_0)/8 with A_ℓ = Σ k̂^a k̂^b k̂^c
  // (multinomial ℓ!/(a! b! c!)) FFT[F r̂^a r̂^b r̂^c] over a + b + c = ℓ.
  each_mode([&](std::size_t i, std::size_t j, std::size_t k, std::size_t idx) {
    c0[idx] *= inv_window[i] * inv_window[j] * inv_window[k];
    c2[idx] = -0.5 * c0[idx];
    if (c4 != nullptr) c4[idx] = 0.375 * c0[idx];
  });
  const auto factorial = [](int m) { return m <= 1 ? 1.0 : m == 2 ? 2.0 : m == 3 ? 6.0 : 24.0; };
  for (const int ell : {2, 4}) {
    if (ell == 4 && c4 == nullptr) break;
    for (int a = ell; a >= 0; --a)
      for (int b = ell - a; b >= 0; --b) {
        const std::array<int, 3> power{a, b, ell - a - b};
        deposit(work, power);
        plan.forward(work);
        const double multinomial = factorial(ell) / (factorial(a) * factorial(b) * factorial(ell - a - b));
        // How A_ℓ enters F_2 (3/2) and F_4 (35/8 for A_4, −30/8 for A_2).
        const double to_f2 = ell == 2 ? 1.5 : 0.0, to_f4 = ell == 4 ? 35.0 / 8.0 : -30.0 / 8.0;
        each_mode([&](std::size_t i, std::size_t j, std::size_t k, std::size_t idx) {
          const std::array<double, 3> kk{kvec[i], kvec[j], static_cast<double>(k) * 2.0 * std::numbers::pi / side};
          const double k2 = kk[0] * kk[0] + kk[1] * kk[1] + kk[2] * kk[2];
          if (k2 == 0.0) return;
          double mono = multinomial * inv_window[i] * inv_window[j] * inv_window[k];
          for (int d = 0; d < 3; ++d)
            for (int m = 0; m < power[static_cast<std::size_t>(d)]; ++m) mono *= kk[static_cast<std::size_t>(d)];
          mono /= ell == 2 ? k2 : k2 * k2;
          const std::complex<double> v = mono * cw[idx];
          if (to_f2 != 0.0) c2[idx] += to_f2 * v;
          if (c4 != nullptr) c4[idx] += to_f4 * v;
        });
      }
  }

  spectrum_options bin_opt{.grid_1d = n, .deconvolve = opt.deconvolve, .dk = opt.dk, .k_max = opt.k_max};
  const detail::binning bins(n, side, bin_opt);
  const detail::shot_noise_tables shape(n, side, A::order, bin_opt);
  const auto sums = detail::accumulate_bins(n, bins, 3, [&](std::size_t i, std::size_t j, std::size_t k, double w,
                                                            double* acc) {
    const std::size_t idx = f0.complex_index(i, j, k);
    const std::complex<double> v0 = c0[idx], v2 = c2[idx];
    acc[0] += w * (std::norm(v0) - shot * shape.at(i, j, k, false));
    acc[1] += w * 5.0 * (v2 * std::conj(v0)).real();
    if (c4 != nullptr) acc[2] += w * 9.0 * (c4[idx] * std::conj(v0)).real();
  });
  for (std::size_t b = 0; b < bins.bins; ++b) {
    const double wsum = sums[0][b];
    if (wsum == 0.0) continue;
    r.k.push_back(sums[1][b] / wsum);
    r.p0.push_back(sums[2][b] / wsum / r.normalisation);
    r.p2.push_back(sums[3][b] / wsum / r.normalisation);
    if (c4 != nullptr) r.p4.push_back(sums[4][b] / wsum / r.normalisation);
    r.modes.push_back(0.5 * wsum);
  }
  return r;
}

}  // namespace lagframe::analysis
