// SPDX-License-Identifier: BSD-3-Clause
// analysis::power_multipoles: a plane wave along and across the line of sight (exact Legendre
// weights), the Kaiser factors, Kaiser's multipoles of a linear displaced lattice shifted into
// redshift space (through halos::redshift_space_positions_from_momenta), shot-noise subtraction
// of a Poisson set, identical results for 1 and 2 threads, errors.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

#include "lagframe/analysis/multipoles.hpp"
#include "lagframe/cosmology/linear_power.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/halos/redshift_space.hpp"
#include "lagframe/ic/gaussian_field.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"

using namespace lagframe;

TEST_CASE("a plane wave along and across the line of sight" * doctest::test_suite("unit.analysis")) {
  const std::size_t n = 16;
  const double side = 100.0, amp = 0.2;
  real_field<double> f(n, side);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) f(i, j, k) = amp * std::cos(2.0 * std::numbers::pi * 3.0 * k / n);
  fft::r2c_plan<double>(n).forward(f);
  const analysis::spectrum_options opt{.grid_1d = n};
  const auto along = analysis::power_multipoles_of_modes(f, 2, opt);
  const auto across = analysis::power_multipoles_of_modes(f, 0, opt);
  std::size_t bin = 0;
  while (along.k[bin] < 2.5 * 2.0 * std::numbers::pi / side) ++bin;  // the |m| = 3 shell
  REQUIRE(along.p0[bin] > 0.0);
  CHECK(along.p2[bin] / along.p0[bin] == doctest::Approx(5.0));                  // 5 L2(1)
  CHECK(along.p4[bin] / along.p0[bin] == doctest::Approx(9.0));                  // 9 L4(1)
  CHECK(across.p2[bin] / across.p0[bin] == doctest::Approx(-2.5));               // 5 L2(0)
  CHECK(across.p4[bin] / across.p0[bin] == doctest::Approx(9.0 * 3.0 / 8.0));    // 9 L4(0)
  CHECK(along.p0[bin] == doctest::Approx(across.p0[bin]));
  for (std::size_t b = 0; b < along.k.size(); ++b)
    if (b != bin) CHECK(std::abs(along.p0[b]) < 1e-20);
  const auto k = analysis::kaiser_factors(1.0, 0.5);
  CHECK(k[0] == doctest::Approx(1.0 + 1.0 / 3.0 + 0.05));
  CHECK(k[1] == doctest::Approx(2.0 / 3.0 + 1.0 / 7.0));
  CHECK(k[2] == doctest::Approx(2.0 / 35.0));
}

