// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file cell_list.hpp
/// A chaining-mesh neighbour search for the spherical-overdensity masses of halos/properties.hpp:
/// points counting-sorted into cubic cells (periodic box or the bounding box of an open set),
/// and a query that visits every point within a radius of a centre, with its separation vector
/// (minimum image in a periodic box). Building is O(N) and serial; queries are read-only and may
/// run concurrently. Not part of the public interface.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::halos::detail {

class cell_list {
 public:
  cell_list() = default;

  /// `side` > 0: periodic box of that side (points are wrapped); 0: open set. About
  /// `points_per_cell` points per cell on average (at most 256 cells per axis).
  template <class Real>
  cell_list(std::span<const vec3<Real>> x, double side, double points_per_cell = 2.0) : side_(side) {
    const std::size_t count = x.size();
    std::array<double, 3> lo{0, 0, 0}, hi{side, side, side};
    if (side <= 0.0 && count > 0) {
      lo = hi = {static_cast<double>(x[0][0]), static_cast<double>(x[0][1]), static_cast<double>(x[0][2])};
      for (const auto& p : x)
        for (std::size_t d = 0; d < 3; ++d) {
          lo[d] = std::min(lo[d], static_cast<double>(p[d]));
          hi[d] = std::max(hi[d], static_cast<double>(p[d]));
        }
    }
    const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-12});
    const double per_axis = std::cbrt(std::max(1.0, static_cast<double>(count) / points_per_cell));
    n_ = static_cast<std::size_t>(std::clamp(std::floor(per_axis), 1.0, 256.0));
    cell_ = extent / static_cast<double>(n_);
    if (side <= 0.0) cell_ *= 1.0 + 1e-12;  // the maximum falls inside the last cell
    origin_ = lo;
    std::vector<std::uint32_t> cell_of(count);
    start_.assign(n_ * n_ * n_ + 1, 0);
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t c = 0;
      for (std::size_t d = 0; d < 3; ++d) c = c * n_ + index(coordinate(static_cast<double>(x[i][d])), d);
      cell_of[i] = static_cast<std::uint32_t>(c);
      ++start_[c + 1];
    }
    for (std::size_t c = 0; c + 1 < start_.size(); ++c) start_[c + 1] += start_[c];
    std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
    index_.resize(count);
    points_.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t p = fill[cell_of[i]]++;
      index_[p] = i;
      for (std::size_t d = 0; d < 3; ++d) points_[p][d] = coordinate(static_cast<double>(x[i][d]));
    }
  }

  /// Calls visit(point index, separation vector from `centre`, squared distance) for every point
  /// within `radius` of `centre` (Mpc/h), in a fixed order (cells, then sorted position).
  template <class Visit>
  void for_each_within(const vec3<double>& centre, double radius, Visit&& visit) const {
    if (index_.empty()) return;
    const double r2 = radius * radius;
    std::array<long, 3> first{}, last{};
    for (std::size_t d = 0; d < 3; ++d) {
      first[d] = static_cast<long>(std::floor((centre[d] - radius - origin_[d]) / cell_));
      last[d] = static_cast<long>(std::floor((centre[d] + radius - origin_[d]) / cell_));
      if (periodic()) {
        if (last[d] - first[d] + 1 >= static_cast<long>(n_)) first[d] = 0, last[d] = static_cast<long>(n_) - 1;
      } else {
        first[d] = std::max(first[d], 0L);
        last[d] = std::min(last[d], static_cast<long>(n_) - 1);
      }
    }
    const long n = static_cast<long>(n_);
    const double half = 0.5 * side_;
    for (long i = first[0]; i <= last[0]; ++i) {
      const long ci = ((i % n) + n) % n;
      for (long j = first[1]; j <= last[1]; ++j) {
        const long cj = ((j % n) + n) % n;
        for (long k = first[2]; k <= last[2]; ++k) {
          const long ck = ((k % n) + n) % n;
          const auto c = static_cast<std::size_t>((ci * n + cj) * n + ck);
          for (std::size_t p = start_[c]; p < start_[c + 1]; ++p) {
            vec3<double> s{points_[p][0] - centre[0], points_[p][1] - centre[1], points_[p][2] - centre[2]};
            if (periodic())
              for (auto& v : s) v = v > half ? v - side_ : (v < -half ? v + side_ : v);
            const double d2 = s[0] * s[0] + s[1] * s[1] + s[2] * s[2];
            if (d2 <= r2) visit(index_[p], s, d2);
          }
        }
      }
    }
  }

  [[nodiscard]] bool periodic() const { return side_ > 0.0; }

 private:
  [[nodiscard]] double coordinate(double v) const { return periodic() ? wrap_periodic(v, side_) : v; }
  [[nodiscard]] std::size_t index(double v, std::size_t d) const {
    const double u = std::floor((v - origin_[d]) / cell_);
    if (u <= 0.0) return 0;
    return std::min(static_cast<std::size_t>(u), n_ - 1);
  }

  double side_ = 0, cell_ = 1;
  std::size_t n_ = 1;
  std::array<double, 3> origin_{};
  std::vector<std::size_t> start_;
  std::vector<std::size_t> index_;
  std::vector<vec3<double>> points_;
};

}  // namespace lagframe::halos::detail
