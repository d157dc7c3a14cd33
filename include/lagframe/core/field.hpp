// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file field.hpp
/// A periodic N³ grid of Real that doubles as its own half-complex Fourier transform
/// (FFTW's in-place r2c layout: the last dimension is padded to 2·(N/2+1) reals).
///
/// Real-space node (i, j, k) sits at (i, j, k)·Δ, Δ = L/N (box.hpp). In Fourier space the
/// element (i, j, k) with k ≤ N/2 holds mode (k_i, k_j, k_k) = 2π/L·(ĩ, j̃, k) where
/// ĩ = i for i ≤ N/2 and i − N above (see `wavenumber_index`).

#include <algorithm>
#include <complex>
#include <cstddef>
#include <span>

#include "lagframe/core/aligned_vector.hpp"
#include "lagframe/core/error.hpp"

namespace lagframe {

/// Signed frequency index of array index i on an N-point periodic axis.
[[nodiscard]] constexpr long wavenumber_index(std::size_t i, std::size_t n) {
  return i <= n / 2 ? static_cast<long>(i) : static_cast<long>(i) - static_cast<long>(n);
}

template <class Real>
class real_field {
 public:
  using real_type = Real;
  using complex_type = std::complex<Real>;

  real_field() = default;
  /// An N³ grid over a box of side `side` (Mpc/h), zero-initialised.
  real_field(std::size_t n, double side) : n_(n), side_(side) {
    require(n >= 2, "mesh size", n, "at least 2");
    require(side > 0.0, "mesh box side", side, "a positive length in Mpc/h");
    data_.assign(n * n * padded_last(), Real(0));
  }

  [[nodiscard]] std::size_t size_1d() const { return n_; }
  [[nodiscard]] double side() const { return side_; }
  [[nodiscard]] double spacing() const { return side_ / static_cast<double>(n_); }
  /// Number of reals in the padded last dimension.
  [[nodiscard]] std::size_t padded_last() const { return 2 * (n_ / 2 + 1); }
  /// Number of complex elements along the last dimension in Fourier space.
  [[nodiscard]] std::size_t complex_last() const { return n_ / 2 + 1; }
  [[nodiscard]] std::size_t cell_count() const { return n_ * n_ * n_; }

  /// Linear index of real-space node (i, j, k), all in [0, N).
  [[nodiscard]] std::size_t index(std::size_t i, std::size_t j, std::size_t k) const {
    return (i * n_ + j) * padded_last() + k;
  }
  Real& operator()(std::size_t i, std::size_t j, std::size_t k) { return data_[index(i, j, k)]; }
  Real operator()(std::size_t i, std::size_t j, std::size_t k) const {
    return data_[index(i, j, k)];
  }

  /// Linear index of Fourier element (i, j, k), k in [0, N/2].
  [[nodiscard]] std::size_t complex_index(std::size_t i, std::size_t j, std::size_t k) const {
    return (i * n_ + j) * complex_last() + k;
  }
  complex_type* complex_data() { return reinterpret_cast<complex_type*>(data_.data()); }
  const complex_type* complex_data() const {
    return reinterpret_cast<const complex_type*>(data_.data());
  }
  complex_type& mode(std::size_t i, std::size_t j, std::size_t k) {
    return complex_data()[complex_index(i, j, k)];
  }
  const complex_type& mode(std::size_t i, std::size_t j, std::size_t k) const {
    return complex_data()[complex_index(i, j, k)];
  }

  Real* data() { return data_.data(); }
  const Real* data() const { return data_.data(); }
  /// Raw storage including the padding (2·N²·(N/2+1) reals).
  std::span<Real> storage() { return data_; }
  std::span<const Real> storage() const { return data_; }

  /// Every element (padding included) set to value; OpenMP over x planes for large grids.
  void fill(Real value) {
    const std::size_t plane = n_ * padded_last();
#pragma omp parallel for schedule(static) if (data_.size() >= (std::size_t{1} << 20))
    for (std::size_t i = 0; i < n_; ++i) std::fill_n(data_.data() + i * plane, plane, value);
  }

  /// Sum over real-space nodes (padding excluded), in double, in a fixed order.
  [[nodiscard]] double sum() const {
    double total = 0.0;
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < n_; ++j) {
        const Real* row = data_.data() + index(i, j, 0);
        double row_sum = 0.0;
        for (std::size_t k = 0; k < n_; ++k) row_sum += row[k];
        total += row_sum;
      }
    return total;
  }

  /// Throws numerical_error naming the first non-finite node.
  void require_finite(std::string_view what) const {
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < n_; ++j)
        for (std::size_t k = 0; k < n_; ++k) {
          const Real v = (*this)(i, j, k);
          if (!std::isfinite(v)) {
            throw numerical_error(lagframe::detail::concat("lagframe: ", what, " has a non-finite value (",
                                                 v, ") at node (", i, ", ", j, ", ", k, ")"));
          }
        }
  }

 private:
  std::size_t n_ = 0;
  double side_ = 0.0;
  aligned_vector<Real> data_;
};

}  // namespace lagframe
