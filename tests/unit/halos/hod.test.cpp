// SPDX-License-Identifier: BSD-3-Clause
// halos::populate_hod and its pieces: the Zheng et al. (2007) occupation functions, the mean
// numbers of centrals and satellites per mass bin against the model (within Poisson/binomial
// errors), the satellites' radial distribution against NFW (Kolmogorov–Smirnov p > 0.01), the
// Lambert-W inverse of the NFW mass profile, the Duffy et al. (2008) concentrations, the
// satellites' velocity dispersion, identical catalogues for 1, 2 and 3 threads, the counter
// streams, and errors for parameters outside their domain.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "lagframe/halos/hod.hpp"

using namespace lagframe;

namespace {

/// Kolmogorov–Smirnov p-value of the maximum distance d for n samples (Stephens 1970's
/// effective n and the asymptotic series Q(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}).
double ks_p_value(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  const double lambda = (sn + 0.12 + 0.11 / sn) * d;
  double q = 0;
  for (int k = 1; k <= 100; ++k) q += 2.0 * (k % 2 == 1 ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(q, 0.0, 1.0);
}

/// Maximum distance between the empirical CDF of u (sorted here) and the uniform CDF.
double ks_uniform_distance(std::vector<double> u) {
  std::sort(u.begin(), u.end());
  const double n = static_cast<double>(u.size());
  double d = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    d = std::max({d, (static_cast<double>(i) + 1.0) / n - u[i], u[i] - static_cast<double>(i) / n});
  return d;
}

/// `count` halos with log-uniform masses in [1e12, 1e15.3] Msun/h, R = R_200m, σ = 300 km/s, in a
/// 500 Mpc/h box.
struct synthetic_halos {
  std::vector<vec3<double>> x, v;
  std::vector<double> m, r, s;
  explicit synthetic_halos(std::size_t count, unsigned seed = 3) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double rho = 200.0 * 0.3111 * halos::rho_crit_msun_h_per_mpc_h3;
    for (std::size_t i = 0; i < count; ++i) {
      x.push_back({500 * u(rng), 500 * u(rng), 500 * u(rng)});
      v.push_back({100 * u(rng), -50.0, 20.0});
      m.push_back(std::pow(10.0, 12.0 + 3.3 * u(rng)));
      r.push_back(std::cbrt(3.0 * m.back() / (4.0 * std::numbers::pi * rho)));
      s.push_back(300.0);
    }
  }
  [[nodiscard]] halos::hod_halos view() const { return {x, v, m, r, s}; }
};

}  // namespace

TEST_CASE("occupation functions of Zheng et al. (2007)" * doctest::test_suite("unit.halos")) {
  const halos::hod_parameters p{.log_m_min = 13.0, .sigma_log_m = 0.5, .log_m0 = 12.5, .log_m1 = 14.0, .alpha = 1.2};
  CHECK(p.mean_centrals(1e13) == doctest::Approx(0.5));
  CHECK(p.mean_centrals(std::pow(10.0, 13.5)) == doctest::Approx(0.5 * (1.0 + std::erf(1.0))));
  CHECK(p.mean_centrals(0.0) == 0.0);
  CHECK(p.mean_satellites(std::pow(10.0, 12.4)) == 0.0);
  const double m = std::pow(10.0, 12.5) + 1e14;
  CHECK(p.mean_satellites(m) == doctest::Approx(1.0));
  CHECK(p.mean_satellites(std::pow(10.0, 12.5) + 3e14) == doctest::Approx(std::pow(3.0, 1.2)));
  halos::hod_parameters q = p;
  q.satellites_follow_centrals = true;
  CHECK(q.mean_satellites(m) == doctest::Approx(p.mean_centrals(m)));
}

TEST_CASE("Lambert W, the NFW inverse profile and Duffy et al. (2008) concentrations" * doctest::test_suite("unit.halos")) {
  for (double z : {-1.0 / std::numbers::e + 1e-12, -0.3, -0.1, -1e-3, -1e-8}) {
    const double w = halos::lambert_w0(z);
    CHECK(w * std::exp(w) == doctest::Approx(z).epsilon(1e-9).scale(0));
    CHECK(w >= -1.0);
  }
  for (double c : {2.0, 5.0, 15.0})
    for (double u : {1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999999}) {
      const double x = halos::nfw_inverse_cdf(u, c);
      CHECK(halos::nfw_mass_shape(x) / halos::nfw_mass_shape(c) == doctest::Approx(u).epsilon(1e-6).scale(0));
    }
  CHECK(halos::nfw_inverse_cdf(0.0, 5.0) == 0.0);
  CHECK(halos::nfw_inverse_cdf(1.0, 5.0) == doctest::Approx(5.0).epsilon(1e-9));
  CHECK(halos::concentration(halos::concentration_model::duffy08_200c, 2e12, 0.0) == doctest::Approx(5.71));
  CHECK(halos::concentration(halos::concentration_model::duffy08_200m, 2e14, 1.0) ==
        doctest::Approx(10.14 * std::pow(100.0, -0.081) * std::pow(2.0, -1.01)));
  CHECK(halos::concentration(halos::concentration_model::duffy08_virial, 2e12, 0.0) == doctest::Approx(7.85));
}

