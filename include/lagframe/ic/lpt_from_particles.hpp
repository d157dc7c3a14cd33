// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lpt_from_particles.hpp
/// Rebuilds the unit-growth LPT fields ψ1, ψ2 (ic/lpt.hpp) from the particles of an initial-
/// condition file, by inverting docs/physics.md §4.3 (method: docs/physics.md §4.5; Scoccimarro 1998;
/// Bouchet et al. 1995):
///
///     Ψ_ic(q) = x − q = D1(a) ψ1(q) + D2(a) ψ2[ψ1](q),
///
/// where ψ2[ψ1] is the 2LPT field of δ0 = −∇·ψ1. Method (fixed-point iteration):
///
///     ψ1⁽⁰⁾ = Ψ_ic / D1,   ψ1⁽ⁿ⁺¹⁾ = (Ψ_ic − D2 ψ2[ψ1⁽ⁿ⁾]) / D1,
///
/// δ0 is computed spectrally on the particle grid, δ̂0 = −i (k²/k̃²) Σ_c k̃_c FFT(ψ1,c), where k̃ is
/// k with its Nyquist components set to zero (the first-derivative convention of ic/lpt.hpp: a
/// Nyquist element along c is dropped); ψ2 = lpt_displacements(·, 2).psi2. Off the Nyquist planes
/// this is exactly −∇·ψ1; on them the factor k²/k̃² makes it the exact inverse of lpt.hpp's
/// ψ̂1 = i k̃ δ̂0/k², so δ0 is recovered on every mode except those where k̃ = 0.
/// The map contracts by roughly (2|D2|/D1)·|∂ψ1| ≈ (6/7) D1 |δ|, so a few iterations suffice at the
/// usual starting redshifts. Convergence: D1 · max_q |ψ1⁽ⁿ⁺¹⁾ − ψ1⁽ⁿ⁾| ≤ 1e-6 · mean_q |Ψ_ic|, i.e.
/// the change in the implied displacement is below 1e-6 of the mean IC displacement (the change of
/// ψ1 itself is compared after multiplying by D1 so that both sides are displacements at a). The
/// returned pair is (ψ1⁽ⁿ⁺¹⁾, ψ2[ψ1⁽ⁿ⁺¹⁾]): ψ2 is recomputed from the final ψ1 so that the pair is
/// a consistent 2LPT solution; D1 ψ1 + D2 ψ2 then reproduces Ψ_ic to |D2|·(contraction)·change.
/// Order 1: a single step ψ1 = Ψ_ic / D1, ψ2 = 0.
///
/// What LPT cannot represent. ψ1 is the iteration result with NO projection: a transverse (curl)
/// part of Ψ_ic, a uniform shift (k = 0) and components along a Nyquist axis stay in ψ1 unchanged
/// (divided by D1), while ψ2 only sees the longitudinal part through δ0. `curl_fraction` reports
/// the fraction of Σ_q |ψ1|² outside the longitudinal part representable by lpt.hpp:
///     1 − Σ_k w_k |k̃·ψ̂1(k)|²/|k̃|²  /  Σ_k w_k |ψ̂1(k)|²,
/// with k̃ the wavevector whose Nyquist components are set to zero and w_k the half-complex
/// multiplicity (1 on the k_z = 0 and k_z = Nyquist planes, 2 elsewhere). It is 0 to rounding for
/// fields produced by lpt_displacements.
///
/// Nyquist caveat: ψ1 from lpt.hpp carries no component along a Nyquist axis, so the δ0 modes
/// whose non-zero indices are all Nyquist (N even: (N/2,0,0), (N/2,N/2,0), (N/2,N/2,N/2) and
/// permutations, 7 modes) leave no trace in ψ1 and cannot be recovered; they are taken as zero.
/// The reconstructed ψ2 differs from the generator's by their 2LPT contribution (plus the
/// resulting small change of ψ1 = (Ψ_ic − D2 ψ2)/D1); every other δ0 mode is recovered to rounding.
///
/// Velocity consistency: the file's momenta p (p = a³E dx/da, docs/physics.md §1.2) are compared with the
/// LPT momenta p_LPT = T[D1] ψ1 + T[D2] ψ2 (cosmology/growth.hpp):
///     velocity_rms_relative_error = rms_q |p − p_LPT| / rms_q |p_LPT|,
///     velocity_max_relative_error = max_q |p − p_LPT| / rms_q |p_LPT|.
/// Values far from 0 mean a different cosmology, growth history, units or time variable in the file
/// (or a decaying-mode/non-LPT velocity). If p_LPT is identically zero the ratios are 0 when p is
/// also zero and +inf otherwise.
///
/// All arithmetic is in double whatever Real is. Memory: ~6 N³ doubles for ψ1, ψ2, Ψ_ic, plus four
/// N³ real_field<double> work grids and lpt_displacements' own (≈ 9 N³ doubles). Cost per
/// iteration: 3 forward FFTs + the 13 FFTs of lpt_displacements, plus one more such pass at the
/// end (curl_fraction and the final ψ2). Do not call inside a parallel region.

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/gaussian_field.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::ic {

/// Result of lpt_from_particles (see the file comment for each quantity).
struct lpt_reconstruction {
  lpt_fields<double> fields;                ///< ψ1, ψ2 at unit growth, id order
  int iterations = 0;                       ///< fixed-point iterations (1 for order 1)
  double final_change = 0.0;                ///< last max |Δψ1| in Mpc/h (0 for order 1)
  double velocity_rms_relative_error = 0.0; ///< rms |p − p_LPT| / rms |p_LPT|
  double velocity_max_relative_error = 0.0; ///< max |p − p_LPT| / rms |p_LPT|
  double curl_fraction = 0.0;               ///< non-longitudinal fraction of Σ|ψ1|²
};

namespace detail {

/// Maximum number of fixed-point iterations before lpt_from_particles gives up.
inline constexpr int lpt_reconstruction_max_iterations = 50;
/// Convergence threshold relative to the mean IC displacement.
inline constexpr double lpt_reconstruction_tolerance = 1e-6;

/// Forward FFTs of the three components of psi into comp[0..2] (unnormalised), then
/// δ̂0 = −i Σ_c k_c ψ̂_c with the Nyquist element along c dropped, into `delta`; k = 0 is zero.
/// If `curl_fraction` is non-null it receives the non-longitudinal fraction of Σ|ψ|².
inline void divergence_modes(const box& b, const std::vector<vec3<double>>& psi,
                             const fft::r2c_plan<double>& plan,
                             std::array<real_field<double>, 3>& comp, real_field<double>& delta,
                             double* curl_fraction) {
  const std::size_t n = b.particles_1d;
  for (std::size_t c = 0; c < 3; ++c) {
    real_field<double>& g = comp[c];
#pragma omp parallel for collapse(2) schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        double* row = g.data() + g.index(i, j, 0);
        const vec3<double>* in = psi.data() + (i * n + j) * n;
        for (std::size_t k = 0; k < n; ++k) row[k] = in[k][c];
      }
    }
    plan.forward(g);
  }
  const double k_f = 2.0 * std::numbers::pi / b.side_mpc_h;
  const std::size_t nk = delta.complex_last();
  double total = 0.0;
  double longitudinal = 0.0;
#pragma omp parallel for collapse(2) schedule(static) reduction(+ : total, longitudinal)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < nk; ++k) {
        const std::array<std::size_t, 3> s{i, j, k};
        std::array<double, 3> kv{};
        for (std::size_t c = 0; c < 3; ++c) {
          kv[c] = is_nyquist(s[c], n) ? 0.0
                                      : k_f * static_cast<double>(wavenumber_index(s[c], n));
        }
        std::complex<double> dot(0.0, 0.0);
        double norm2 = 0.0;
        for (std::size_t c = 0; c < 3; ++c) {
          const std::complex<double> v = comp[c].mode(i, j, k);
          dot += kv[c] * v;
          norm2 += std::norm(v);
        }
        const double kk = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
        // δ̂0 = −i (k²/k̃²) k̃·ψ̂ (the factor is 1 off the Nyquist planes); k̃ = 0 (k = 0 and the
        // modes whose non-zero indices are all Nyquist) carries no information: δ̂0 = 0 there.
        double scale = 0.0;
        if (kk > 0.0) {
          double k2 = 0.0;
          for (std::size_t c = 0; c < 3; ++c) {
            const double kc = k_f * static_cast<double>(wavenumber_index(s[c], n));
            k2 += kc * kc;
          }
          scale = k2 / kk;
        }
        delta.mode(i, j, k) = std::complex<double>(0.0, -scale) * dot;
        const double w = (k == 0 || is_nyquist(k, n)) ? 1.0 : 2.0;
        total += w * norm2;
        if (kk > 0.0) longitudinal += w * std::norm(dot) / kk;
      }
    }
  }
  if (curl_fraction != nullptr) {
    *curl_fraction = total > 0.0 ? std::max(0.0, 1.0 - longitudinal / total) : 0.0;
  }
}

}  // namespace detail

