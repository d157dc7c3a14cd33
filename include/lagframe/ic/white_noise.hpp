// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file white_noise.hpp
/// Reproducible real-space white noise w(x) ~ N(0, 1) on an N³ grid, the first step of field
/// synthesis (docs/physics.md §4.1). Each node's value is a pure function of (seed, node), so
/// the field does not depend on the number of threads, the traversal order or any parallel
/// decomposition.
///
/// Generator: Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC'11), followed by the Box–Muller transform
/// (Box & Muller 1958).
///
/// **Seed → field contract** (users rely on it to reproduce a realisation; it never changes):
///   * key     = (seed mod 2³², ⌊seed / 2³²⌋)                      (two 32-bit words)
///   * counter = (node mod 2³², ⌊node / 2³²⌋, 0, 0)                (four 32-bit words; the two
///     upper words are zero and reserved)
///   * (x0, x1, x2, x3) = Philox4x32-10(counter, key)
///   * a = ((x1·2³² + x0) >> 11), b = ((x3·2³² + x2) >> 11)          (two 53-bit integers)
///   * u1 = (a + 1)·2⁻⁵³ ∈ (0, 1],  u2 = b·2⁻⁵³ ∈ [0, 1)
///   * w = √(−2 ln u1) · cos(2π u2)                                  (the sine partner is unused)
///
/// On an N³ grid node (i, j, k) uses node = (i·N + j)·N + k, the same numbering as particle ids
/// (core/box.hpp). The field therefore depends on N: the same seed on a different grid size gives
/// a different (independent-looking) field, not a refined version of the same one.
///
/// The 32-bit words are exact on every platform; the final double goes through std::log and
/// std::cos, so it is bit-identical on one platform/libm and equal to within a few ulp elsewhere.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

#include "lagframe/core/field.hpp"

namespace lagframe::ic {

namespace detail {

using philox_counter = std::array<std::uint32_t, 4>;
using philox_key = std::array<std::uint32_t, 2>;

/// One Philox4x32 round: two 32×32→64 multiplications, a word permutation and key mixing.
[[nodiscard]] constexpr philox_counter philox_round(const philox_counter& c, const philox_key& k) {
  constexpr std::uint64_t m0 = 0xD2511F53u;
  constexpr std::uint64_t m1 = 0xCD9E8D57u;
  const std::uint64_t p0 = m0 * c[0];
  const std::uint64_t p1 = m1 * c[2];
  return {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
          static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
}

/// Philox4x32 with 10 rounds; the key is bumped by the Weyl constants between rounds.
[[nodiscard]] constexpr philox_counter philox4x32_10(philox_counter c, philox_key k) {
  constexpr std::uint32_t w0 = 0x9E3779B9u;
  constexpr std::uint32_t w1 = 0xBB67AE85u;
  c = philox_round(c, k);
  for (int r = 1; r < 10; ++r) {
    k[0] += w0;
    k[1] += w1;
    c = philox_round(c, k);
  }
  return c;
}

}  // namespace detail

/// The N(0, 1) deviate of node `node` for `seed` (see the file comment for the exact contract).
[[nodiscard]] inline double white_noise(std::uint64_t seed, std::uint64_t node) {
  const detail::philox_counter counter{static_cast<std::uint32_t>(node),
                                       static_cast<std::uint32_t>(node >> 32), 0u, 0u};
  const detail::philox_key key{static_cast<std::uint32_t>(seed),
                               static_cast<std::uint32_t>(seed >> 32)};
  const auto x = detail::philox4x32_10(counter, key);
  const std::uint64_t a = ((static_cast<std::uint64_t>(x[1]) << 32) | x[0]) >> 11;
  const std::uint64_t b = ((static_cast<std::uint64_t>(x[3]) << 32) | x[2]) >> 11;
  constexpr double two_m53 = 0x1.0p-53;
  const double u1 = static_cast<double>(a + 1) * two_m53;  // (0, 1]: the log stays finite
  const double u2 = static_cast<double>(b) * two_m53;      // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

/// Fill every real-space node (i, j, k) of `field` with white_noise(seed, (i·N + j)·N + k),
/// rounded to Real; the r2c padding is set to zero. OpenMP-parallel; the result is bit-identical
/// for any thread count. Do not call from inside a parallel region.
template <class Real>
void fill_white_noise(real_field<Real>& field, std::uint64_t seed) {
  const std::size_t n = field.size_1d();
  const std::size_t padded = field.padded_last();
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Real* row = field.data() + field.index(i, j, 0);
      const std::uint64_t first = (static_cast<std::uint64_t>(i) * n + j) * n;
      for (std::size_t k = 0; k < n; ++k) row[k] = static_cast<Real>(white_noise(seed, first + k));
      for (std::size_t k = n; k < padded; ++k) row[k] = Real(0);
    }
  }
}

}  // namespace lagframe::ic
