// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file dirichlet_poisson.hpp
/// Poisson's equation ∇²φ = δ on a cube of N cells per side with Dirichlet boundary values,
/// solved with the type-I discrete sine transform (docs/physics.md §11.3; Hockney & Eastwood 1988
/// §6-5). Nodes sit at i·Δ, i = 0 … N per axis: the unknowns are the interior nodes 1 … N−1,
/// the boundary values live on the faces i = 0 and i = N, and two more ghost layers on each
/// side (i = −2, −1 and N+1, N+2) hold boundary values too, so a 4-point gradient can be taken
/// at every node 0 … N.
///
/// With φ = φ_h + φ_b, φ_h = 0 on the faces and φ_b harmonic under the 7-point Laplacian:
///   φ_b:  DST⁻¹[ DST(b) / λ_fd ],  b_ijk = −(1/Δ²) Σ_{face neighbours of ijk} φ_face,
///   φ_h:  DST⁻¹[ DST(δ) / λ ],     λ = λ_fd = −(4/Δ²) Σ_a sin²(π m_a / 2N)   (finite difference)
///                                   or λ = −(π/(NΔ))² Σ_a m_a²              (exact: the continuum
///                                   eigenvalue of the sine mode, as the periodic solver's 1/k²),
/// m_a = 1 … N−1. With the finite-difference choice the result satisfies the 7-point discrete
/// Poisson equation with the given boundary values to rounding.
///
/// Memory: one (N−1)³ Real work array and six (N−1)² faces. Serial (a tile is the unit of
/// parallelism); one object per concurrent caller.

#include <cmath>
#include <array>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/fft/dst_plan.hpp"
#include "lagframe/force/greens_function.hpp"

namespace lagframe::scola {

/// A cube of (N+5)³ node values for node indices −2 … N+2 per axis (row-major, z fastest).
template <class Real>
class node_grid {
 public:
  static constexpr long ghost = 2;

  node_grid() = default;
  explicit node_grid(std::size_t cells) : cells_(cells), side_(cells + 2 * ghost + 1) {
    require(cells >= 2, "tile mesh cells", cells, "at least 2 cells per side");
    data_.assign(side_ * side_ * side_, Real(0));
  }
  [[nodiscard]] std::size_t cells() const { return cells_; }
  /// Nodes per axis stored, N + 5.
  [[nodiscard]] std::size_t stored_1d() const { return side_; }
  [[nodiscard]] std::size_t index(long i, long j, long k) const {
    return (static_cast<std::size_t>(i + ghost) * side_ + static_cast<std::size_t>(j + ghost)) * side_ +
           static_cast<std::size_t>(k + ghost);
  }
  [[nodiscard]] Real& operator()(long i, long j, long k) { return data_[index(i, j, k)]; }
  [[nodiscard]] Real operator()(long i, long j, long k) const { return data_[index(i, j, k)]; }
  /// True for nodes that carry boundary values: any index outside the interior 1 … N−1.
  [[nodiscard]] bool is_boundary(long i, long j, long k) const {
    const long n = static_cast<long>(cells_);
    return i < 1 || j < 1 || k < 1 || i > n - 1 || j > n - 1 || k > n - 1;
  }
  [[nodiscard]] std::vector<Real>& values() { return data_; }
  [[nodiscard]] const std::vector<Real>& values() const { return data_; }
  void fill(Real v) { std::fill(data_.begin(), data_.end(), v); }

 private:
  std::size_t cells_ = 0;
  std::size_t side_ = 0;
  std::vector<Real> data_;
};

template <class Real>
class dirichlet_poisson {
 public:
  /// `cells` N per side, node spacing `spacing` Δ (Mpc/h); greens_function::exact or
  /// finite_difference (optimal is a periodic-mesh construction and is refused).
  dirichlet_poisson(std::size_t cells, double spacing,
                    force::greens_function greens = force::greens_function::exact,
                    fft::planning how = fft::planning::estimate)
      : n_(cells), spacing_(spacing), greens_(greens) {
    require(cells >= 3, "Dirichlet mesh cells", cells, "at least 3 cells per side");
    require(std::isfinite(spacing) && spacing > 0.0, "Dirichlet mesh spacing", spacing,
            "a positive length in Mpc/h");
    require(greens != force::greens_function::optimal, "Dirichlet Green's function", "optimal",
            "exact or finite_difference");
    const std::size_t m = n_ - 1;
    plan_ = fft::dst1_plan<Real>(m, how);
    face_plan_ = fft::dst1_plan<Real>(m, how, 2);
    work_.assign(m * m * m, Real(0));
    for (auto& f : faces_) f.assign(m * m, Real(0));
    const double norm = 1.0 / plan_.round_trip_factor();
    sin2_.resize(m);
    sin1_.resize(m);
    msq_.resize(m);
    for (std::size_t l = 0; l < m; ++l) {
      const double s = std::sin(std::numbers::pi * static_cast<double>(l + 1) / (2.0 * static_cast<double>(n_)));
      sin2_[l] = s * s;
      sin1_[l] = std::sin(std::numbers::pi * static_cast<double>(l + 1) / static_cast<double>(n_));
      msq_[l] = static_cast<double>((l + 1) * (l + 1));
    }
    fd_scale_ = -4.0 / (spacing_ * spacing_);
    const double kf = std::numbers::pi / (static_cast<double>(n_) * spacing_);
    exact_scale_ = -kf * kf;
    norm_ = norm;
  }

