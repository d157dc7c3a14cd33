// SPDX-License-Identifier: BSD-3-Clause
// halos/lightcone_halos.hpp: sky coordinates of points on the axes and off them against their
// definitions (RA, Dec, χ, z_cos from the distance table, z_obs with a radial velocity, χ_obs);
// haloes of crossings spread over a replica far from the observer: the groups are those of the
// brute-force linking, each halo's scale factor is its members' mean, its velocity the mean of
// 100 p_i/a_i; at one common a the catalogue equals halo_properties of the open set at that a;
// a missing observer, mean spacing or particle mass is refused.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "fof_test_support.hpp"
#include "lagframe/halos/lightcone_halos.hpp"

using namespace lagframe;

namespace {

const cosmology::parameters cosmo{};

/// Crossings of clustered points placed in the replica (1, 0, −1) of a 100 Mpc/h box, with
/// scale factors falling with distance from `o` as a lightcone's would, and random momenta.
std::vector<lightcone::crossing> crossings(const vec3<double>& o, const lightcone::comoving_distance& chi, bool one_a) {
  const double side = 100.0;
  const auto x = lagframe::test::clustered_points(8000, side, 5, false);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<lightcone::crossing> c(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    c[i].id = i;
    c[i].replica = {1, 0, -1};
    c[i].position = {x[i][0] + side, x[i][1], x[i][2] - side};
    const double r = std::hypot(c[i].position[0] - o[0], c[i].position[1] - o[1], c[i].position[2] - o[2]);
    c[i].a = one_a ? 0.8 : chi.scale_factor(r);
    c[i].momentum = {normal(rng), normal(rng), normal(rng)};
  }
  return c;
}

}  // namespace

TEST_CASE("sky coordinates: RA, Dec, distances and redshifts" * doctest::test_suite("unit.halos")) {
  const lightcone::comoving_distance chi(cosmology::background(cosmo), 0.01);
  const vec3<double> o{10, 20, 30};
  const double r = 500.0;
  const std::vector<vec3<double>> x{{o[0] + r, o[1], o[2]}, {o[0], o[1] + r, o[2]}, {o[0], o[1], o[2] - r},
                                    {o[0] - r / 2, o[1] - r / 2, o[2] + r / std::sqrt(2.0)}};
  const std::vector<vec3<double>> v{{300, 0, 0}, {0, -600, 0}, {0, 0, 0}, {0, 0, 0}};
  const auto s = halos::sky_coordinates_of<double>(x, v, o, chi);
  REQUIRE(s.size() == 4);
  CHECK(s.ra_deg[0] == doctest::Approx(0.0));
  CHECK(s.dec_deg[0] == doctest::Approx(0.0));
  CHECK(s.ra_deg[1] == doctest::Approx(90.0));
  CHECK(s.dec_deg[2] == doctest::Approx(-90.0));
  CHECK(s.ra_deg[3] == doctest::Approx(225.0));
  CHECK(s.dec_deg[3] == doctest::Approx(45.0));
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s.chi[i] == doctest::Approx(r));
    // z_cos: the redshift whose lightcone distance is r.
    CHECK(chi(1.0 / (1.0 + s.z_cos[i])) == doctest::Approx(r).epsilon(1e-9));
    CHECK(chi(1.0 / (1.0 + s.z_obs[i])) == doctest::Approx(s.chi_obs[i]).epsilon(1e-9));
  }
  const double c = halos::speed_of_light_km_s;
  CHECK(1.0 + s.z_obs[0] == doctest::Approx((1.0 + s.z_cos[0]) * (1.0 + 300.0 / c)).epsilon(1e-12));
  CHECK(1.0 + s.z_obs[1] == doctest::Approx((1.0 + s.z_cos[1]) * (1.0 - 600.0 / c)).epsilon(1e-12));  // approaching: v·r̂ = −600
  CHECK(s.z_obs[2] == doctest::Approx(s.z_cos[2]).epsilon(1e-14));
  CHECK(s.chi_obs[0] > s.chi[0]);  // receding: farther in redshift space
  CHECK(s.z_cos[0] == doctest::Approx(0.1736).epsilon(2e-2));  // ~500 Mpc/h at z ≈ 0.17 (Ω_m ≈ 0.31)
}

