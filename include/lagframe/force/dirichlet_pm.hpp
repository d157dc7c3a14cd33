// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file dirichlet_pm.hpp
/// Particle-mesh gravity on a non-periodic cubic tile with Dirichlet boundary values: the
/// force of sCOLA tiles (Tassev et al. 2015; Leclercq et al. 2020; docs/physics.md §11.3–11.4).
///
/// The tile mesh has nodes at origin + i·Δ, i = 0 … N per axis (N cells of side Δ). One force
/// evaluation:
///   1. deposit the particles with stencil A onto the nodes, each carrying 1/(n̄Δ³) where n̄
///      is the mean number density of the *whole* box, so the nodes hold 1 + δ with δ the
///      density contrast with respect to the global mean (the far field is in the boundary
///      values, not in a tile-local mean);
///   2. ask the boundary provider for φ on the boundary and ghost nodes (node_grid), and solve
///      ∇²φ = δ for the interior with the sine transform (scola/dirichlet_poisson.hpp);
///   3. the 4-point central difference −∇φ at every node 0 … N (it reads the two ghost layers:
///      docs/physics.md §11.4), interpolated to the particles with the same stencil A.
/// A particle whose stencil reaches beyond the nodes 0 … N is *outside*: it deposits nothing,
/// gets zero acceleration and is flagged (outside()); sCOLA moves it with the frame (zero
/// residual force, docs/physics.md §11.2). Positions are global box coordinates (periodic of side L);
/// the tile is found by the minimal image from its centre.
///
/// Serial (a tile is the unit of parallelism): one object per concurrent caller. Memory: four
/// (N+5)³ node grids and the solver's (N−1)³ work arrays (bytes()).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/force/greens_function.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/scola/dirichlet_poisson.hpp"

namespace lagframe::force {

/// Where a tile mesh lies and what the mean density is.
struct tile_mesh {
  std::array<double, 3> origin{};   ///< position of node (0, 0, 0), Mpc/h (global coordinates)
  std::size_t cells = 0;            ///< N cells per side
  double spacing = 0;               ///< Δ, Mpc/h
  double periodic_side = 0;         ///< L of the periodic box the positions live in, Mpc/h
  double mean_density = 0;          ///< n̄, particles per (Mpc/h)³ of the whole box

  void validate() const {
    require(cells >= 3, "tile mesh cells", cells, "at least 3 cells per side");
    require(std::isfinite(spacing) && spacing > 0.0, "tile mesh spacing", spacing, "a positive length in Mpc/h");
    require(std::isfinite(periodic_side) && periodic_side > 0.0, "tile periodic box side", periodic_side,
            "a positive length in Mpc/h");
    // The minimal image from the tile centre must be unique: at most one cell beyond the box.
    require(static_cast<double>(cells - 1) * spacing <= periodic_side * (1.0 + 1e-12), "tile mesh extent",
            static_cast<double>(cells) * spacing,
            lagframe::detail::concat("at most the box side ", periodic_side, " Mpc/h plus one cell"));
    require(std::isfinite(mean_density) && mean_density > 0.0, "tile mean density", mean_density,
            "a positive number density");
  }
};

struct dirichlet_pm_options {
  /// exact (default): −1/k² per sine mode, the operator of the periodic default, so a tile
  /// covering the whole box reproduces the periodic tCOLA run (P(k) to 0.1 % up to k = 1 h/Mpc,
  /// 64³ particles in 128 Mpc/h); it rings (Gibbs) where the source does not vanish at the faces
  /// (an isolated point mass on a uniform background: tests/unit/scola/dirichlet_poisson.test.cpp).
  /// finite_difference: the 7-point Laplacian the sine basis diagonalises (that point mass right
  /// to 0.4 % beyond 3 cells), but 6 % excess power at k = 1 h/Mpc against the periodic run.
  greens_function greens = greens_function::exact;
  fft::planning planning = fft::planning::estimate;
};

template <mesh::mass_assignment Assignment, class Real = float>
class dirichlet_pm {
 public:
  using real_type = Real;
  static constexpr std::string_view name = "dirichlet_pm";
  /// Fills the boundary and ghost nodes of φ (node_grid::is_boundary) before each solve.
  using boundary_filler = std::function<void(scola::node_grid<Real>&)>;

  dirichlet_pm(const tile_mesh& mesh, dirichlet_pm_options options = {})
      : mesh_(mesh), options_(options),
        solver_((mesh.validate(), mesh.cells), mesh.spacing, options.greens, options.planning),
        rho_(mesh.cells), phi_(mesh.cells) {
    for (auto& g : acc_grid_) g = scola::node_grid<Real>(mesh.cells);
  }

  [[nodiscard]] const tile_mesh& mesh() const { return mesh_; }
  void set_boundary(boundary_filler filler) { boundary_ = std::move(filler); }
  /// Move the mesh (node 0 to `origin`, Mpc/h, global coordinates).
  void set_origin(const std::array<double, 3>& origin) { mesh_.origin = origin; }

  /// Local node coordinate s (in cells, node i at s = i) of a global position, per axis.
  [[nodiscard]] std::array<double, 3> local_coordinate(const vec3<Real>& x) const {
    std::array<double, 3> s{};
    const double half = 0.5 * static_cast<double>(mesh_.cells) * mesh_.spacing;
    for (int d = 0; d < 3; ++d) {
      double r = static_cast<double>(x[d]) - (mesh_.origin[d] + half);
      r -= mesh_.periodic_side * std::round(r / mesh_.periodic_side);
      s[d] = (r + half) / mesh_.spacing;
    }
    return s;
  }

