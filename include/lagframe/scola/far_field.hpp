// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file far_field.hpp
/// The full-box LPT potential that gives sCOLA tiles their Dirichlet boundary values
/// (docs/physics.md §11.5: the LPT potential evaluated at the boundary nodes, to second order).
///
/// In code units (∇²φ = δ) the tCOLA frame accelerates a particle by
///   −∇φ_LPT = D1 ψ1(q) + (D2 − D1²) ψ2(q)          (frame/lpt.hpp; TZE13),
/// with ψ1 = −∇φ1 and ψ2 = ∇φ2 (ic/lpt.hpp), i.e. φ_LPT = D1 φ1 − (D2 − D1²) φ2 as a function of
/// the *Lagrangian* position. The boundary needs φ at *Eulerian* mesh nodes x. With
/// q(x) = x − D1 ψ1(x) + O(D²), φ_LPT(q(x)) = D1 φ1(x) + D1² |ψ1(x)|² + …, and the potential
/// whose Eulerian gradient is the frame acceleration at first order in the Jacobian
/// (∇_x = (I + D1∇ψ1)⁻ᵀ∇_q, ∇ψ1 symmetric) is φ_LPT − ½ D1²|ψ1|². Together:
///   φ_BC(x, a) = D1 φ1(x) + ½ D1² |ψ1(x)|² − (D2 − D1²) φ2(x)  + O(D³)     (lpt_expanded)
/// which is exact to second order and, being a sum of fixed fields times functions of a,
/// is tabulated on each tile's boundary nodes once. The first-order form
///   φ_BC(x, a) = D1 φ1(x) − (D2 − D1²) φ2(x)                               (lpt_linear)
/// is kept for comparison. The alternative (docs/physics.md §11.5, `custom`), the full-box PM
/// potential of the LPT-displaced particles at every kick, needs a full-box solve per step and
/// per kick time; measured through boundary_potential::custom (64³ particles, 128 Mpc/h, 4³
/// tiles, max |P/P_tCOLA − 1| to k = 0.5 / 1 h/Mpc, min r to k = 1): d_b = L_t/2: option 2
/// 0.78 % / 0.91 %, r 0.9993; lpt_expanded 0.65 % / 1.01 %, r 0.9988; lpt_linear 5.2 % / 5.2 %.
/// d_b = L_t/4: option 2 5.7 % / 8.1 %, lpt_expanded 4.1 % / 9.6 %. The second-order LPT
/// potential is as good as the full-box solve at no full-box cost, so it is the default.
///
/// φ1 and φ2 are recovered from the displacement fields spectrally on the particle grid:
/// φ̂1 = i k·ψ̂1/k², φ̂2 = −i k·ψ̂2/k² (k = 0 mode zero). Nodes are interpolated with periodic
/// 4-point Lagrange interpolation per axis (error O((kΔq)⁴) for the smooth far field), done
/// plane by plane on the tile boundaries (far_field::plane).

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <functional>
#include <span>
#include <cstddef>
#include <memory>
#include <numbers>
#include <string_view>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/scola/dirichlet_poisson.hpp"

namespace lagframe::scola {

/// Which potential the tile faces get: the full-box LPT potential to second (lpt_expanded) or
/// first (lpt_linear) order, or values computed by a user's callback (custom; e.g. a full-box
/// PM solve of the LPT-displaced particles, docs/physics.md §11.5, as measured in
/// benchmarks/RESULTS.md).
enum class boundary_potential { lpt_expanded, lpt_linear, custom };

[[nodiscard]] inline std::string_view to_string(boundary_potential b) {
  return b == boundary_potential::lpt_expanded ? "lpt_expanded" : b == boundary_potential::lpt_linear ? "lpt_linear" : "custom";
}

/// A user-supplied boundary potential: fill phi[i] with φ (∇²φ = δ, Mpc/h units, any constant
/// offset) at the global positions nodes[i] at scale factor a. Called once per force evaluation
/// of every tile, possibly from several threads at once (OpenMP executor).
using boundary_callback =
    std::function<void(double a, std::span<const std::array<double, 3>> nodes, std::span<double> phi)>;

/// φ1, −φ2 and ½|ψ1|² on the full Lagrangian grid (read-only, shared by all tiles).
template <class Real>
class far_field {
 public:
  explicit far_field(const ic::lpt_fields<Real>& fields) : grid_(fields.grid) {
    grid_.validate();
    const std::size_t n = grid_.particles_1d;
    require(fields.psi1.size() == grid_.particle_count(), "far field psi1 size", fields.psi1.size(),
            lagframe::detail::concat(grid_.particle_count(), " displacements"));
    const bool second = fields.order == 2 && fields.psi2.size() == fields.psi1.size();
    phi1_ = potential_of(fields.psi1, 1.0);
    minus_phi2_ = second ? potential_of(fields.psi2, 1.0) : std::vector<Real>(n * n * n, Real(0));
    half_psi1_sq_.resize(n * n * n);
    for (std::size_t i = 0; i < half_psi1_sq_.size(); ++i) {
      const auto& v = fields.psi1[i];
      half_psi1_sq_[i] = static_cast<Real>(0.5 * (double(v[0]) * v[0] + double(v[1]) * v[1] + double(v[2]) * v[2]));
    }
  }