TEST_CASE("lightcone haloes: groups, per-halo scale factors and velocities, sky" * doctest::test_suite("unit.halos")) {
  const lightcone::comoving_distance chi(cosmology::background(cosmo), 0.01);
  const vec3<double> o{-50, 50, 50};
  const auto c = crossings(o, chi, false);
  halos::lightcone_halo_options opt;
  opt.mean_spacing = 100.0 / std::cbrt(8000.0);
  opt.particle_mass = 1e12;
  opt.min_members = 10;
  opt.cosmology = cosmo;
  opt.observer = o;
  const auto r = halos::find_lightcone_halos(c, opt);
  // The groups of a brute-force linking of the open set.
  std::vector<vec3<double>> x(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) x[i] = c[i].position;
  const auto root = lagframe::test::brute_force_components(x, 0.0, 0.2 * opt.mean_spacing, false);
  CHECK(lagframe::test::as_sets(root, 10) == lagframe::test::as_sets(r.groups));
  REQUIRE(r.halos.size() > 10);
  CHECK(r.halos.box_side == 0.0);
  double a_spread = 0;
  for (std::size_t g = 0; g < r.halos.size(); ++g) {
    CAPTURE(g);
    double a = 0;
    vec3<double> v{0, 0, 0};
    const auto members = r.groups.members_of(g);
    for (auto i : members) {
      a += c[i].a;
      for (int d = 0; d < 3; ++d) v[d] += 100.0 * c[i].momentum[d] / c[i].a;
    }
    const double m = static_cast<double>(members.size());
    CHECK(r.halos.scale_factor[g] == doctest::Approx(a / m).epsilon(1e-12));
    for (int d = 0; d < 3; ++d) CHECK(r.halos.velocity[g][d] == doctest::Approx(v[d] / m).epsilon(1e-9).scale(1.0));
    CHECK(r.halos.mass[g] == doctest::Approx(m * 1e12));
    // The halo's sky position is that of its centre.
    const double dx = r.halos.position[g][0] - o[0], dy = r.halos.position[g][1] - o[1], dz = r.halos.position[g][2] - o[2];
    CHECK(r.sky.chi[g] == doctest::Approx(std::sqrt(dx * dx + dy * dy + dz * dz)));
    CHECK(r.sky.dec_deg[g] == doctest::Approx(std::asin(dz / r.sky.chi[g]) * 180.0 / std::numbers::pi));
    a_spread = std::max(a_spread, std::abs(r.halos.scale_factor[g] - r.halos.scale_factor[0]));
  }
  CHECK(a_spread > 0.01);  // the haloes do span a range of times
}

TEST_CASE("lightcone haloes at one scale factor equal the open-set catalogue at that a" *
          doctest::test_suite("unit.halos")) {
  const lightcone::comoving_distance chi(cosmology::background(cosmo), 0.01);
  const vec3<double> o{-50, 50, 50};
  const auto c = crossings(o, chi, true);
  halos::lightcone_halo_options opt;
  opt.mean_spacing = 100.0 / std::cbrt(8000.0);
  opt.particle_mass = 1e12;
  opt.cosmology = cosmo;
  opt.observer = o;
  const auto r = halos::find_lightcone_halos(c, opt);
  std::vector<vec3<double>> x(c.size()), p(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) x[i] = c[i].position, p[i] = c[i].momentum;
  halos::halo_options h;
  h.cosmology = cosmo;
  h.a = 0.8;
  h.particle_mass = 1e12;
  const auto ref = halos::find_halos<double>(x, p, 0.0, {.periodic = false, .mean_spacing = opt.mean_spacing}, h);
  REQUIRE(ref.halos.size() == r.halos.size());
  REQUIRE(r.halos.size() > 5);
  for (std::size_t g = 0; g < r.halos.size(); ++g) {
    CAPTURE(g);
    CHECK(r.halos.length[g] == ref.halos.length[g]);
    CHECK(r.halos.scale_factor[g] == doctest::Approx(0.8));
    CHECK(r.halos.m200c[g] == ref.halos.m200c[g]);
    CHECK(r.halos.m200m[g] == ref.halos.m200m[g]);
    CHECK(r.halos.r200c[g] == doctest::Approx(ref.halos.r200c[g]));
    for (int d = 0; d < 3; ++d) {
      CHECK(r.halos.position[g][d] == ref.halos.position[g][d]);
      CHECK(r.halos.velocity[g][d] == doctest::Approx(ref.halos.velocity[g][d]).epsilon(1e-12).scale(1.0));
    }
    CHECK(r.halos.velocity_dispersion[g] == doctest::Approx(ref.halos.velocity_dispersion[g]).epsilon(1e-12));
  }
}

TEST_CASE("lightcone haloes refuse a missing observer, spacing or particle mass" * doctest::test_suite("unit.halos")) {
  const std::vector<lightcone::crossing> none;
  halos::lightcone_halo_options opt;
  opt.mean_spacing = 1.0;
  opt.particle_mass = 1e12;
  CHECK_THROWS_WITH_AS(halos::find_lightcone_halos(none, opt), doctest::Contains("observer"), config_error);
  opt.observer = vec3<double>{0, 0, 0};
  opt.mean_spacing = 0.0;
  CHECK_THROWS_WITH_AS(halos::find_lightcone_halos(none, opt), doctest::Contains("mean_spacing"), config_error);
  opt.mean_spacing = 1.0;
  opt.particle_mass = 0.0;
  CHECK_THROWS_WITH_AS(halos::find_lightcone_halos(none, opt), doctest::Contains("particle_mass"), config_error);
  // Per-point scale factors must be positive, one per point.
  halos::halo_options h;
  const std::vector<double> bad{0.5, -1.0};
  h.point_a = bad;
  CHECK_THROWS_AS(h.validate(), config_error);
}