  [[nodiscard]] std::size_t cells() const { return n_; }
  [[nodiscard]] double spacing() const { return spacing_; }
  [[nodiscard]] force::greens_function greens() const { return greens_; }

  /// Solve ∇²φ = δ for the interior nodes of `phi`; `delta` gives δ at the interior nodes (its
  /// other nodes are ignored); the boundary nodes of `phi` (node_grid::is_boundary) must hold
  /// the Dirichlet values and are left unchanged.
  ///
  /// The boundary term b is non-zero only next to the faces, so its transform is assembled from
  /// 2D transforms of the six faces: for the face i = 0 (node layer i = 1),
  ///   DST(b)_lmn = −(2/Δ²) sin(π(l+1)/N) · DST2(φ(0, ·, ·))_mn,
  /// and the face i = N adds the same with the factor (−1)^l (sin(π(N−1)(l+1)/N)); likewise for
  /// y and z. One 3D transform forward (δ) and one back.
  void solve(const node_grid<Real>& delta, node_grid<Real>& phi) {
    require(delta.cells() == n_ && phi.cells() == n_, "Dirichlet grid cells", phi.cells(),
            lagframe::detail::concat("the solver's ", n_, " cells"));
    const long n = static_cast<long>(n_);
    const std::size_t m = n_ - 1;
    const auto at = [m](long a, long b) { return static_cast<std::size_t>(a - 1) * m + static_cast<std::size_t>(b - 1); };
    for (long i = 1; i < n; ++i)
      for (long j = 1; j < n; ++j)
        for (long k = 1; k < n; ++k) work_[(static_cast<std::size_t>(i - 1) * m + static_cast<std::size_t>(j - 1)) * m +
                                           static_cast<std::size_t>(k - 1)] = delta(i, j, k);
    for (long a = 1; a < n; ++a)
      for (long b = 1; b < n; ++b) {
        faces_[0][at(a, b)] = phi(0, a, b);
        faces_[1][at(a, b)] = phi(n, a, b);
        faces_[2][at(a, b)] = phi(a, 0, b);
        faces_[3][at(a, b)] = phi(a, n, b);
        faces_[4][at(a, b)] = phi(a, b, 0);
        faces_[5][at(a, b)] = phi(a, b, n);
      }
    plan_.transform(work_);
    for (auto& f : faces_) face_plan_.transform(f);
    const bool exact = greens_ == force::greens_function::exact;
    const double face_scale = -2.0 / (spacing_ * spacing_);
    for (std::size_t l = 0; l < m; ++l)
      for (std::size_t p = 0; p < m; ++p)
        for (std::size_t q = 0; q < m; ++q) {
          const std::size_t w = (l * m + p) * m + q;
          const double fd = fd_scale_ * (sin2_[l] + sin2_[p] + sin2_[q]);
          const double source = exact ? 1.0 / (exact_scale_ * (msq_[l] + msq_[p] + msq_[q])) : 1.0 / fd;
          const double sign_l = (l % 2 == 0) ? 1.0 : -1.0, sign_p = (p % 2 == 0) ? 1.0 : -1.0,
                       sign_q = (q % 2 == 0) ? 1.0 : -1.0;
          const double boundary =
              face_scale * (sin1_[l] * (double(faces_[0][p * m + q]) + sign_l * double(faces_[1][p * m + q])) +
                            sin1_[p] * (double(faces_[2][l * m + q]) + sign_p * double(faces_[3][l * m + q])) +
                            sin1_[q] * (double(faces_[4][l * m + p]) + sign_q * double(faces_[5][l * m + p])));
          work_[w] = static_cast<Real>(norm_ * (static_cast<double>(work_[w]) * source + boundary / fd));
        }
    plan_.transform(work_);
    for (long i = 1; i < n; ++i)
      for (long j = 1; j < n; ++j)
        for (long k = 1; k < n; ++k) {
          phi(i, j, k) = work_[(static_cast<std::size_t>(i - 1) * m + static_cast<std::size_t>(j - 1)) * m +
                               static_cast<std::size_t>(k - 1)];
        }
  }

  /// Bytes held by the solver (work arrays).
  [[nodiscard]] std::size_t bytes() const {
    return (work_.size() + 6 * faces_[0].size()) * sizeof(Real);
  }

 private:
  std::size_t n_;
  double spacing_;
  force::greens_function greens_;
  fft::dst1_plan<Real> plan_, face_plan_;
  std::vector<Real> work_;
  std::array<std::vector<Real>, 6> faces_;
  std::vector<double> sin2_, sin1_, msq_;
  double fd_scale_ = 0, exact_scale_ = 0, norm_ = 0;
};

}  // namespace lagframe::scola