  [[nodiscard]] const box& grid() const { return grid_; }

  /// (φ1, −φ2, ½|ψ1|²) at a global position x (Mpc/h), periodic 4-point Lagrange interpolation.
  [[nodiscard]] std::array<double, 3> at(const std::array<double, 3>& x) const {
    const std::size_t n = grid_.particles_1d;
    const double inv_dq = 1.0 / grid_.lagrangian_spacing();
    std::array<long, 3> base{};
    std::array<std::array<double, 4>, 3> w{};
    for (int d = 0; d < 3; ++d) {
      const double u = x[d] * inv_dq;
      const double f = std::floor(u);
      const double t = u - f;
      base[d] = static_cast<long>(f) - 1;
      w[d] = {-t * (t - 1) * (t - 2) / 6, (t + 1) * (t - 1) * (t - 2) / 2, -(t + 1) * t * (t - 2) / 2,
              (t + 1) * t * (t - 1) / 6};
    }
    const long nl = static_cast<long>(n);
    const auto wrap = [nl](long i) { return static_cast<std::size_t>(((i % nl) + nl) % nl); };
    std::array<double, 3> out{0, 0, 0};
    for (int a = 0; a < 4; ++a) {
      const std::size_t ix = wrap(base[0] + a);
      for (int b = 0; b < 4; ++b) {
        const std::size_t iy = wrap(base[1] + b);
        const double wab = w[0][a] * w[1][b];
        for (int c = 0; c < 4; ++c) {
          const std::size_t id = (ix * n + iy) * n + wrap(base[2] + c);
          const double wt = wab * w[2][c];
          out[0] += wt * phi1_[id];
          out[1] += wt * minus_phi2_[id];
          out[2] += wt * half_psi1_sq_[id];
        }
      }
    }
    return out;
  }

  /// at() for a whole plane of points, separably: the plane ⊥ `axis` at coordinate `normal`,
  /// points (rows_b[j], rows_c[k]) along the other two axes in increasing order; out[j·nc + k].
  /// Same 4-point weights as at(), so the results agree with it to rounding, at 4 + 4 + 4 reads
  /// per point instead of 64 once the plane is wide.
  void plane(int axis, double normal, const std::vector<double>& rows_b, const std::vector<double>& rows_c,
             std::vector<std::array<double, 3>>& out) const {
    const long n = static_cast<long>(grid_.particles_1d);
    const double inv_dq = 1.0 / grid_.lagrangian_spacing();
    const auto weights = [inv_dq](double x, long& base, std::array<double, 4>& w) {
      const double u = x * inv_dq, f = std::floor(u), t = u - f;
      base = static_cast<long>(f) - 1;
      w = {-t * (t - 1) * (t - 2) / 6, (t + 1) * (t - 1) * (t - 2) / 2, -(t + 1) * t * (t - 2) / 2, (t + 1) * t * (t - 1) / 6};
    };
    const auto wrap = [n](long i) { return static_cast<std::size_t>(((i % n) + n) % n); };
    long base_a = 0;
    std::array<double, 4> wa{};
    weights(normal, base_a, wa);
    const std::size_t nb = rows_b.size(), nc = rows_c.size();
    std::vector<long> base_b(nb), base_c(nc);
    std::vector<std::array<double, 4>> wb(nb), wc(nc);
    for (std::size_t j = 0; j < nb; ++j) weights(rows_b[j], base_b[j], wb[j]);
    for (std::size_t k = 0; k < nc; ++k) weights(rows_c[k], base_c[k], wc[k]);
    const long rb0 = *std::min_element(base_b.begin(), base_b.end());
    const long rc0 = *std::min_element(base_c.begin(), base_c.end());
    const std::size_t rb = static_cast<std::size_t>(*std::max_element(base_b.begin(), base_b.end()) + 4 - rb0);
    const std::size_t rc = static_cast<std::size_t>(*std::max_element(base_c.begin(), base_c.end()) + 4 - rc0);
    const auto id = [&](std::size_t a, std::size_t b, std::size_t c) {
      const std::size_t un = grid_.particles_1d;
      if (axis == 0) return (a * un + b) * un + c;
      if (axis == 1) return (b * un + a) * un + c;
      return (b * un + c) * un + a;
    };
    // G: contracted along the normal, on the Lagrangian rows the plane needs.
    std::vector<std::array<double, 3>> g(rb * rc, {0, 0, 0});
    for (int a = 0; a < 4; ++a) {
      const std::size_t ia = wrap(base_a + a);
      for (std::size_t b = 0; b < rb; ++b) {
        const std::size_t ib = wrap(rb0 + static_cast<long>(b));
        for (std::size_t c = 0; c < rc; ++c) {
          const std::size_t i = id(ia, ib, wrap(rc0 + static_cast<long>(c)));
          auto& v = g[b * rc + c];
          v[0] += wa[a] * phi1_[i];
          v[1] += wa[a] * minus_phi2_[i];
          v[2] += wa[a] * half_psi1_sq_[i];
        }
      }
    }
    // H: contracted along the first in-plane axis for each point row.
    std::vector<std::array<double, 3>> h(nb * rc, {0, 0, 0});
    for (std::size_t j = 0; j < nb; ++j)
      for (int b = 0; b < 4; ++b) {
        const std::size_t row = static_cast<std::size_t>(base_b[j] + b - rb0);
        for (std::size_t c = 0; c < rc; ++c)
          for (int f = 0; f < 3; ++f) h[j * rc + c][f] += wb[j][b] * g[row * rc + c][f];
      }
    out.assign(nb * nc, {0, 0, 0});
    for (std::size_t j = 0; j < nb; ++j)
      for (std::size_t k = 0; k < nc; ++k) {
        auto& v = out[j * nc + k];
        for (int c = 0; c < 4; ++c) {
          const auto& hv = h[j * rc + static_cast<std::size_t>(base_c[k] + c - rc0)];
          for (int f = 0; f < 3; ++f) v[f] += wc[k][c] * hv[f];
        }
      }
  }

