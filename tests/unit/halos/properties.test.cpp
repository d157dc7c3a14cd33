// SPDX-License-Identifier: BSD-3-Clause
// halos::halo_properties / find_halos / write_halo_summary: the centre of mass of a group across
// the periodic faces, mean velocity and dispersion against direct sums, the potential-minimum
// centre of a dense core, spherical-overdensity masses of a uniform sphere against the
// analytic radius, the default particle mass, thread-count independence, the text summary,
// errors.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "lagframe/halos/properties.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

namespace {

/// A sphere of `n` points of uniform density and radius r at `centre` (wrapped into the box),
/// plus a uniform background of `background` points; momenta p = (1, 2, 3) + noise.
struct sphere_set {
  std::vector<vec3<double>> x, p;
  sphere_set(std::size_t n, double r, vec3<double> centre, std::size_t background, double side, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> g(0.0, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      vec3<double> d;
      do {
        for (auto& v : d) v = 2.0 * u(rng) - 1.0;
      } while (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > 1.0);
      x.push_back({wrap_periodic(centre[0] + r * d[0], side), wrap_periodic(centre[1] + r * d[1], side),
                   wrap_periodic(centre[2] + r * d[2], side)});
      p.push_back({1.0 + 0.1 * g(rng), 2.0 + 0.1 * g(rng), 3.0 + 0.1 * g(rng)});
    }
    for (std::size_t i = 0; i < background; ++i) {
      x.push_back({u(rng) * side, u(rng) * side, u(rng) * side});
      p.push_back({g(rng), g(rng), g(rng)});
    }
  }
};

}  // namespace

TEST_CASE("centre of mass across the faces, velocities, SO masses of a uniform sphere" *
          doctest::test_suite("unit.halos")) {
  // 4000 points in a sphere of radius 2 centred on the box corner (0.3, 99.9, 0.1) of a 100 Mpc/h
  // box, plus 20000 background points (mean spacing 3.5 Mpc/h, l = 0.69 > the sphere's spacing).
  const double side = 100.0, r = 2.0;
  const vec3<double> centre{0.3, 99.9, 0.1};
  const sphere_set s(4000, r, centre, 20000, side, 4);
  const std::size_t n_total = s.x.size();
  halos::halo_options opt;
  opt.a = 0.8;
  opt.centre = halos::halo_centre::centre_of_mass;
  const auto found = halos::find_halos<double>(s.x, s.p, side, {.min_members = 50}, opt);
  REQUIRE(found.halos.size() >= 1);
  const auto& h = found.halos;
  CHECK(h.length[0] >= 4000);
  CHECK(h.length[0] < 4050);  // a few background points may join
  for (std::size_t d = 0; d < 3; ++d) {
    double diff = h.centre_of_mass[0][d] - centre[d];
    diff -= side * std::round(diff / side);
    CHECK(std::abs(diff) < 0.05);
    CHECK(h.position[0][d] == h.centre_of_mass[0][d]);
  }
  // Velocities: 100 p / a, mean (1, 2, 3)·125 km/s, 1D dispersion 0.1·125 km/s.
  CHECK(h.velocity[0][0] == doctest::Approx(125.0).epsilon(0.01));
  CHECK(h.velocity[0][2] == doctest::Approx(375.0).epsilon(0.01));
  CHECK(h.velocity_dispersion[0] == doctest::Approx(12.5).epsilon(0.1).scale(0));
  // Direct sums over the members for the exact values.
  double vx = 0, s2 = 0;
  const auto members = found.groups.members_of(0);
  for (auto i : members) vx += 125.0 * s.p[i][0];
  vx /= static_cast<double>(members.size());
  for (auto i : members)
    for (int d = 0; d < 3; ++d) {
      double mean = 0;
      for (auto j : members) mean += 125.0 * s.p[j][d];
      mean /= static_cast<double>(members.size());
      s2 += std::pow(125.0 * s.p[i][d] - mean, 2);
    }
  CHECK(h.velocity[0][0] == doctest::Approx(vx).epsilon(1e-12));
  CHECK(h.velocity_dispersion[0] == doctest::Approx(std::sqrt(s2 / (3.0 * members.size()))).epsilon(1e-10));
  CHECK(h.radius_max[0] == doctest::Approx(r).epsilon(0.05).scale(0));
  CHECK(h.radius_rms[0] == doctest::Approx(r * std::sqrt(0.6)).epsilon(0.03).scale(0));  // uniform sphere: √(3/5) r
  // Default particle mass Ω_m ρ_crit L³ / N, FoF mass = length · m_p.
  const double mp = opt.cosmology.omega_m * halos::rho_crit_msun_h_per_mpc_h3 * side * side * side / n_total;
  CHECK(h.particle_mass == doctest::Approx(mp).epsilon(1e-12));
  CHECK(h.mass[0] == doctest::Approx(h.length[0] * mp).epsilon(1e-12));
  // SO: the sphere's mean density ρ_s = 4000 m_p / (4/3 π r³) is far above both thresholds, so the
  // enclosed density, ρ_s (r/R)³ + background beyond r, crosses 200ρ̄ (or 200ρ_c(a)) at
  // R ≈ r (ρ_s/Δρ)^{1/3} (the background adds ≈ 1/200 of the mass).
  const double rho_s = 4000.0 * mp / (4.0 / 3.0 * std::numbers::pi * r * r * r);
  const auto [thr_c, thr_m] = halos::detail::so_thresholds(opt.cosmology, opt.a);
  CHECK(h.r200m[0] == doctest::Approx(r * std::cbrt(rho_s / thr_m)).epsilon(0.03).scale(0));
  CHECK(h.r200c[0] == doctest::Approx(r * std::cbrt(rho_s / thr_c)).epsilon(0.03).scale(0));
  CHECK(h.m200m[0] == doctest::Approx(4000.0 * mp).epsilon(0.03));
  CHECK(h.m200c[0] == doctest::Approx(4000.0 * mp).epsilon(0.03));
  CHECK(h.r200m[0] > h.r200c[0]);  // ρ_c(a = 0.8) a³ 200 > 200 ρ̄_m
}

