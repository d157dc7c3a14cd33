// SPDX-License-Identifier: BSD-3-Clause
// lightcone/: comoving distance against closed forms and a direct quadrature, HEALPix RING
// indices (range, equal areas, the poles), crossings on straight drifts at the analytic time, a
// Zel'dovich plane wave through the tCOLA loop, and an unperturbed lattice: every lattice point
// of every replica inside the shell exactly once, whatever the thread count; bad input.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "lagframe/lagframe.hpp"
#include "lagframe/lightcone/distance.hpp"
#include "lagframe/lightcone/healpix.hpp"
#include "lagframe/lightcone/lightcone.hpp"

using namespace lagframe;

TEST_CASE("comoving distance: Einstein-de Sitter closed form, quadrature and inverse" * doctest::test_suite("unit.lightcone")) {
  cosmology::parameters eds;
  eds.omega_m = 1.0;
  eds.omega_b = 0.05;
  const lightcone::comoving_distance eds_chi(cosmology::background(eds), 0.05);
  for (const double a : {0.05, 0.1, 0.37, 0.8, 0.999, 1.0}) {
    const double exact = 2.0 * lightcone::hubble_distance_mpc_h * (1.0 - std::sqrt(a));  // ∫ da/(a² a^{-3/2})
    CHECK(eds_chi(a) == doctest::Approx(exact).epsilon(1e-9).scale(1.0));
  }
  const cosmology::parameters planck{};
  const cosmology::background bg(planck);
  const lightcone::comoving_distance chi(bg, 0.2);
  for (const double a : {0.2, 0.5, 0.66, 0.9}) {
    // Composite Simpson with 20000 intervals in a.
    const int n = 20000;
    double sum = 0;
    for (int k = 0; k <= n; ++k) {
      const double x = a + (1.0 - a) * k / n;
      const double w = (k == 0 || k == n) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += w / (x * x * bg.e(x));
    }
    const double direct = lightcone::hubble_distance_mpc_h * sum * (1.0 - a) / n / 3.0;
    CHECK(chi(a) == doctest::Approx(direct).epsilon(1e-9));
    CHECK(chi.scale_factor(chi(a)) == doctest::Approx(a).epsilon(1e-12));
  }
  CHECK_THROWS_AS(lightcone::comoving_distance(bg, 1.5), config_error);
}

TEST_CASE("HEALPix RING indices" * doctest::test_suite("unit.lightcone")) {
  for (const std::int64_t nside : {1, 2, 8, 64}) {
    const auto npix = lightcone::healpix_pixels(nside);
    std::vector<int> counts(static_cast<std::size_t>(npix), 0);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> g;
    const int samples = 2000 * static_cast<int>(npix);
    for (int s = 0; s < samples && s < 2000000; ++s) {
      const auto p = lightcone::healpix_ring_index(nside, g(rng), g(rng), g(rng));
      REQUIRE(p >= 0);
      REQUIRE(p < npix);
      ++counts[static_cast<std::size_t>(p)];
    }
    if (nside <= 8) {
      // Equal areas: every pixel near the mean, within 6 Poisson sigmas.
      const double mean = static_cast<double>(samples) / static_cast<double>(npix);
      for (int c : counts) CHECK(std::abs(c - mean) < 6 * std::sqrt(mean));
    }
    // RING order starts at the north pole and ends at the south pole.
    CHECK(lightcone::healpix_ring_index(nside, 0.001, 0.0005, 1.0) < 4);
    CHECK(lightcone::healpix_ring_index(nside, 0.001, 0.0005, -1.0) >= npix - 4);
  }
}

