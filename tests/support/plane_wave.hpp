// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Zel'dovich plane wave (docs/physics.md §13.1): one mode along x, exact until shell crossing.
//   x(q, a) = q + D(a)/D_c · sin(kq)/k,   p(q, a) = T[D](a)/D_c · sin(kq)/k.

#include <cmath>
#include <numbers>

#include "lagframe/core/box.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::test {

struct plane_wave {
  box grid;
  int mode = 1;        // wavelength L/mode
  double d_cross = 2;  // growth factor at shell crossing

  [[nodiscard]] double k() const { return 2.0 * std::numbers::pi * mode / grid.side_mpc_h; }
  /// Ψ̂1 at unit growth.
  [[nodiscard]] double psi(double q) const { return std::sin(k() * q) / (k() * d_cross); }

  template <class Real>
  [[nodiscard]] ic::lpt_fields<Real> fields(int order) const {
    ic::lpt_fields<Real> f;
    f.grid = grid;
    f.order = order;
    const std::size_t n = grid.particle_count();
    f.psi1.assign(n, vec3<Real>{0, 0, 0});
    f.psi2.assign(order == 2 ? n : 0, vec3<Real>{0, 0, 0});
    for (std::size_t i = 0; i < n; ++i) f.psi1[i][0] = static_cast<Real>(psi(grid.lagrangian_position(i)[0]));
    return f;
  }

  /// Largest |x − x_exact| over all particles and axes, in units of the particle spacing.
  template <class Real>
  [[nodiscard]] double max_error_cells(std::span<const vec3<Real>> x, const cosmology::growth& g, double a) const {
    const double side = grid.side_mpc_h;
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto q = grid.lagrangian_position(i);
      for (int d = 0; d < 3; ++d) {
        const double exact = q[d] + (d == 0 ? g.d1(a) * psi(q[0]) : 0.0);
        double diff = static_cast<double>(x[i][d]) - exact;
        diff -= side * std::round(diff / side);
        worst = std::max(worst, std::abs(diff));
      }
    }
    return worst / grid.lagrangian_spacing();
  }
};

}  // namespace lagframe::test
