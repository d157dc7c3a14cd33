// SPDX-License-Identifier: BSD-3-Clause
// fft::r2c_plan and FFTW wisdom: a forward and backward transform return N³ times the field;
// wisdom exported after a MEASURE plan and imported again lets a wisdom_only plan (which never
// measures) succeed, and without it wisdom_only is refused with a message naming the fix.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <string>

#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

TEST_CASE_TEMPLATE("r2c_plan: backward(forward(f)) = N^3 f" * doctest::test_suite("unit.fft"), Real, float, double) {
  const std::size_t n = 12;
  real_field<Real> f(n, 1.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) f(i, j, k) = static_cast<Real>(std::sin(0.3 * i + 0.7 * j) + 0.1 * k);
  real_field<Real> g = f;
  const fft::r2c_plan<Real> plan(n);
  plan.forward(g);
  plan.backward(g);
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        worst = std::max(worst, std::abs(static_cast<double>(g(i, j, k)) / (n * n * n) - static_cast<double>(f(i, j, k))));
  CHECK(worst < (sizeof(Real) == 4 ? 1e-5 : 1e-12));
}

TEST_CASE("FFTW wisdom: exported, forgotten, imported, reused without measuring" * doctest::test_suite("unit.fft")) {
  const test::scratch_dir dir("wisdom");
  const std::string prefix = (dir.path / "wisdom").string();
  CHECK_FALSE(fft::import_wisdom(prefix));  // no file yet: nothing read, no error
  fft::forget_wisdom();
  const std::size_t n = 20;
  CHECK_THROWS_WITH_AS(fft::r2c_plan<float>(n, fft::planning::wisdom_only),
                       doctest::Contains("plan once with planning = measure and export the wisdom"), config_error);
  { const fft::r2c_plan<float> measured(n, fft::planning::measure); }
  fft::export_wisdom(prefix);
  fft::forget_wisdom();
  CHECK_THROWS_AS(fft::r2c_plan<float>(n, fft::planning::wisdom_only), config_error);
  CHECK(fft::import_wisdom(prefix));
  CHECK_NOTHROW(fft::r2c_plan<float>(n, fft::planning::wisdom_only));  // no new MEASURE plan was needed
}