namespace {

/// A drift_view of straight lines: x(a) = x0 + 𝒟(a0, a) π with Quinn's drift factor, no frame.
struct straight_drift {
  const cosmology::growth& g;
  std::vector<vec3<double>> x0, x1, pi;
  box b;
  drift_view<double> view(double a0, double a1) {
    const stepper::factors::quinn q;
    x1.resize(x0.size());
    const double full = q.drift(g, a0, a1, 0.5 * (a0 + a1));
    for (std::size_t i = 0; i < x0.size(); ++i)
      for (int d = 0; d < 3; ++d) x1[i][d] = wrap_periodic(x0[i][d] + full * pi[i][d], b.side_mpc_h);
    drift_view<double> v;
    v.a0 = a0;
    v.a1 = a1;
    v.ac = 0.5 * (a0 + a1);
    v.x0 = x0;
    v.x1 = x1;
    v.pi = pi;
    v.domain = &b;
    const auto* growth = &g;
    v.drift_factor = [growth, a0](double a) { return stepper::factors::quinn{}.drift(*growth, a0, a, a); };
    v.frame_displacement = [](std::size_t, double) { return vec3<double>{0, 0, 0}; };
    v.frame_momentum = [](std::size_t, double) { return vec3<double>{0, 0, 0}; };
    return v;
  }
};

}  // namespace

TEST_CASE("crossings of straight drifts at the analytic time" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const cosmology::growth g(cosmo);
  const box b{.side_mpc_h = 500.0, .particles_1d = 2};
  lightcone::lightcone cone(cosmo, b, {.observer = {250.0, 250.0, 250.0}, .z_min = 0.0, .z_max = 0.1});
  std::vector<lightcone::crossing> got;
  cone.set_shell_callback([&](lightcone::shell&& s) { got.insert(got.end(), s.particles.begin(), s.particles.end()); });
  // Eight particles around the observer at distances near χ(a ≈ 0.95), moving radially or not.
  const double a0 = 0.94, a1 = 0.97;
  const double chi_mid = cone.distance()(0.955);
  straight_drift sd{g, {}, {}, {}, b};
  std::mt19937_64 rng(3);
  std::normal_distribution<double> gauss;
  for (int i = 0; i < 8; ++i) {
    vec3<double> dir{gauss(rng), gauss(rng), gauss(rng)};
    const double n = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    vec3<double> x, p;
    for (int d = 0; d < 3; ++d) {
      x[d] = wrap_periodic(250.0 + dir[d] / n * chi_mid, 500.0);
      p[d] = 20.0 * gauss(rng);  // Mpc/h: a few hundred km/s
    }
    sd.x0.push_back(x);
    sd.pi.push_back(p);
  }
  cone(sd.view(a0, a1));
  cone.finish();
  REQUIRE(got.size() == 8);
  for (const auto& c : got) {
    // The analytic crossing: bisection to 1e-15 on χ(a) = |x0 + 𝒟(a0, a) π − o| (its own
    // quadrature for 𝒟), in the box image the crossing was found in (the stored replica labels
    // the image of the particle's Lagrangian position: these particles are not near theirs).
    const auto& x0 = sd.x0[c.id];
    const auto& pi = sd.pi[c.id];
    const auto q = b.lagrangian_position<double>(c.id);
    int image[3];
    for (int d = 0; d < 3; ++d) {
      image[d] = static_cast<int>(std::lround((c.position[d] - x0[d]) / 500.0));
      CHECK(c.replica[d] == std::lround((c.position[d] - q[d]) / 500.0));
    }
    const auto r_at = [&](double a) {
      const double f = stepper::factors::quinn{}.drift(g, a0, a, a);
      double r2 = 0;
      for (int d = 0; d < 3; ++d) {
        const double x = x0[d] + f * pi[d] + 500.0 * image[d] - 250.0;
        r2 += x * x;
      }
      return std::sqrt(r2);
    };
    double lo = a0, hi = a1;
    for (int it = 0; it < 80; ++it) {
      const double mid = 0.5 * (lo + hi);
      (cone.distance()(mid) - r_at(mid) > 0 ? lo : hi) = mid;
    }
    CHECK(c.a == doctest::Approx(lo).epsilon(1e-8));
    const double f = stepper::factors::quinn{}.drift(g, a0, lo, lo);
    for (int d = 0; d < 3; ++d)
      CHECK(std::abs(c.position[d] - (x0[d] + f * pi[d] + 500.0 * image[d])) < 1e-5 * 500.0 / 64.0);
  }
}