TEST_CASE("Kaiser multipoles of a linear displaced lattice in redshift space" * doctest::test_suite("unit.analysis")) {
  // 32³ particles in 2000 Mpc/h displaced by D ψ1 with D = 0.05 (linear: kΨ ≲ 0.02 for the bins
  // used), momenta p = f D ψ1 at a = 1 so that the redshift-space shift is f D ψ_∥ and, to first
  // order, δ_s(k) = (1 + fμ²) δ(k) mode by mode (Kaiser 1987). The expected multipoles are that
  // relation summed over the same grid modes, weighted by the measured real-space |δ(k)|²: on
  // small shells the grid's μ sampling is far from isotropic, so the continuum factors are only
  // approached on large shells.
  const box b{.side_mpc_h = 2000.0, .particles_1d = 32};
  const cosmology::parameters cosmo{.omega_m = 1.0, .omega_b = 0.04, .h = 0.7, .n_s = 1.0, .sigma_8 = 0.8};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto delta = ic::linear_density_modes<double>(b, power, {.seed = 3});
  const auto fields = ic::lpt_displacements(b, delta, 1);
  const double d = 0.05, f = 0.6;
  std::vector<vec3<double>> x(b.particle_count()), p(b.particle_count());
  for (std::size_t id = 0; id < x.size(); ++id) {
    const auto q = b.lagrangian_position(id);
    for (int c = 0; c < 3; ++c) {
      x[id][c] = wrap_periodic(q[c] + d * fields.psi1[id][c], b.side_mpc_h);
      p[id][c] = f * d * fields.psi1[id][c];
    }
  }
  const std::size_t n = 32;
  // TSC with interlacing: the mesh's aliased images carry another μ, so they are suppressed.
  const analysis::spectrum_options opt{.grid_1d = n, .interlacing = true};
  const auto real_modes = analysis::density_modes<mesh::tsc, double>(x, b.side_mpc_h, opt);
  const auto real = analysis::power_multipoles_of_modes<mesh::tsc>(real_modes, 2, opt);
  const analysis::detail::binning bins(n, b.side_mpc_h, opt);
  const double norm = std::pow(b.side_mpc_h, 3) / std::pow(static_cast<double>(n), 6);
  std::vector<double> p0(real.k.size(), 0.0), p2(real.k.size(), 0.0), p4(real.k.size(), 0.0);
  std::vector<double> e0(real.k.size(), 0.0), e2(real.k.size(), 0.0), e4(real.k.size(), 0.0);
  for (int axis = 0; axis < 3; ++axis) {
    const auto s = halos::redshift_space_positions_from_momenta<double>(x, p, cosmo, 1.0, {.axis = axis, .side = b.side_mpc_h});
    const auto m = analysis::power_multipoles<mesh::tsc, double>(s, b.side_mpc_h, axis, opt);
    const auto e = analysis::detail::accumulate_bins(n, bins, 3, [&](std::size_t i, std::size_t j, std::size_t k, double w, double* acc) {
      const double pk = norm * std::norm(std::complex<double>(real_modes.complex_data()[real_modes.complex_index(i, j, k)]));
      const double mm[3] = {static_cast<double>(wavenumber_index(i, n)), static_cast<double>(wavenumber_index(j, n)),
                            static_cast<double>(k)};
      const double mu2 = mm[axis] * mm[axis] / (mm[0] * mm[0] + mm[1] * mm[1] + mm[2] * mm[2]);
      const double ps = pk * (1.0 + f * mu2) * (1.0 + f * mu2);
      acc[0] += w * ps;
      acc[1] += w * ps * 2.5 * (3.0 * mu2 - 1.0);
      acc[2] += w * ps * 9.0 * (35.0 * mu2 * mu2 - 30.0 * mu2 + 3.0) / 8.0;
    });
    for (std::size_t i = 0; i < m.k.size(); ++i) {
      p0[i] += m.p0[i] / 3.0, p2[i] += m.p2[i] / 3.0, p4[i] += m.p4[i] / 3.0;
      e0[i] += e[2][i] / e[0][i] / 3.0, e2[i] += e[3][i] / e[0][i] / 3.0, e4[i] += e[4][i] / e[0][i] / 3.0;
    }
  }
  // Bins 1–9 (k = 2–10 k_f ≤ 0.032 h/Mpc ≈ 0.6 k_N).
  double sum2 = 0, sum0 = 0;
  for (std::size_t i = 1; i < 10; ++i) {
    CAPTURE(real.k[i]);
    CHECK(p0[i] == doctest::Approx(e0[i]).epsilon(0.01).scale(0));
    CHECK(p2[i] == doctest::Approx(e2[i]).epsilon(0.02).scale(0));
    CHECK(std::abs(p4[i] - e4[i]) < 0.01 * p0[i]);
    sum2 += p2[i] * real.modes[i], sum0 += p0[i] * real.modes[i];
  }
  // Over these modes the continuum Kaiser ratio holds to a few per cent.
  const auto kaiser = analysis::kaiser_factors(1.0, f);
  CHECK(sum2 / sum0 == doctest::Approx(kaiser[1] / kaiser[0]).epsilon(0.05).scale(0));
}

TEST_CASE("shot noise subtraction, thread count, errors" * doctest::test_suite("unit.analysis")) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 100.0);
  std::vector<vec3<double>> x(20000);
  for (auto& v : x) v = {u(rng), u(rng), u(rng)};
  analysis::spectrum_options opt{.grid_1d = 32, .subtract_shot_noise = true};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = analysis::power_multipoles<mesh::tsc, double>(x, 100.0, 1, opt);
  omp_set_num_threads(2);
  const auto two = analysis::power_multipoles<mesh::tsc, double>(x, 100.0, 1, opt);
  omp_set_num_threads(saved);
  CHECK(one.p0 == two.p0);
  CHECK(one.p2 == two.p2);
  CHECK(one.shot_noise == doctest::Approx(1e6 / 20000.0));
  // Poisson: every multipole vanishes after subtraction, within the mode noise.
  double mean0 = 0, mean2 = 0, count = 0;
  for (std::size_t i = 0; i < one.k.size(); ++i) mean0 += one.p0[i] * one.modes[i], mean2 += one.p2[i] * one.modes[i], count += one.modes[i];
  CHECK(std::abs(mean0 / count) < 0.03 * one.shot_noise);
  CHECK(std::abs(mean2 / count) < 0.06 * one.shot_noise);
  CHECK_THROWS_WITH_AS((analysis::power_multipoles<mesh::tsc, double>(x, 100.0, 3, opt)),
                       doctest::Contains("line-of-sight axis = 3"), config_error);
}
