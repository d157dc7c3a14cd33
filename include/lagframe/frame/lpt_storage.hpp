// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lpt_storage.hpp
/// How frame::lpt keeps its fields Ψ1 and Ψ2 (docs/physics.md §9.3): as given (`Real`, 12 B per
/// particle and field in float), or `fixed16`: one int16 per component and one scale per field,
///   s = max_{i,d} |Ψ_d(q_i)| / 32767,   Ψ_d(q_i) ≈ s · n_{i,d},   n = round(Ψ / s),
/// so every component is within s/2 of its value (6 B per particle and field). The error is
/// absolute, a fraction 1.5e-5 of the largest displacement of the field (e.g. 6e-4 Mpc/h for a
/// largest |Ψ1| of 40 Mpc/h), far below the force's; the frame's displacement and momentum then
/// differ from the float ones by at most D·s/2 and T[D]·s/2 per component.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::frame {

/// Storage tag: the LPT fields as int16 with one scale per field (lpt_storage.hpp).
struct fixed16 {};

template <class Real, class Storage>
class lpt_field;

/// The field as given.
template <class Real>
class lpt_field<Real, Real> {
 public:
  lpt_field() = default;
  explicit lpt_field(std::vector<vec3<Real>> values) : values_(std::move(values)) {}

  [[nodiscard]] Real operator()(std::size_t i, int d) const { return values_[i][static_cast<std::size_t>(d)]; }
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] bool empty() const { return values_.empty(); }
  [[nodiscard]] std::span<const vec3<Real>> values() const { return values_; }
  /// Largest difference from the given values: none.
  [[nodiscard]] double resolution() const { return 0.0; }
  [[nodiscard]] std::size_t bytes() const { return values_.size() * sizeof(vec3<Real>); }

 private:
  std::vector<vec3<Real>> values_;
};

/// The field as int16 with one scale.
template <class Real>
class lpt_field<Real, fixed16> {
 public:
  lpt_field() = default;
  explicit lpt_field(std::vector<vec3<Real>> values) {
    const std::size_t n = values.size();
    double largest = 0;
    std::size_t not_finite = 0;
#pragma omp parallel for schedule(static) reduction(max : largest) reduction(+ : not_finite)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t d = 0; d < 3; ++d) {
        const double v = std::abs(static_cast<double>(values[i][d]));
        if (std::isfinite(v)) largest = std::max(largest, v);
        else ++not_finite;
      }
    require(not_finite == 0, "LPT field for fixed16 storage: components that are not finite", not_finite,
            "finite displacements (largest |Psi| must set the scale)");
    scale_ = largest > 0.0 ? largest / 32767.0 : 1.0;
    scale_real_ = static_cast<Real>(scale_);
    counts_.resize(n);
    const double inverse = 1.0 / scale_;
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t d = 0; d < 3; ++d)
        counts_[i][d] = static_cast<std::int16_t>(std::lround(static_cast<double>(values[i][d]) * inverse));
  }

  [[nodiscard]] Real operator()(std::size_t i, int d) const {
    return scale_real_ * static_cast<Real>(counts_[i][static_cast<std::size_t>(d)]);
  }
  [[nodiscard]] std::size_t size() const { return counts_.size(); }
  [[nodiscard]] bool empty() const { return counts_.empty(); }
  /// Largest difference of a component from the given value: s/2 (plus the rounding of s·n).
  [[nodiscard]] double resolution() const { return 0.5 * scale_; }
  [[nodiscard]] std::size_t bytes() const { return counts_.size() * sizeof(counts_[0]); }

 private:
  std::vector<std::array<std::int16_t, 3>> counts_;
  double scale_ = 1.0;
  Real scale_real_ = 1;
};

}  // namespace lagframe::frame
