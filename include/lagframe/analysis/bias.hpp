// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file bias.hpp
/// Tracer (halo, galaxy) power spectra and the scale-dependent bias against the matter
/// (docs/mocks.md §7.2): with analysis::cross_power on one mesh,
///   P_tt − S_t,   P_tm,   P_mm − S_m,   b(k) = P_tm / (P_mm − S_m),   b_auto(k) = √((P_tt − S_t)/(P_mm − S_m)),
/// S the aliased Poisson shot noise of each set (docs/physics.md §12.3; its continuum value is
/// 1/n̄). The cross bias b = P_hm/P_mm has no shot noise of its own and is the estimator the
/// mock-catalogue checks use; b_auto is reported beside it.
///
/// Threading and determinism: those of cross_power (identical results for any thread count).

#include <cmath>
#include <span>
#include <vector>

#include "lagframe/analysis/cross_power.hpp"

namespace lagframe::analysis {

/// Tracer and matter spectra and the bias, per bin.
struct bias_result {
  std::vector<double> k;        ///< mean |k|, h/Mpc
  std::vector<double> p_tt;     ///< tracer auto power, shot noise subtracted, (Mpc/h)³
  std::vector<double> p_tm;     ///< tracer–matter cross power, (Mpc/h)³
  std::vector<double> p_mm;     ///< matter auto power, shot noise subtracted, (Mpc/h)³
  std::vector<double> b_cross;  ///< P_tm / P_mm
  std::vector<double> b_auto;   ///< √(P_tt / P_mm) (NaN where P_tt < 0)
  std::vector<double> r;        ///< P_tm / √(P_tt P_mm) without shot-noise subtraction
  std::vector<double> modes;    ///< independent modes
  double tracer_shot_noise = 0; ///< 1/n̄_t, (Mpc/h)³
  double matter_shot_noise = 0; ///< 1/n̄_m, (Mpc/h)³
};

/// Bias of `tracers` with respect to the matter whose modes `matter` holds (modes_of_set<A>,
/// made once for several tracer sets). The tracers are deposited with matter.options; the shot
/// noise is always subtracted from the auto spectra (options.subtract_shot_noise is ignored).
template <mesh::mass_assignment A, class Real>
bias_result tracer_bias(std::span<const vec3<Real>> tracers, const set_modes<A, Real>& matter) {
  spectrum_options opt = matter.options;
  opt.subtract_shot_noise = true;
  set_modes<A, Real> tracer_modes = modes_of_set<A>(tracers, matter.side, opt);
  // The matter's own options may not subtract the shot noise: the tracers' options, which do,
  // bin both (the options that change the modes are the same).
  const auto c = cross_power(tracer_modes, matter);
  bias_result b;
  const double side = matter.side;
  const double volume = side * side * side;
  b.tracer_shot_noise = volume / static_cast<double>(tracers.size());
  b.matter_shot_noise = volume / static_cast<double>(matter.count);
  b.k = c.k;
  b.p_tt = c.p_a;
  b.p_tm = c.p_ab;
  b.p_mm = c.p_b;
  b.r = c.r;
  b.modes = c.modes;
  for (std::size_t i = 0; i < c.k.size(); ++i) {
    b.b_cross.push_back(c.p_ab[i] / c.p_b[i]);
    b.b_auto.push_back(c.p_a[i] >= 0.0 && c.p_b[i] > 0.0 ? std::sqrt(c.p_a[i] / c.p_b[i]) : std::nan(""));
  }
  return b;
}

/// Bias of `tracers` with respect to `matter` (both in [0, side), Mpc/h). The shot noise is
/// always subtracted from the auto spectra (opt.subtract_shot_noise is ignored).
template <mesh::mass_assignment A, class Real>
bias_result tracer_bias(std::span<const vec3<Real>> tracers, std::span<const vec3<Real>> matter, double side,
                        const spectrum_options& opt) {
  return tracer_bias(tracers, modes_of_set<A>(matter, side, opt));
}

}  // namespace lagframe::analysis
