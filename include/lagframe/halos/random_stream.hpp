// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file random_stream.hpp
/// A counter-based random stream per object (per halo): the same generator as the white noise
/// of ic/white_noise.hpp (Philox4x32-10, Salmon et al. 2011), with the object's index in the
/// counter, so that the numbers an object receives depend only on (seed, object, draw number)
/// and never on threads or on the order in which objects are processed (docs/mocks.md §5.4).
///
/// **Contract** (catalogues are reproduced from it; it never changes):
///   * key     = (seed mod 2³², ⌊seed / 2³²⌋)
///   * counter = (object mod 2³², ⌊object / 2³²⌋, block, tag), block = 0, 1, 2, … in draw order,
///     tag = 0x4D4F434B ("MOCK"; keeps these streams apart from the white noise, whose upper
///     counter words are zero)
///   * each block gives (x0, x1, x2, x3) = Philox4x32-10(counter, key) and two uniforms
///     u = ((x1·2³² + x0) >> 11)·2⁻⁵³ then ((x3·2³² + x2) >> 11)·2⁻⁵³, in [0, 1)
///   * normal deviates by Box–Muller from two consecutive uniforms u₁, u₂:
///     √(−2 ln(1 − u₁))·cos 2πu₂, then √(−2 ln(1 − u₁))·sin 2πu₂ (both used)
///   * Poisson(λ) as a sum of Poisson(μ ≤ 16) chunks, each by inversion of one uniform (search
///     from 0); Bernoulli(p) as u < p.

#include <cmath>
#include <cstdint>
#include <numbers>

#include "lagframe/ic/white_noise.hpp"

namespace lagframe::halos {

class random_stream {
 public:
  static constexpr std::uint32_t tag = 0x4D4F434Bu;

  random_stream(std::uint64_t seed, std::uint64_t object)
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
        counter_{static_cast<std::uint32_t>(object), static_cast<std::uint32_t>(object >> 32), 0u, tag} {}

  /// Uniform deviate in [0, 1) with 53 random bits.
  double uniform() {
    if (available_ == 0) refill();
    return buffer_[2 - available_--];
  }

  /// Standard normal deviate (Box–Muller; the pair's second member is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(1.0 - u1));
    spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * std::numbers::pi * u2);
  }

  /// Poisson deviate of mean λ ≥ 0.
  std::uint64_t poisson(double lambda) {
    std::uint64_t total = 0;
    while (lambda > 0.0) {
      const double mu = lambda > 16.0 ? 16.0 : lambda;
      lambda -= mu;
      const double u = uniform();
      double p = std::exp(-mu), cdf = p;
      std::uint64_t k = 0;
      while (u >= cdf && k < 1000) {
        ++k;
        p *= mu / static_cast<double>(k);
        cdf += p;
      }
      total += k;
    }
    return total;
  }

  bool bernoulli(double p) { return uniform() < p; }

 private:
  void refill() {
    const auto x = ic::detail::philox4x32_10(counter_, key_);
    ++counter_[2];
    constexpr double two_m53 = 0x1.0p-53;
    buffer_[0] = static_cast<double>((((static_cast<std::uint64_t>(x[1]) << 32) | x[0]) >> 11)) * two_m53;
    buffer_[1] = static_cast<double>((((static_cast<std::uint64_t>(x[3]) << 32) | x[2]) >> 11)) * two_m53;
    available_ = 2;
  }

  ic::detail::philox_key key_;
  ic::detail::philox_counter counter_;
  double buffer_[2] = {0, 0};
  int available_ = 0;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace lagframe::halos
