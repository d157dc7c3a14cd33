// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file cross_power.hpp
/// Cross power spectrum and cross-correlation coefficient of two particle sets on the same
/// mesh (docs/physics.md §12.5; L-PICOLA paper §7.1):
///   P_ab = ⟨L³/N_g⁶ Re(δ̂_a δ̂_b*)⟩_shell,   r(k) = P_ab / √(P_a P_b),
/// with the binning, deconvolution and interlacing of power_spectrum.hpp. r is always computed
/// from the auto spectra *without* shot-noise subtraction (so r = 1 for a set with itself);
/// with opt.subtract_shot_noise, p_a and p_b are reported with their shot noise removed (the
/// cross spectrum of distinct sets has none).

#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "lagframe/analysis/power_spectrum.hpp"

namespace lagframe::analysis {

/// Shell-averaged cross and auto spectra of two particle sets.
struct cross_spectrum_result {
  std::vector<double> k;     ///< mean |k| of the modes in the bin, h/Mpc
  std::vector<double> p_ab;  ///< cross power, (Mpc/h)³
  std::vector<double> p_a;   ///< auto power of a, (Mpc/h)³
  std::vector<double> p_b;   ///< auto power of b, (Mpc/h)³
  std::vector<double> r;     ///< P_ab / √(P_a P_b), shot noise never subtracted
  std::vector<double> modes; ///< number of independent modes
};

/// The density modes of one particle set (density_modes<A>) with what the spectra need to
/// use them again: the number of points (shot noise) and the options and box they were made
/// with. Made by set_modes<A>; lets one set (the matter) be crossed with several others
/// (haloes, galaxies) without depositing it again.
template <mesh::mass_assignment A, class Real>
struct set_modes {
  real_field<Real> modes;    ///< δ̂ of the set, density_modes<A> convention
  std::size_t count = 0;     ///< points deposited
  double side = 0;           ///< box side, Mpc/h
  spectrum_options options;  ///< the options the modes were made with
};

/// Deposit `points` once and keep their modes (see set_modes).
template <mesh::mass_assignment A, class Real>
set_modes<A, Real> modes_of_set(std::span<const vec3<Real>> points, double side, const spectrum_options& opt) {
  return {density_modes<A>(points, side, opt), points.size(), side, opt};
}

namespace detail {

/// The options that change the modes themselves must agree for two sets to be crossed.
inline void require_same_mode_options(const spectrum_options& a, const spectrum_options& b, double side_a,
                                      double side_b) {
  require(side_a == side_b, "cross_power: box side of the second set", side_b,
          lagframe::detail::concat("the first set's side, ", side_a, " Mpc/h"));
  const auto describe = [](const spectrum_options& o) {
    return lagframe::detail::concat("grid_1d ", o.grid_1d, ", interlacing ", o.interlacing ? "true" : "false",
                                    ", deconvolve ", o.deconvolve ? "true" : "false", ", sheet_resample ",
                                    o.sheet_resample);
  };
  require(a.grid_1d == b.grid_1d && a.interlacing == b.interlacing && a.deconvolve == b.deconvolve &&
              a.sheet_resample == b.sheet_resample,
          "cross_power: mesh options of the second set", describe(b),
          lagframe::detail::concat("the first set's (", describe(a), "): make both with the same options"));
}

}  // namespace detail

/// Cross spectrum of two sets whose modes were made with modes_of_set<A> (same mesh options
/// and box, refused otherwise); binning and shot noise from `a.options`.
template <mesh::mass_assignment A, class Real>
cross_spectrum_result cross_power(const set_modes<A, Real>& a, const set_modes<A, Real>& b) {
  detail::require_same_mode_options(a.options, b.options, a.side, b.side);
  const spectrum_options& opt = a.options;
  const double side = a.side;
  const auto& ma = a.modes;
  const auto& mb = b.modes;
  const std::size_t n = opt.grid_1d;
  const detail::binning bins(n, side, opt);
  const double norm = side * side * side / std::pow(static_cast<double>(n), 6);
  const detail::shot_noise_tables shot(n, side, A::order, opt);
  const double volume = side * side * side;
  const double nbar_a = static_cast<double>(a.count) / volume;
  const double nbar_b = static_cast<double>(b.count) / volume;
  const auto* da = ma.complex_data();
  const auto* db = mb.complex_data();
  const auto sums = detail::accumulate_bins(n, bins, 4, [&](std::size_t i, std::size_t j, std::size_t k, double w,
                                                            double* acc) {
    const std::size_t idx = ma.complex_index(i, j, k);
    const std::complex<double> va(da[idx]), vb(db[idx]);
    acc[0] += w * norm * (va * std::conj(vb)).real();
    acc[1] += w * norm * std::norm(va);
    acc[2] += w * norm * std::norm(vb);
    acc[3] += w * shot.at(i, j, k, opt.interlacing);
  });
  cross_spectrum_result r;
  for (std::size_t bin = 0; bin < bins.bins; ++bin) {
    const double wsum = sums[0][bin];
    if (wsum == 0.0) continue;
    const double pab = sums[2][bin] / wsum, pa = sums[3][bin] / wsum, pb = sums[4][bin] / wsum;
    const double sn = sums[5][bin] / wsum;
    r.k.push_back(sums[1][bin] / wsum);
    r.p_ab.push_back(pab);
    r.r.push_back(pab / std::sqrt(pa * pb));
    r.p_a.push_back(opt.subtract_shot_noise ? pa - sn / nbar_a : pa);
    r.p_b.push_back(opt.subtract_shot_noise ? pb - sn / nbar_b : pb);
    r.modes.push_back(0.5 * wsum);
  }
  return r;
}

/// Cross spectrum of particle sets a and b (any sizes) in a box of side `side` (Mpc/h).
template <mesh::mass_assignment A, class Real>
cross_spectrum_result cross_power(std::span<const vec3<Real>> a, std::span<const vec3<Real>> b, double side,
                                  const spectrum_options& opt) {
  return cross_power(modes_of_set<A>(a, side, opt), modes_of_set<A>(b, side, opt));
}

}  // namespace lagframe::analysis