  [[nodiscard]] std::size_t bytes() const { return 3 * phi1_.size() * sizeof(Real); }

 private:
  // Σ_c i k_c ψ̂_c / k² (sign = +1 gives φ1 from ψ1 and −φ2 from ψ2).
  std::vector<Real> potential_of(const std::vector<vec3<Real>>& psi, double sign) const {
    const std::size_t n = grid_.particles_1d;
    const fft::r2c_plan<Real> plan(n, fft::planning::estimate);
    real_field<Real> work(n, grid_.side_mpc_h), sum(n, grid_.side_mpc_h);
    const double kf = 2.0 * std::numbers::pi / grid_.side_mpc_h;
    const double inv_cells = 1.0 / static_cast<double>(n * n * n);
    for (int c = 0; c < 3; ++c) {
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < n; ++k) work(i, j, k) = psi[(i * n + j) * n + k][c];
      plan.forward(work);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < work.complex_last(); ++k) {
            const std::array<double, 3> kv{kf * static_cast<double>(wavenumber_index(i, n)),
                                           kf * static_cast<double>(wavenumber_index(j, n)),
                                           kf * static_cast<double>(k)};
            const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
            if (k2 == 0.0) continue;
            const std::complex<double> v(work.mode(i, j, k));
            const std::complex<double> term = std::complex<double>(0.0, sign * kv[c] / k2 * inv_cells) * v;
            sum.mode(i, j, k) += std::complex<Real>(term);
          }
    }
    plan.backward(sum);
    std::vector<Real> out(n * n * n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < n; ++k) out[(i * n + j) * n + k] = sum(i, j, k);
    return out;
  }

  box grid_;
  std::vector<Real> phi1_, minus_phi2_, half_psi1_sq_;
};

/// The far field on one tile's boundary and ghost nodes, evaluated at any a. The nodes sit at
/// origin + shift + i·Δ: `shift` moves the tile mesh with the tile's bulk LPT displacement
/// (tile_system.hpp), so the values are interpolated from the far field at every evaluation,
/// plane by plane (far_field::plane): the x-planes of the shell whole, then the rest of the
/// y-planes, then the rest of the z-planes, so every boundary node is visited once.
template <class Real>
class tile_boundary {
 public:
  tile_boundary() = default;
  tile_boundary(const far_field<Real>& far, const std::array<double, 3>& origin, std::size_t cells,
                double spacing, boundary_potential kind, const boundary_callback* custom = nullptr)
      : far_(&far), custom_(custom), origin_(origin), cells_(cells), spacing_(spacing), kind_(kind) {
    require(kind != boundary_potential::custom || (custom != nullptr && *custom), "scola boundary", "custom",
            "a boundary callback (scola_options::custom_boundary)");
    const long g = node_grid<Real>::ghost, n = static_cast<long>(cells);
    for (long i = -g; i <= 0; ++i) shell_.push_back(i);
    for (long i = n; i <= n + g; ++i) shell_.push_back(i);
  }