TEST_CASE("an unperturbed lattice: every point of every replica in the shell, once" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 10};
  const vec3<double> observer{37.0, 51.5, 12.25};
  const double z_max = 0.08;
  using sim_t = simulation<frame::inertial<double>, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<>>;
  std::map<int, std::vector<std::tuple<std::uint64_t, int, int, int>>> by_threads;
  double chi_lo = 0, chi_hi = 0;
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    sim_t sim{cosmo, b, force::pm_options{.grid_1d = 20},
              stepper::kdk_options{.grid = stepper::time_grid::linear(0.5, 1.0, 25)}};
    ic::lpt_fields<double> still;
    still.grid = b;
    still.order = 1;
    still.psi1.assign(b.particle_count(), vec3<double>{0, 0, 0});
    sim.set_initial_conditions(still);
    lightcone::lightcone cone(cosmo, b, {.observer = observer, .z_min = 0.0, .z_max = z_max, .healpix_nside = 4});
    chi_lo = cone.chi_min();
    chi_hi = cone.chi_max();
    std::vector<std::tuple<std::uint64_t, int, int, int>> seen;
    cone.set_shell_callback([&](lightcone::shell&& s) {
      std::uint64_t total = 0;
      for (auto c : s.healpix_counts) total += c;
      CHECK(total == s.particles.size());
      for (const auto& c : s.particles) seen.emplace_back(c.id, c.replica[0], c.replica[1], c.replica[2]);
    });
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
    by_threads[threads] = seen;
  }
  omp_set_num_threads(2);
  // Direct count of the lattice points of all replicas within [χ_min, χ_max) of the observer
  // (the front sweeps every distance from χ(a = 0.5) down to 0 during the run).
  std::set<std::tuple<std::uint64_t, int, int, int>> expected;
  const int reach = static_cast<int>(std::ceil(chi_hi / b.side_mpc_h)) + 1;
  for (int i = -reach; i <= reach; ++i)
    for (int j = -reach; j <= reach; ++j)
      for (int k = -reach; k <= reach; ++k)
        for (std::size_t p = 0; p < b.particle_count(); ++p) {
          const auto q = b.lagrangian_position<double>(p);
          const double dx = q[0] + 100.0 * i - observer[0], dy = q[1] + 100.0 * j - observer[1],
                       dz = q[2] + 100.0 * k - observer[2];
          const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
          if (r >= chi_lo && r < chi_hi) expected.emplace(p, i, j, k);
        }
  const auto& seen = by_threads[1];
  const std::set<std::tuple<std::uint64_t, int, int, int>> unique(seen.begin(), seen.end());
  MESSAGE("lattice points in the shell: " << expected.size() << ", recorded " << seen.size());
  CHECK(unique.size() == seen.size());  // nothing twice
  CHECK(unique == expected);            // nothing lost, nothing extra
  CHECK(by_threads[2] == by_threads[1]);
}