  /// acc[i] = −∇φ(x_i) for particles inside the tile mesh, 0 (and flagged) outside.
  void accelerations(std::span<const vec3<Real>> positions, std::span<vec3<Real>> acc) {
    require(acc.size() == positions.size(), "acceleration count", acc.size(),
            lagframe::detail::concat(positions.size(), " positions"));
    if (!boundary_) throw config_error("lagframe::force::dirichlet_pm: no boundary values (call set_boundary first)");
    locate(positions);
    deposit(positions);
    phi_.fill(Real(0));
    boundary_(phi_);
    solver_.solve(rho_, phi_);
    gradient();
    interpolate(acc);
  }

  /// The potential φ on the nodes after the last evaluation (boundary values included).
  [[nodiscard]] const scola::node_grid<Real>& potential() const { return phi_; }
  /// δ on the nodes from the last deposit (only the interior enters the solve).
  [[nodiscard]] const scola::node_grid<Real>& density() const { return rho_; }
  /// 1 for each particle outside the mesh in the last evaluation.
  [[nodiscard]] std::span<const std::uint8_t> outside() const { return outside_; }
  [[nodiscard]] std::size_t outside_count() const { return outside_count_; }

  /// Bytes of meshes and work arrays held (particle-sized buffers not included).
  [[nodiscard]] std::size_t bytes() const {
    return 5 * phi_.values().size() * sizeof(Real) + solver_.bytes();
  }

 private:
  static constexpr int support = Assignment::support;

  void locate(std::span<const vec3<Real>> positions) {
    const std::size_t n = positions.size();
    first_.resize(n);
    u_.resize(n);
    outside_.assign(n, 0);
    outside_count_ = 0;
    const long last = static_cast<long>(mesh_.cells);
    for (std::size_t p = 0; p < n; ++p) {
      const auto s = local_coordinate(positions[p]);
      bool out = false;
      for (int d = 0; d < 3; ++d) {
        const double u = s[d] + 0.5;  // stencil convention: node i centred at u = i + ½
        const double f = Assignment::first_node(u);
        if (!(f >= 0.0 && f + support - 1 <= static_cast<double>(last))) out = true;
        first_[p][d] = out ? 0 : static_cast<long>(f);
        u_[p][d] = u;
      }
      if (out) {
        outside_[p] = 1;
        ++outside_count_;
      }
    }
  }

  template <class Visit>
  void for_stencil(std::size_t p, const Visit& visit) const {
    double w[3][support];
    for (int d = 0; d < 3; ++d) Assignment::weights(u_[p][d], static_cast<double>(first_[p][d]), w[d]);
    for (int a = 0; a < support; ++a)
      for (int b = 0; b < support; ++b)
        for (int c = 0; c < support; ++c)
          visit(first_[p][0] + a, first_[p][1] + b, first_[p][2] + c, w[0][a] * w[1][b] * w[2][c]);
  }

  void deposit(std::span<const vec3<Real>> positions) {
    rho_.fill(Real(0));
    const double h = mesh_.spacing;
    const double mass = 1.0 / (mesh_.mean_density * h * h * h);
    for (std::size_t p = 0; p < positions.size(); ++p) {
      if (outside_[p]) continue;
      for_stencil(p, [&](long i, long j, long k, double w) { rho_(i, j, k) += static_cast<Real>(mass * w); });
    }
    for (auto& v : rho_.values()) v -= Real(1);
  }

  void gradient() {
    const long n = static_cast<long>(mesh_.cells);
    const double c1 = 8.0 / (12.0 * mesh_.spacing), c2 = 1.0 / (12.0 * mesh_.spacing);
    for (long i = 0; i <= n; ++i)
      for (long j = 0; j <= n; ++j)
        for (long k = 0; k <= n; ++k) {
          const auto fd = [&](long di, long dj, long dk) {
            return c1 * (static_cast<double>(phi_(i + di, j + dj, k + dk)) - phi_(i - di, j - dj, k - dk)) -
                   c2 * (static_cast<double>(phi_(i + 2 * di, j + 2 * dj, k + 2 * dk)) -
                         phi_(i - 2 * di, j - 2 * dj, k - 2 * dk));
          };
          acc_grid_[0](i, j, k) = static_cast<Real>(-fd(1, 0, 0));
          acc_grid_[1](i, j, k) = static_cast<Real>(-fd(0, 1, 0));
          acc_grid_[2](i, j, k) = static_cast<Real>(-fd(0, 0, 1));
        }
  }

  void interpolate(std::span<vec3<Real>> acc) const {
    for (std::size_t p = 0; p < acc.size(); ++p) {
      if (outside_[p]) {
        acc[p] = vec3<Real>{Real(0), Real(0), Real(0)};
        continue;
      }
      double g[3] = {0, 0, 0};
      for_stencil(p, [&](long i, long j, long k, double w) {
        for (int d = 0; d < 3; ++d) g[d] += w * static_cast<double>(acc_grid_[d](i, j, k));
      });
      acc[p] = vec3<Real>{static_cast<Real>(g[0]), static_cast<Real>(g[1]), static_cast<Real>(g[2])};
    }
  }

  tile_mesh mesh_;
  dirichlet_pm_options options_;
  scola::dirichlet_poisson<Real> solver_;
  scola::node_grid<Real> rho_, phi_;
  std::array<scola::node_grid<Real>, 3> acc_grid_;
  boundary_filler boundary_;
  std::vector<std::array<long, 3>> first_;
  std::vector<std::array<double, 3>> u_;
  std::vector<std::uint8_t> outside_;
  std::size_t outside_count_ = 0;
};

}  // namespace lagframe::force