  /// Writes φ_BC(x, a) (file comment) into the boundary nodes of phi, the mesh being displaced
  /// by `shift` (Mpc/h).
  void fill(node_grid<Real>& phi, const cosmology::growth& g, double a, const std::array<double, 3>& shift) const {
    const long gh = node_grid<Real>::ghost, n = static_cast<long>(cells_);
    if (kind_ == boundary_potential::custom) {
      std::vector<std::array<double, 3>> x;
      std::vector<std::size_t> where;
      for (long i = -gh; i <= n + gh; ++i)
        for (long j = -gh; j <= n + gh; ++j)
          for (long k = -gh; k <= n + gh; ++k) {
            if (!phi.is_boundary(i, j, k)) continue;
            x.push_back({origin_[0] + shift[0] + static_cast<double>(i) * spacing_,
                         origin_[1] + shift[1] + static_cast<double>(j) * spacing_,
                         origin_[2] + shift[2] + static_cast<double>(k) * spacing_});
            where.push_back(phi.index(i, j, k));
          }
      std::vector<double> values(x.size(), 0.0);
      (*custom_)(a, x, values);
      for (std::size_t s = 0; s < where.size(); ++s) {
        if (!std::isfinite(values[s]))
          throw numerical_error(lagframe::detail::concat("lagframe: the custom boundary potential is ", values[s],
                                                         " at (", x[s][0], ", ", x[s][1], ", ", x[s][2], ")"));
        phi.values()[where[s]] = static_cast<Real>(values[s]);
      }
      return;
    }
    const double d1 = g.d1(a), d2 = g.d2(a);
    const double c1 = d1, c2 = d2 - d1 * d1, c3 = kind_ == boundary_potential::lpt_expanded ? d1 * d1 : 0.0;
    const auto coords = [&](int axis, long lo, long hi) {
      std::vector<double> x;
      for (long i = lo; i <= hi; ++i) x.push_back(origin_[axis] + shift[axis] + static_cast<double>(i) * spacing_);
      return x;
    };
    std::vector<std::array<double, 3>> values;
    const auto put = [&](long i, long j, long k, const std::array<double, 3>& f) {
      phi(i, j, k) = static_cast<Real>(c1 * f[0] + c2 * f[1] + c3 * f[2]);
    };
    // x-planes of the shell: all (j, k).
    const auto all_y = coords(1, -gh, n + gh), all_z = coords(2, -gh, n + gh);
    for (long i : shell_) {
      far_->plane(0, origin_[0] + shift[0] + static_cast<double>(i) * spacing_, all_y, all_z, values);
      for (long j = -gh; j <= n + gh; ++j)
        for (long k = -gh; k <= n + gh; ++k) put(i, j, k, values[static_cast<std::size_t>((j + gh) * (n + 2 * gh + 1) + k + gh)]);
    }
    // y-planes: interior i, all k.
    const auto in_x = coords(0, 1, n - 1);
    for (long j : shell_) {
      far_->plane(1, origin_[1] + shift[1] + static_cast<double>(j) * spacing_, in_x, all_z, values);
      for (long i = 1; i < n; ++i)
        for (long k = -gh; k <= n + gh; ++k) put(i, j, k, values[static_cast<std::size_t>((i - 1) * (n + 2 * gh + 1) + k + gh)]);
    }
    // z-planes: interior i and j.
    const auto in_y = coords(1, 1, n - 1);
    for (long k : shell_) {
      far_->plane(2, origin_[2] + shift[2] + static_cast<double>(k) * spacing_, in_x, in_y, values);
      for (long i = 1; i < n; ++i)
        for (long j = 1; j < n; ++j) put(i, j, k, values[static_cast<std::size_t>((i - 1) * (n - 1) + j - 1)]);
    }
  }
  /// Boundary and ghost nodes filled per evaluation.
  [[nodiscard]] std::size_t nodes() const {
    const std::size_t all = cells_ + 2 * node_grid<Real>::ghost + 1, inner = cells_ - 1;
    return all * all * all - inner * inner * inner;
  }
  [[nodiscard]] std::size_t bytes() const { return (cells_ + 5) * (cells_ + 5) * sizeof(std::array<double, 3>) * 3; }

 private:
  const far_field<Real>* far_ = nullptr;
  const boundary_callback* custom_ = nullptr;
  std::array<double, 3> origin_{};
  std::size_t cells_ = 0;
  double spacing_ = 0;
  boundary_potential kind_ = boundary_potential::lpt_expanded;
  std::vector<long> shell_;
};

}  // namespace lagframe::scola