TEST_CASE("a kept fraction of the particles, maps from all; shells merged from parts" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 10};
  using sim_t = simulation<frame::inertial<double>, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<>>;
  const auto record = [&](double fraction) {
    sim_t sim{cosmo, b, force::pm_options{.grid_1d = 20}, stepper::kdk_options{.grid = stepper::time_grid::linear(0.5, 1.0, 25)}};
    ic::lpt_fields<double> still;
    still.grid = b;
    still.order = 1;
    still.psi1.assign(b.particle_count(), vec3<double>{0, 0, 0});
    sim.set_initial_conditions(still);
    lightcone::lightcone cone(cosmo, b, {.observer = {37.0, 51.5, 12.25}, .z_max = 0.08, .shell_edges = {120.0},
                                         .healpix_nside = 4, .particle_fraction = fraction});
    std::vector<lightcone::shell> shells;
    cone.set_shell_callback([&](lightcone::shell&& s) { shells.push_back(std::move(s)); });
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
    return shells;
  };
  const auto all = record(1.0), some = record(0.25);
  REQUIRE(all.size() == 2);
  REQUIRE(some.size() == 2);
  std::size_t total = 0, kept = 0;
  for (std::size_t s = 0; s < 2; ++s) {
    CHECK(some[s].healpix_counts == all[s].healpix_counts);  // the maps count every crossing
    std::vector<lightcone::crossing> expect;
    for (const auto& c : all[s].particles)
      if (lightcone::kept_particle(c.id, 0.25)) expect.push_back(c);
    REQUIRE(some[s].particles.size() == expect.size());
    for (std::size_t k = 0; k < expect.size(); ++k) {
      CHECK(some[s].particles[k].id == expect[k].id);
      CHECK(some[s].particles[k].replica == expect[k].replica);
      CHECK(some[s].particles[k].a == expect[k].a);
    }
    total += all[s].particles.size();
    kept += expect.size();
  }
  // The hash keeps a quarter of the particles (binomial: within 5 sigma).
  const double f = static_cast<double>(kept) / static_cast<double>(total);
  MESSAGE("kept " << kept << " of " << total << " crossings");
  CHECK(std::abs(f - 0.25) < 5.0 * std::sqrt(0.25 * 0.75 / static_cast<double>(total)) + 0.02);

  // Two halves of each shell (by id parity, maps split pixel by pixel) merged into a fresh
  // lightcone give the shells back, sorted.
  lightcone::lightcone merged(cosmo, b, {.observer = {37.0, 51.5, 12.25}, .z_max = 0.08, .shell_edges = {120.0},
                                         .healpix_nside = 4});
  std::vector<lightcone::shell> back;
  merged.set_shell_callback([&](lightcone::shell&& s) { back.push_back(std::move(s)); });
  for (const auto& s : all)
    for (int parity = 1; parity >= 0; --parity) {
      lightcone::shell part{s.index, s.chi_min, s.chi_max, {}, std::vector<std::uint32_t>(s.healpix_counts.size(), 0)};
      for (const auto& c : s.particles)
        if (static_cast<int>(c.id % 2) == parity) part.particles.push_back(c);
      for (std::size_t k = parity; k < s.healpix_counts.size(); k += 2) part.healpix_counts[k] = s.healpix_counts[k];
      merged.merge(std::move(part));
    }
  merged.finish();
  REQUIRE(back.size() == 2);
  for (const auto& s : all) {  // the run completed the outer shell first; finish() goes in order
    const auto& m = back[s.index];
    CHECK(m.index == s.index);
    CHECK(m.healpix_counts == s.healpix_counts);
    REQUIRE(m.particles.size() == s.particles.size());
    for (std::size_t k = 0; k < m.particles.size(); ++k) CHECK(m.particles[k].id == s.particles[k].id);
  }
  lightcone::shell wrong{0, 0.0, 50.0, {}, {}};
  CHECK_THROWS_WITH_AS(merged.merge(std::move(wrong)), doctest::Contains("range"), config_error);
}