TEST_CASE("mean occupation per mass bin reproduces the model within Poisson errors" * doctest::test_suite("unit.halos")) {
  const synthetic_halos h(40000);
  const halos::hod_parameters p{.log_m_min = 13.0, .sigma_log_m = 0.4, .log_m0 = 12.8, .log_m1 = 13.9, .alpha = 1.1};
  const auto gal = halos::populate_hod(h.view(), p, {.seed = 17}, 1.0, 500.0);
  const int bins = 11;
  std::vector<double> cen(bins, 0), sat(bins, 0), e_cen(bins, 0), v_cen(bins, 0), e_sat(bins, 0);
  auto bin_of = [](double m) { return std::min(10, static_cast<int>((std::log10(m) - 12.0) / 0.3)); };
  for (std::size_t i = 0; i < h.m.size(); ++i) {
    const int b = bin_of(h.m[i]);
    const double pc = p.mean_centrals(h.m[i]);
    e_cen[b] += pc;
    v_cen[b] += pc * (1.0 - pc);
    e_sat[b] += p.mean_satellites(h.m[i]);
  }
  for (std::size_t g = 0; g < gal.size(); ++g) {
    const int b = bin_of(h.m[gal.halo[g]]);
    (gal.central[g] ? cen : sat)[b] += 1.0;
  }
  double chi2 = 0;
  for (int b = 0; b < bins; ++b) {
    CAPTURE(b);
    CHECK(std::abs(cen[b] - e_cen[b]) <= 3.0 * std::sqrt(v_cen[b]) + 1e-9);
    CHECK(std::abs(sat[b] - e_sat[b]) <= 3.0 * std::sqrt(e_sat[b]) + 1e-9);
    if (v_cen[b] > 0) chi2 += std::pow(cen[b] - e_cen[b], 2) / v_cen[b];
    if (e_sat[b] > 0) chi2 += std::pow(sat[b] - e_sat[b], 2) / e_sat[b];
  }
  MESSAGE("centrals + satellites: ", gal.size(), ", chi2 = ", chi2, " for ~", 2 * bins - 1, " bins");
  // measure_occupation bins the same way (0.3 dex from 10^12; the last bin here is open above,
  // so it is compared without it) and divides by the haloes per bin.
  const auto t = halos::measure_occupation(h.m, gal, p, 12.0, 0.3, bins - 1);
  for (int b = 0; b < bins - 1; ++b) {
    CAPTURE(b);
    double n = 0;
    for (double m : h.m) n += bin_of(m) == b ? 1.0 : 0.0;
    CHECK(t.halos[b] == n);
    CHECK(t.centrals[b] * n == doctest::Approx(cen[b]));
    CHECK(t.satellites[b] * n == doctest::Approx(sat[b]));
    CHECK(t.centrals_model[b] * n == doctest::Approx(e_cen[b]));
    CHECK(t.satellites_model[b] * n == doctest::Approx(e_sat[b]));
    CHECK(t.mass_centre[b] == doctest::Approx(std::pow(10.0, 12.0 + 0.3 * (b + 0.5))));
  }
  CHECK_THROWS_AS(halos::measure_occupation(h.m, gal, p, 12.0, 0.0, 5), config_error);
  CHECK_THROWS_AS(halos::measure_occupation(h.m, gal, p, 12.0, 0.3, 0), config_error);
  CHECK(chi2 < 45.0);  // 21 degrees of freedom: p ≈ 0.002 at 45
  // Centrals sit at the centre with the halo velocity.
  for (std::size_t g = 0; g < gal.size(); ++g)
    if (gal.central[g]) {
      CHECK(gal.position[g] == h.x[gal.halo[g]]);
      CHECK(gal.velocity[g] == h.v[gal.halo[g]]);
      break;
    }
}

