// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>

#include "lagframe/core/field.hpp"
#include "lagframe/ic/white_noise.hpp"

using namespace lagframe;

namespace {

struct omp_threads_guard {
  int saved = omp_get_max_threads();
  ~omp_threads_guard() { omp_set_num_threads(saved); }
};

template <class Real>
bool bitwise_equal(const real_field<Real>& a, const real_field<Real>& b) {
  return a.storage().size() == b.storage().size() &&
         std::memcmp(a.data(), b.data(), a.storage().size() * sizeof(Real)) == 0;
}

}  // namespace

TEST_CASE("Philox4x32-10 reproduces the Random123 known-answer vectors" *
          doctest::test_suite("unit.ic")) {
  // Random123 tests/kat_vectors, lines "philox4x32 10 <ctr[4]> <key[2]> <out[4]>".
  using ic::detail::philox4x32_10;
  CHECK(philox4x32_10({0u, 0u, 0u, 0u}, {0u, 0u}) ==
        ic::detail::philox_counter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  CHECK(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                      {0xffffffffu, 0xffffffffu}) ==
        ic::detail::philox_counter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  CHECK(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                      {0xa4093822u, 0x299f31d0u}) ==
        ic::detail::philox_counter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("white_noise follows the documented seed contract" * doctest::test_suite("unit.ic")) {
  // seed 0, node 0: key = (0, 0), counter = (0, 0, 0, 0) -> the first known-answer vector.
  const std::uint64_t a = ((std::uint64_t{0xe169c58du} << 32) | 0x6627e8d5u) >> 11;
  const std::uint64_t b = ((std::uint64_t{0x9b00dbd8u} << 32) | 0xbc57ac4cu) >> 11;
  const double u1 = static_cast<double>(a + 1) / 9007199254740992.0;
  const double u2 = static_cast<double>(b) / 9007199254740992.0;
  const double expected = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  CHECK(ic::white_noise(0, 0) == expected);
}

TEST_CASE("white noise on 32^3 has zero mean, unit variance, Gaussian kurtosis, no neighbour "
          "correlation" * doctest::test_suite("unit.ic")) {
  const std::size_t n = 32;
  real_field<double> f(n, 1.0);
  ic::fill_white_noise(f, 20240601);
  double s1 = 0, s2 = 0, s4 = 0, s11 = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) {
        const double x = f(i, j, k);
        s1 += x;
        s2 += x * x;
        s4 += x * x * x * x;
        s11 += x * f(i, j, (k + 1) % n);
      }
  const double m = static_cast<double>(f.cell_count());
  // 5 sigma of each sample estimator for N(0,1): sd(mean) = 1/sqrt(m), sd(<x^2>) = sqrt(2/m),
  // sd(<x^4>) = sqrt(96/m), sd(<x x'>) = 1/sqrt(m).
  CHECK(std::abs(s1 / m) < 5.0 / std::sqrt(m));
  CHECK(std::abs(s2 / m - 1.0) < 5.0 * std::sqrt(2.0 / m));
  CHECK(std::abs(s4 / m - 3.0) < 5.0 * std::sqrt(96.0 / m));
  CHECK(std::abs(s11 / m) < 5.0 / std::sqrt(m));
}

TEST_CASE("same seed gives the same field, another seed a different one" *
          doctest::test_suite("unit.ic")) {
  real_field<double> a(16, 1.0), b(16, 1.0), c(16, 1.0);
  ic::fill_white_noise(a, 7);
  ic::fill_white_noise(b, 7);
  ic::fill_white_noise(c, 8);
  CHECK(bitwise_equal(a, b));
  std::size_t same = 0;
  double cross = 0.0;
  for (std::size_t i = 0; i < 16; ++i)
    for (std::size_t j = 0; j < 16; ++j)
      for (std::size_t k = 0; k < 16; ++k) {
        same += (a(i, j, k) == c(i, j, k));
        cross += a(i, j, k) * c(i, j, k);
      }
  CHECK(same == 0);
  CHECK(std::abs(cross / 4096.0) < 5.0 / 64.0);  // uncorrelated to 5 sigma
  // Seeds differing only in the high word are different streams too.
  CHECK(ic::white_noise(1, 3) != ic::white_noise(1 + (std::uint64_t{1} << 32), 3));
  // Node numbering is (i*N + j)*N + k and the padding is zero.
  CHECK(a(2, 3, 5) == static_cast<double>(ic::white_noise(7, (2 * 16 + 3) * 16 + 5)));
  CHECK(a.data()[a.index(0, 0, 16)] == 0.0);
}

TEST_CASE_TEMPLATE("fill_white_noise is bit-identical at 1, 2 and 3 threads", Real, float,
                   double) {
  omp_threads_guard guard;
  const std::size_t n = 24;
  omp_set_num_threads(1);
  real_field<Real> ref(n, 1.0);
  ic::fill_white_noise(ref, 99);
  for (int t : {2, 3}) {
    omp_set_num_threads(t);
    real_field<Real> other(n, 1.0);
    ic::fill_white_noise(other, 99);
    CHECK(bitwise_equal(ref, other));
  }
}