TEST_CASE("lightcone options: impossible values are refused" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 4};
  using lc = lightcone::lightcone;
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.observer = {150.0, 10.0, 10.0}}), doctest::Contains("observer"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.z_min = 0.3, .z_max = 0.2}), doctest::Contains("z_max"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = lightcone::footprint::cone, .opening_deg = 0.0}),
                       doctest::Contains("opening_deg"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = lightcone::footprint::cone, .opening_deg = 200.0}),
                       doctest::Contains("opening_deg"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.z_max = 1.0, .max_replicas = 2}), doctest::Contains("replicas"), config_error);
  using lightcone::footprint;
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = footprint::rectangle, .ra_deg = {-10.0, 20.0}}), doctest::Contains("ra_deg[0]"),
                       config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = footprint::rectangle, .ra_deg = {30.0, 20.0}}), doctest::Contains("ra_deg[1]"),
                       config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = footprint::rectangle, .dec_deg = {-95.0, 20.0}}),
                       doctest::Contains("dec_deg[0]"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.shape = footprint::rectangle, .dec_deg = {10.0, 90.5}}),
                       doctest::Contains("dec_deg[1]"), config_error);
  // The bounding cone of a rectangle holds it; the whole sky when it holds the opposite direction.
  const lc strip(cosmo, b, {.z_max = 0.1, .shape = footprint::rectangle, .ra_deg = {0.0, 360.0}, .dec_deg = {-10.0, 10.0}});
  CHECK(strip.bounding_opening_deg() == 180.0);
  const lc patch(cosmo, b, {.z_max = 0.1, .shape = footprint::rectangle, .ra_deg = {40.0, 60.0}, .dec_deg = {-10.0, 10.0}});
  CHECK(patch.bounding_opening_deg() == doctest::Approx(std::acos(std::cos(10.0 * std::numbers::pi / 180.0) *
                                                                  std::cos(10.0 * std::numbers::pi / 180.0)) *
                                                            180.0 / std::numbers::pi + 0.5).epsilon(1e-3));
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.z_max = 0.1, .shell_edges = {100.0, 50.0}}), doctest::Contains("shell_edges"),
                       config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.healpix_nside = 3}), doctest::Contains("healpix_nside"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.particle_fraction = 0.0}), doctest::Contains("particle_fraction"), config_error);
  CHECK_THROWS_WITH_AS(lc(cosmo, b, {.particle_fraction = 1.5}), doctest::Contains("particle_fraction"), config_error);
}

TEST_CASE("footprint sky fractions against directions drawn uniformly on the sphere" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 4};
  using lightcone::footprint;
  const std::vector<lightcone::lightcone_options> shapes{
      {.z_max = 0.1},
      {.z_max = 0.1, .shape = footprint::cone, .axis = {1.0, 1.0, 0.0}, .opening_deg = 30.0},
      {.z_max = 0.1, .shape = footprint::cone, .opening_deg = 120.0},
      {.z_max = 0.1, .shape = footprint::rectangle, .ra_deg = {40.0, 130.0}, .dec_deg = {-20.0, 50.0}}};
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  const int n = 200000;
  for (const auto& o : shapes) {
    const lightcone::lightcone lc(cosmo, b, o);
    int inside = 0;
    for (int k = 0; k < n; ++k) {
      const double x = normal(rng), y = normal(rng), z = normal(rng);
      inside += lc.in_footprint(x, y, z, std::sqrt(x * x + y * y + z * z)) ? 1 : 0;
    }
    const double p = lc.sky_fraction(), sampled = static_cast<double>(inside) / n;
    CAPTURE(p);
    CHECK(std::abs(sampled - p) < 4.0 * std::sqrt(p * (1.0 - p) / n) + 1e-12);
  }
  CHECK(lightcone::lightcone(cosmo, b, shapes[1]).sky_fraction() ==
        doctest::Approx(0.5 * (1.0 - std::cos(30.0 * std::numbers::pi / 180.0))));
  // The footprint's volume between two distances: the full sky's shell times the sky fraction.
  const lightcone::lightcone whole(cosmo, b, shapes[0]), cone(cosmo, b, shapes[1]);
  CHECK(whole.footprint_volume(10.0, 20.0) == doctest::Approx(4.0 * std::numbers::pi / 3.0 * 7000.0));
  CHECK(cone.footprint_volume(10.0, 20.0) == doctest::Approx(cone.sky_fraction() * whole.footprint_volume(10.0, 20.0)));
  CHECK(whole.footprint_volume(5.0, 5.0) == 0.0);
  CHECK_THROWS_WITH_AS(static_cast<void>(whole.footprint_volume(20.0, 10.0)), doctest::Contains("footprint_volume"), config_error);
}