TEST_CASE("satellite radii follow NFW (KS p > 0.01) and velocities the halo dispersion" * doctest::test_suite("unit.halos")) {
  const synthetic_halos h(20000, 8);
  const halos::hod_parameters p{.log_m_min = 12.5, .sigma_log_m = 0.3, .log_m0 = 12.5, .log_m1 = 13.5, .alpha = 1.0};
  const double a = 0.8, side = 500.0;
  const auto gal = halos::populate_hod(h.view(), p, {.seed = 5}, a, side);
  std::vector<double> u;
  double sum_v2 = 0;
  std::size_t nsat = 0;
  for (std::size_t g = 0; g < gal.size(); ++g) {
    if (gal.central[g]) continue;
    const std::size_t k = gal.halo[g];
    double r2 = 0;
    for (int d = 0; d < 3; ++d) {
      double dx = gal.position[g][d] - h.x[k][d];
      dx -= side * std::round(dx / side);
      r2 += dx * dx;
      sum_v2 += std::pow(gal.velocity[g][d] - h.v[k][d], 2);
    }
    const double c = halos::concentration(halos::concentration_model::duffy08_200m, h.m[k], 1.0 / a - 1.0);
    const double x = std::sqrt(r2) / (h.r[k] / c);
    CHECK(x <= c * (1.0 + 1e-9));
    u.push_back(halos::nfw_mass_shape(x) / halos::nfw_mass_shape(c));  // uniform if r follows NFW
    ++nsat;
  }
  REQUIRE(nsat > 5000);
  const double d = ks_uniform_distance(u);
  const double pks = ks_p_value(d, u.size());
  MESSAGE(nsat, " satellites: KS distance ", d, ", p = ", pks);
  CHECK(pks > 0.01);
  // A wrong profile (uniform in r/R) must fail the same test.
  std::vector<double> wrong;
  for (std::size_t i = 0; i < u.size(); ++i) wrong.push_back(std::pow(u[i], 0.8));
  CHECK(ks_p_value(ks_uniform_distance(wrong), wrong.size()) < 1e-6);
  // σ_1D = 300 km/s per component.
  CHECK(std::sqrt(sum_v2 / (3.0 * nsat)) == doctest::Approx(300.0).epsilon(0.02).scale(0));
  // Without dispersions: the virial estimate √(GM/2R_phys).
  auto v = h.view();
  v.velocity_dispersion = {};
  const auto virial = halos::populate_hod(v, p, {.seed = 5}, a, side);
  CHECK(virial.size() == gal.size());
  CHECK(virial.position == gal.position);  // same streams, same placements
  CHECK(virial.velocity != gal.velocity);
}

TEST_CASE("catalogues are identical for 1, 2 and 3 threads; streams are counter-based" *
          doctest::test_suite("unit.halos")) {
  const synthetic_halos h(5000);
  const halos::hod_parameters p{};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = halos::populate_hod(h.view(), p, {.seed = 99}, 1.0, 500.0);
  for (int t : {2, 3}) {
    omp_set_num_threads(t);
    const auto many = halos::populate_hod(h.view(), p, {.seed = 99}, 1.0, 500.0);
    CHECK(many.position == one.position);
    CHECK(many.velocity == one.velocity);
    CHECK(many.halo == one.halo);
    CHECK(many.central == one.central);
  }
  omp_set_num_threads(saved);
  CHECK(one.size() > 100);
  // Another seed gives another catalogue.
  CHECK(halos::populate_hod(h.view(), p, {.seed = 100}, 1.0, 500.0).position != one.position);
  // The stream of object k does not depend on other objects; uniform mean and normal variance.
  halos::random_stream a(7, 12345), b(7, 12345), c(8, 12345);
  CHECK(a.uniform() == b.uniform());
  CHECK(a.uniform() != c.uniform());
  halos::random_stream s(1, 2);
  double sum = 0, sum2 = 0, pois = 0;
  for (int i = 0; i < 200000; ++i) sum += s.uniform();
  for (int i = 0; i < 200000; ++i) sum2 += std::pow(s.normal(), 2);
  for (int i = 0; i < 20000; ++i) pois += static_cast<double>(s.poisson(37.5));
  CHECK(sum / 200000 == doctest::Approx(0.5).epsilon(0.005).scale(0));
  CHECK(sum2 / 200000 == doctest::Approx(1.0).epsilon(0.01).scale(0));
  CHECK(pois / 20000 == doctest::Approx(37.5).epsilon(0.005));
}

TEST_CASE("HOD parameters outside their domain are rejected with the value named" * doctest::test_suite("unit.halos")) {
  const synthetic_halos h(10);
  auto bad = [&](halos::hod_parameters p) { return halos::populate_hod(h.view(), p, {}, 1.0, 500.0); };
  CHECK_THROWS_WITH_AS(bad({.sigma_log_m = 0.0}), doctest::Contains("hod_parameters.sigma_log_m = 0"), config_error);
  CHECK_THROWS_WITH_AS(bad({.sigma_log_m = -0.3}), doctest::Contains("hod_parameters.sigma_log_m = -0.3"), config_error);
  CHECK_THROWS_WITH_AS(bad({.alpha = -0.5}), doctest::Contains("hod_parameters.alpha = -0.5"), config_error);
  CHECK_THROWS_WITH_AS(bad({.log_m_min = std::nan("")}), doctest::Contains("hod_parameters.log_m_min"), config_error);
  CHECK_THROWS_WITH_AS(bad({.log_m1 = 25.0}), doctest::Contains("hod_parameters.log_m1 = 25"), config_error);
  auto v = h.view();
  v.radius = v.radius.subspan(1);
  CHECK_THROWS_WITH_AS(halos::populate_hod(v, {}, {}, 1.0, 500.0), doctest::Contains("halo arrays"), config_error);
  CHECK_THROWS_WITH_AS(halos::populate_hod(h.view(), {}, {}, 0.0, 500.0), doctest::Contains("scale factor a = 0"),
                       config_error);
}