TEST_CASE("the potential-minimum centre is the dense core, and results do not depend on threads" *
          doctest::test_suite("unit.halos")) {
  // A diffuse sphere (r = 3) with a compact core (r = 0.2) off its centre of mass.
  const double side = 60.0;
  sphere_set s(3000, 3.0, {30.0, 30.0, 30.0}, 5000, side, 9);
  const sphere_set core(300, 0.2, {31.5, 30.0, 30.0}, 0, side, 10);
  s.x.insert(s.x.end(), core.x.begin(), core.x.end());
  s.p.insert(s.p.end(), core.p.begin(), core.p.end());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = halos::find_halos<double>(s.x, s.p, side, {.linking_length = 0.3}, {});
  omp_set_num_threads(2);
  const auto two = halos::find_halos<double>(s.x, s.p, side, {.linking_length = 0.3}, {});
  omp_set_num_threads(saved);
  REQUIRE(one.halos.size() >= 1);
  CHECK(std::abs(one.halos.position[0][0] - 31.5) < 0.15);
  CHECK(std::abs(one.halos.centre_of_mass[0][0] - 30.14) < 0.15);
  CHECK(one.halos.position == two.halos.position);
  CHECK(one.halos.m200m == two.halos.m200m);
  CHECK(one.halos.velocity_dispersion == two.halos.velocity_dispersion);
  // A small potential sample changes the estimate little.
  halos::halo_options sampled;
  sampled.potential_sample = 500;
  const auto coarse = halos::find_halos<double>(s.x, s.p, side, {.linking_length = 0.3}, sampled);
  CHECK(std::abs(coarse.halos.position[0][0] - 31.5) < 0.3);
}

TEST_CASE("text summary and errors" * doctest::test_suite("unit.halos")) {
  const double side = 50.0;
  const sphere_set s(500, 1.0, {10, 10, 10}, 2000, side, 2);
  const auto found = halos::find_halos<double>(s.x, s.p, side, {}, {});
  lagframe::test::scratch_dir dir("halo_summary");
  halos::write_halo_summary(dir / "halos.txt", found.halos);
  std::ifstream in(dir / "halos.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("FoF groups of >= 20 particles") != std::string::npos);
  CHECK(text.find("M200m[Msun/h]") != std::string::npos);
  CHECK(dir.entries().size() == 1);
  // Errors.
  std::vector<vec3<double>> short_p(s.x.size() - 1);
  CHECK_THROWS_WITH_AS(halos::halo_properties<double>(s.x, short_p, side, found.groups, {}),
                       doctest::Contains("number of momenta"), config_error);
  CHECK_THROWS_WITH_AS(halos::halo_properties<double>(s.x, s.p, 0.0, found.groups, {}),
                       doctest::Contains("particle_mass = 0"), config_error);
  halos::halo_options bad;
  bad.a = -1;
  CHECK_THROWS_WITH_AS(halos::halo_properties<double>(s.x, s.p, side, found.groups, bad),
                       doctest::Contains("halo_options.a = -1"), config_error);
}