/// ψ1, ψ2 (unit growth) of the particles of an LPT initial-condition file at scale factor a.
///   positions: N³ entries in id order (core/box.hpp), Mpc/h, wrapped into [0, L) (any periodic
///              image is accepted; the displacement is taken as the minimum image);
///   momenta:   N³ entries, p = a³E dx/da in Mpc/h (docs/physics.md §1.2);
///   growth:    the cosmology the file is assumed to follow; order: 1 or 2.
/// Throws config_error for an invalid box, a span size other than N³, order not 1 or 2, or a not
/// covered by `growth`; numerical_error naming the particle id for a non-finite position or
/// momentum or a displacement component with |Ψ| ≥ L/4 (LPT ICs never move that far), and when
/// the iteration has not converged after 50 steps (naming the last change).
template <class Real>
[[nodiscard]] lpt_reconstruction lpt_from_particles(const box& grid,
                                                    std::span<const vec3<Real>> positions,
                                                    std::span<const vec3<Real>> momenta, double a,
                                                    const cosmology::growth& growth,
                                                    int order = 2) {
  grid.validate();
  require(order == 1 || order == 2, "lpt_from_particles order", order, "1 or 2");
  const std::size_t count = grid.particle_count();
  require(positions.size() == count, "lpt_from_particles positions.size()", positions.size(),
          lagframe::detail::concat("box.particles_1d^3 = ", count));
  require(momenta.size() == count, "lpt_from_particles momenta.size()", momenta.size(),
          lagframe::detail::concat("box.particles_1d^3 = ", count));
  require(std::isfinite(a) && a > 0.0, "lpt_from_particles scale factor a", a,
          "a positive, finite scale factor");
  const double d1 = growth.d1(a);  // config_error if a is outside the growth table
  const double d2 = growth.d2(a);
  const double t1 = growth.t_d1(a);
  const double t2 = growth.t_d2(a);

  // 1. Minimum-image displacements, validated serially (no throw inside a parallel region).
  const double side = grid.side_mpc_h;
  const double limit = 0.25 * side;
  std::vector<vec3<double>> psi_ic(count);
  double mean_abs = 0.0;
  for (std::size_t id = 0; id < count; ++id) {
    const auto q = grid.lagrangian_position<double>(id);
    for (std::size_t c = 0; c < 3; ++c) {
      const double x = static_cast<double>(positions[id][c]);
      const double p = static_cast<double>(momenta[id][c]);
      if (!std::isfinite(x) || !std::isfinite(p)) {
        throw numerical_error(lagframe::detail::concat(
            "lagframe: lpt_from_particles: particle id ", id, " has a non-finite ",
            std::isfinite(x) ? "momentum" : "position", " component ", c, " (x = ", x,
            ", p = ", p, ")"));
      }
      double d = x - q[c];
      d -= side * std::round(d / side);
      if (!(std::abs(d) < limit)) {
        throw numerical_error(lagframe::detail::concat(
            "lagframe: lpt_from_particles: particle id ", id, " is displaced by ", d,
            " Mpc/h along axis ", c, " from its Lagrangian position ", q[c],
            " (|Psi| >= L/4 = ", limit, " Mpc/h): not an LPT initial condition on this grid"));
      }
      psi_ic[id][c] = d;
    }
    mean_abs += std::sqrt(psi_ic[id][0] * psi_ic[id][0] + psi_ic[id][1] * psi_ic[id][1] +
                          psi_ic[id][2] * psi_ic[id][2]);
  }
  mean_abs /= static_cast<double>(count);

  lpt_reconstruction out;
  out.fields.grid = grid;
  out.fields.order = order;
  out.fields.psi1.resize(count);
  out.fields.psi2.assign(count, vec3<double>{0.0, 0.0, 0.0});
  std::vector<vec3<double>>& psi1 = out.fields.psi1;
  std::vector<vec3<double>>& psi2 = out.fields.psi2;
  const double inv_d1 = 1.0 / d1;
  for (std::size_t id = 0; id < count; ++id)
    for (std::size_t c = 0; c < 3; ++c) psi1[id][c] = psi_ic[id][c] * inv_d1;

  const std::size_t n = grid.particles_1d;
  const fft::r2c_plan<double> plan(n, fft::planning::estimate);
  std::array<real_field<double>, 3> comp{real_field<double>(n, side), real_field<double>(n, side),
                                         real_field<double>(n, side)};
  real_field<double> delta(n, side);

  // 2. Fixed-point iteration for ψ1 (order 2); a single step for order 1.
  out.iterations = 1;
  out.final_change = 0.0;
  if (order == 2) {
    const double tolerance = detail::lpt_reconstruction_tolerance * mean_abs;
    bool converged = false;
    for (int it = 1; it <= detail::lpt_reconstruction_max_iterations; ++it) {
      detail::divergence_modes(grid, psi1, plan, comp, delta, nullptr);
      const lpt_fields<double> next = lpt_displacements(grid, delta, 2);
      double change = 0.0;
#pragma omp parallel for schedule(static) reduction(max : change)
      for (std::size_t id = 0; id < count; ++id) {
        double d2sum = 0.0;
        for (std::size_t c = 0; c < 3; ++c) {
          const double updated = (psi_ic[id][c] - d2 * next.psi2[id][c]) * inv_d1;
          const double diff = updated - psi1[id][c];
          d2sum += diff * diff;
          psi1[id][c] = updated;
        }
        change = std::max(change, std::sqrt(d2sum));
      }
      psi2 = next.psi2;
      out.iterations = it;
      out.final_change = change;
      if (!std::isfinite(change)) break;
      if (d1 * change <= tolerance) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      throw numerical_error(lagframe::detail::concat(
          "lagframe: lpt_from_particles: the 2LPT fixed-point iteration did not converge after ",
          out.iterations, " iterations (last max |delta psi1| = ", out.final_change,
          " Mpc/h, needed D1 * change <= ", tolerance, " Mpc/h with D1 = ", d1,
          "): the displacements are too large for 2LPT at a = ", a));
    }
  }

  // Diagnostic: the part of ψ1 that is not a representable gradient; ψ2 from the final ψ1.
  detail::divergence_modes(grid, psi1, plan, comp, delta, &out.curl_fraction);
  if (order == 2) psi2 = lpt_displacements(grid, delta, 2).psi2;

  // 3. Velocity consistency.
  double diff2 = 0.0;
  double ref2 = 0.0;
  double worst2 = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : diff2, ref2) reduction(max : worst2)
  for (std::size_t id = 0; id < count; ++id) {
    double e2 = 0.0;
    for (std::size_t c = 0; c < 3; ++c) {
      const double p_lpt = t1 * psi1[id][c] + t2 * psi2[id][c];
      const double e = static_cast<double>(momenta[id][c]) - p_lpt;
      e2 += e * e;
      ref2 += p_lpt * p_lpt;
    }
    diff2 += e2;
    worst2 = std::max(worst2, e2);
  }
  if (ref2 > 0.0) {
    const double rms_ref = std::sqrt(ref2 / static_cast<double>(count));
    out.velocity_rms_relative_error = std::sqrt(diff2 / static_cast<double>(count)) / rms_ref;
    out.velocity_max_relative_error = std::sqrt(worst2) / rms_ref;
  } else {
    const double inf = std::numeric_limits<double>::infinity();
    out.velocity_rms_relative_error = diff2 > 0.0 ? inf : 0.0;
    out.velocity_max_relative_error = diff2 > 0.0 ? inf : 0.0;
  }
  return out;
}

}  // namespace lagframe::ic
