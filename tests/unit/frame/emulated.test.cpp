// SPDX-License-Identifier: BSD-3-Clause
// frame::emulated<Base, Emulator> (frame/emulated.hpp, docs/physics.md §10): the null emulator is
// tCOLA bit for bit, an analytic emulator moves particles by exactly the drift integral of p_ML,
// and a NaN from an emulator stops the run.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "lagframe/frame/emulated.hpp"
#include "lagframe/frame/emulators/none.hpp"
#include "lagframe/lagframe.hpp"
#include "lagframe/stepper/quadrature.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 64.0, .particles_1d = 32};

ic::lpt_fields<double> fields_of(std::uint64_t seed, int order = 2) {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  return ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = seed}), order);
}

using pm = force::particle_mesh<mesh::cic, double>;
using kdk = stepper::kick_drift_kick<stepper::factors::cola>;
template <class Frame>
using sim_of = simulation<Frame, pm, kdk>;

stepper::kdk_options ten_steps(stepper::force_schedule schedule) {
  return {.grid = stepper::time_grid::linear(0.1, 1.0, 10), .schedule = std::move(schedule)};
}

/// p_ML(q, a) = c · a² · ψ1(q), with ψ1 regenerated from the seed (so the emulator is
/// default-constructible, as lagframe::simulation builds its frame).
struct quadratic_in_a {
  using real_type = double;
  static constexpr std::string_view name = "quadratic_in_a";
  static constexpr double c = 3.0;
  static double f(double a) { return c * a * a; }
  std::vector<vec3<double>> psi1 = fields_of(7, 1).psi1;

  void momenta(std::span<vec3<double>> out, double a) const {
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = f(a) * psi1[i][d];
  }
  void validate(const box& g, double, double) const {
    require(g.particle_count() == psi1.size(), "particle count", g.particle_count(), "32^3");
  }
  [[nodiscard]] std::array<double, 2> time_range() const { return {0.0, 10.0}; }
};

/// p_ML(q, a) = c · a⁴ · ψ1(q): a central difference of f over ±h is 4ca³ + 4cah², exactly.
struct quartic_in_a {
  using real_type = double;
  static constexpr std::string_view name = "quartic_in_a";
  static constexpr double c = 2.0;
  std::vector<vec3<double>> psi1 = fields_of(7, 1).psi1;

  void momenta(std::span<vec3<double>> out, double a) const {
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = c * a * a * a * a * psi1[i][d];
  }
  void validate(const box& g, double, double) const {
    require(g.particle_count() == psi1.size(), "particle count", g.particle_count(), "32^3");
  }
  [[nodiscard]] std::array<double, 2> time_range() const { return {0.0, 10.0}; }
};

/// p_ML(q, a) = f(a) · ψ1(q) with f linear between knots (as an emulator that interpolates stored
/// times), declared through knots().
struct piecewise_in_a {
  using real_type = double;
  static constexpr std::string_view name = "piecewise_in_a";
  std::vector<double> t{0.1, 0.35, 0.42, 0.7, 1.0};
  std::vector<double> v{0.0, 2.0, -1.0, 3.0, 0.5};
  std::vector<vec3<double>> psi1 = fields_of(7, 1).psi1;

  [[nodiscard]] double f(double a) const {
    std::size_t k = 1;
    while (k + 1 < t.size() && a > t[k]) ++k;
    return v[k - 1] + (v[k] - v[k - 1]) * (a - t[k - 1]) / (t[k] - t[k - 1]);
  }
  [[nodiscard]] double slope(std::size_t k) const { return (v[k + 1] - v[k]) / (t[k + 1] - t[k]); }
  void momenta(std::span<vec3<double>> out, double a) const {
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = f(a) * psi1[i][d];
  }
  void validate(const box& g, double, double) const {
    require(g.particle_count() == psi1.size(), "particle count", g.particle_count(), "32^3");
  }
  [[nodiscard]] std::array<double, 2> time_range() const { return {t.front(), t.back()}; }
  [[nodiscard]] std::span<const double> knots() const { return t; }
};

/// piecewise_in_a with the optional weighted sum (the frame then evaluates once per drift).
struct piecewise_weighted : piecewise_in_a {
  static constexpr std::string_view name = "piecewise_weighted";
  mutable int weighted_calls = 0;
  void weighted_momenta(std::span<vec3<double>> out, std::span<const double> at, std::span<const double> w) const {
    ++weighted_calls;
    double c = 0;
    for (std::size_t m = 0; m < at.size(); ++m) c += w[m] * f(at[m]);
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = c * psi1[i][d];
  }
};

/// Finite at the first node, NaN at every later time.
struct nan_after_start {
  using real_type = double;
  static constexpr std::string_view name = "nan_after_start";
  void momenta(std::span<vec3<double>> out, double a) const {
    const double v = a > 0.1 + 1e-9 ? std::numeric_limits<double>::quiet_NaN() : 0.0;
    for (auto& p : out) p = {v, v, v};
  }
  void validate(const box&, double, double) const {}
  [[nodiscard]] std::array<double, 2> time_range() const { return {0.0, 10.0}; }
};

double periodic_max_difference(std::span<const vec3<double>> a, std::span<const vec3<double>> b,
                               std::span<const vec3<double>> expected_shift = {}) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int d = 0; d < 3; ++d) {
      double diff = a[i][d] - b[i][d] - (expected_shift.empty() ? 0.0 : expected_shift[i][d]);
      diff -= grid.side_mpc_h * std::round(diff / grid.side_mpc_h);
      worst = std::max(worst, std::abs(diff));
    }
  return worst;
}
}  // namespace

static_assert(frame::frame_emulator<frame::emulators::none<float>>);
static_assert(frame::frame_emulator<quadratic_in_a>);
static_assert(frame::frame_emulator<piecewise_in_a>);
static_assert(frame::frame_emulator<piecewise_weighted>);
static_assert(!frame::frame_emulator<int>);
static_assert(frame::frame_policy<frame::emulated<frame::lpt<2, float>, frame::emulators::none<float>>>);
static_assert(frame::frame_policy<frame::emulated<frame::lpt<1, double>, quadratic_in_a>>);

TEST_CASE("emulated<lpt<2>, none> is tCOLA bit for bit (every step and a sparse schedule)") {
  for (const auto& schedule : {stepper::force_schedule::every_step(), stepper::force_schedule::every_nth(3)}) {
    sim_of<frame::lpt<2, double>> cola{cosmo, grid, force::pm_options{.grid_1d = 64}, ten_steps(schedule)};
    sim_of<frame::emulated<frame::lpt<2, double>, frame::emulators::none<double>>> coca{
        cosmo, grid, force::pm_options{.grid_1d = 64}, ten_steps(schedule)};
    cola.set_initial_conditions(fields_of(3));
    coca.set_initial_conditions(fields_of(3));
    cola.run_until(1.0);
    coca.run_until(1.0);
    CHECK(coca.force_evaluations() == cola.force_evaluations());
    CHECK(coca.force_evaluations() >= 4);
    const auto n = grid.particle_count() * sizeof(vec3<double>);
    CHECK(std::memcmp(cola.positions().data(), coca.positions().data(), n) == 0);
    CHECK(std::memcmp(cola.momenta().data(), coca.momenta().data(), n) == 0);
  }
}

TEST_CASE("emulated frame without forces: x − x_tCOLA is the integral of p_ML (each integration)") {
  using frame_t = frame::emulated<frame::lpt<2, double>, quadratic_in_a>;
  const auto options = ten_steps(stepper::force_schedule::never());
  sim_of<frame::lpt<2, double>> cola{cosmo, grid, force::pm_options{.grid_1d = 64}, options};
  cola.set_initial_conditions(fields_of(3));
  cola.run_until(1.0);
  const auto psi1 = fields_of(7, 1).psi1;
  for (const auto integration : {frame::ml_integration::as_lpt, frame::ml_integration::as_particles}) {
    const bool as_lpt = integration == frame::ml_integration::as_lpt;
    CAPTURE(as_lpt);
    sim_of<frame_t> coca{cosmo, grid, force::pm_options{.grid_1d = 64}, options};
    coca.set_frame_options({quadratic_in_a{}, integration});
    coca.set_initial_conditions(fields_of(3));
    // Entering the frame: π = −p_ML(a_start).
    CHECK(coca.residual_momenta()[11][1] == doctest::Approx(-quadratic_in_a::f(0.1) * psi1[11][1]).epsilon(1e-13));
    coca.run_until(1.0);
    CHECK(coca.force_evaluations() == 0);

    // Independently: π stays −p_ML(a_0), so the drifts add Σ_j 𝒟_j·π plus the frame's motion:
    //   as_particles: Σ_j 𝒟_j p_ML(a_{j+1/2});  as_lpt: ∫ p_ML da/(a³E) (exact for p_ML ∝ a²).
    const auto& g = coca.growth();
    const auto& tg = options.grid;
    double weight = 0;
    for (std::size_t j = 0; j < tg.steps(); ++j) {
      const double d = stepper::factors::cola{}.drift(g, tg.node(j), tg.node(j + 1), tg.midpoint(j));
      weight += d * ((as_lpt ? 0.0 : quadratic_in_a::f(tg.midpoint(j))) - quadratic_in_a::f(tg.node(0)));
    }
    if (as_lpt) {
      weight += stepper::detail::integrate_log_a(
          [&](double a) { return quadratic_in_a::f(a) / (a * a * a * g.bg().e(a)); }, tg.a_start(), tg.a_end());
    }
    std::vector<vec3<double>> shift(psi1.size()), dp(psi1.size());
    for (std::size_t i = 0; i < psi1.size(); ++i)
      for (int d = 0; d < 3; ++d) {
        shift[i][d] = weight * psi1[i][d];
        dp[i][d] = (quadratic_in_a::f(1.0) - quadratic_in_a::f(0.1)) * psi1[i][d];
      }
    double biggest_shift = 0;
    for (const auto& sh : shift) biggest_shift = std::max({biggest_shift, std::abs(sh[0]), std::abs(sh[1]), std::abs(sh[2])});
    INFO("largest frame displacement Psi_ML = " << biggest_shift << " Mpc/h");
    CHECK(biggest_shift > 0.5);  // the frame moves particles by a lot more than the tolerance
    CHECK(periodic_max_difference(coca.positions(), cola.positions(), shift) < 1e-10);
    // Leaving the frame: p = p_LPT + π + p_ML(a_end) = p_tCOLA + p_ML(1) − p_ML(0.1).
    const auto p_coca = coca.momenta(), p_cola = cola.momenta();
    double worst = 0;
    for (std::size_t i = 0; i < psi1.size(); ++i)
      for (int d = 0; d < 3; ++d) worst = std::max(worst, std::abs(p_coca[i][d] - p_cola[i][d] - dp[i][d]));
    CHECK(worst < 1e-10);
  }
}

TEST_CASE("as_particles kick and drift: the LPT force leaves −Δp_ML, the drift adds 𝒟·(π + p_ML)") {
  const cosmology::growth g(cosmo);
  const frame::emulated<frame::lpt<1, double>, quadratic_in_a> fr(g, fields_of(3, 1),
                                                                  {quadratic_in_a{}, frame::ml_integration::as_particles});
  const auto psi1 = fields_of(3, 1).psi1;
  const auto ml = fields_of(7, 1).psi1;
  const double a0 = 0.3, a1 = 0.5, ac = 0.4, K = 0.37;
  std::vector<vec3<double>> pi(psi1.size(), vec3<double>{1.0, 2.0, 3.0}), acc(psi1.size());
  for (std::size_t i = 0; i < psi1.size(); ++i)
    for (int d = 0; d < 3; ++d) acc[i][d] = g.d1(ac) * psi1[i][d];  // −∇φ at linear order
  fr.kick(pi, acc, {a0, a1, ac, K, 1.5 * cosmo.omega_m * K});
  for (std::size_t i = 0; i < psi1.size(); i += 101)
    CHECK(pi[i][0] == doctest::Approx(1.0 - (quadratic_in_a::f(a1) - quadratic_in_a::f(a0)) * ml[i][0]).epsilon(1e-12));

  std::vector<vec3<double>> x(psi1.size(), vec3<double>{10.0, 20.0, 30.0});
  std::vector<vec3<double>> zero(psi1.size(), vec3<double>{0.0, 0.0, 0.0});
  fr.drift(x, zero, {a0, a1, ac, 2.0});
  for (std::size_t i = 0; i < psi1.size(); i += 101) {
    const double expected = 10.0 + (g.d1(a1) - g.d1(a0)) * psi1[i][0] + 2.0 * quadratic_in_a::f(ac) * ml[i][0];
    CHECK(x[i][0] == doctest::Approx(wrap_periodic(expected, 64.0)).epsilon(1e-12));
  }
  CHECK_THROWS_AS(fr.kick(std::span<vec3<double>>(pi).first(5), acc, {a0, a1, ac, K, 1.0}), config_error);
}

TEST_CASE("as_lpt kick and drift: the frame's acceleration with the kick factor, its own displacement") {
  const cosmology::growth g(cosmo);
  const frame::emulated<frame::lpt<1, double>, quadratic_in_a> fr(g, fields_of(3, 1));  // as_lpt is the default
  CHECK(fr.integration() == frame::ml_integration::as_lpt);
  const auto psi1 = fields_of(3, 1).psi1;
  const auto ml = fields_of(7, 1).psi1;
  // A half kick with the force at its start (as the KDK stepper does): g_ML(ac) = ac²E(ac)·f'(ac)·ψ,
  // the central difference over ±(a1 − a0) being exact for f ∝ a².
  const double a0 = 0.3, a1 = 0.4, ac = 0.3, K = 0.37;
  std::vector<vec3<double>> pi(psi1.size(), vec3<double>{1.0, 2.0, 3.0}), acc(psi1.size());
  for (std::size_t i = 0; i < psi1.size(); ++i)
    for (int d = 0; d < 3; ++d) acc[i][d] = g.d1(ac) * psi1[i][d];  // −∇φ at linear order
  fr.kick(pi, acc, {a0, a1, ac, K, 1.5 * cosmo.omega_m * K});
  const double g_ml = ac * ac * g.bg().e(ac) * 2.0 * quadratic_in_a::c * ac;
  for (std::size_t i = 0; i < psi1.size(); i += 101)
    CHECK(pi[i][0] == doctest::Approx(1.0 - K * g_ml * ml[i][0]).epsilon(1e-10));

  // Drift with π = 0: ΔΨ_LPT + ∫ p_ML da/(a³E), whatever the drift factor.
  const double b0 = 0.3, b1 = 0.5, bc = 0.4;
  const double integral = stepper::detail::integrate_log_a(
      [&](double a) { return quadratic_in_a::f(a) / (a * a * a * g.bg().e(a)); }, b0, b1);
  std::vector<vec3<double>> x(psi1.size(), vec3<double>{10.0, 20.0, 30.0});
  std::vector<vec3<double>> zero(psi1.size(), vec3<double>{0.0, 0.0, 0.0});
  fr.drift(x, zero, {b0, b1, bc, 2.0});
  for (std::size_t i = 0; i < psi1.size(); i += 101) {
    const double expected = 10.0 + (g.d1(b1) - g.d1(b0)) * psi1[i][0] + integral * ml[i][0];
    CHECK(x[i][0] == doctest::Approx(wrap_periodic(expected, 64.0)).epsilon(1e-12));
  }
}

TEST_CASE("as_lpt: a frame on the true trajectory leaves no residual whatever the step") {
  // p_ML(a) = f(a)·ψ with f ∝ a² and a force equal to the frame's acceleration: the kick (the
  // force times K minus K·g_ML) cancels exactly, at any step size.
  const cosmology::growth g(cosmo);
  const frame::emulated<frame::inertial<double>, quadratic_in_a> fr(g, fields_of(3, 1));
  const auto ml = fields_of(7, 1).psi1;
  for (const double h : {0.01, 0.1, 0.3}) {
    const double a0 = 0.4, a1 = 0.4 + h, ac = 0.4, K = stepper::factors::quinn{}.kick(g, a0, a1, ac);
    std::vector<vec3<double>> pi(ml.size(), vec3<double>{0.0, 0.0, 0.0}), acc(ml.size());
    const double g_ml = ac * ac * g.bg().e(ac) * 2.0 * quadratic_in_a::c * ac;
    const double force_scale = 1.5 * cosmo.omega_m * K;
    for (std::size_t i = 0; i < ml.size(); ++i)
      for (int d = 0; d < 3; ++d) acc[i][d] = g_ml * ml[i][d] * K / force_scale;
    fr.kick(pi, acc, {a0, a1, ac, K, force_scale});
    double worst = 0;
    for (const auto& v : pi) worst = std::max({worst, std::abs(v[0]), std::abs(v[1]), std::abs(v[2])});
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("as_lpt rate_step: the frame's acceleration is the central difference over ±rate_step·(a1 − a0)") {
  // With f ∝ a⁴ the central difference over ±h is f'(ac) + 4c·ac·h²: the kick of a force equal
  // to the true frame acceleration leaves π = −K·ac²E·4c·ac·h²·ψ, 100 times less with
  // rate_step = 0.1 than with 1.
  const cosmology::growth g(cosmo);
  const auto ml = fields_of(7, 1).psi1;
  const double a0 = 0.5, a1 = 0.6, ac = 0.5, K = stepper::factors::quinn{}.kick(g, a0, a1, ac);
  const double true_rate = ac * ac * g.bg().e(ac) * 4.0 * quartic_in_a::c * ac * ac * ac;
  const double force_scale = 1.5 * cosmo.omega_m * K;
  for (const double step : {1.0, 0.1}) {
    const frame::emulated<frame::inertial<double>, quartic_in_a> fr(
        g, fields_of(3, 1), frame::emulated_options<quartic_in_a>(quartic_in_a{}, frame::ml_integration::as_lpt, step));
    CHECK(fr.rate_step() == step);
    std::vector<vec3<double>> pi(ml.size(), vec3<double>{0.0, 0.0, 0.0}), acc(ml.size());
    for (std::size_t i = 0; i < ml.size(); ++i)
      for (int d = 0; d < 3; ++d) acc[i][d] = true_rate * ml[i][d] * K / force_scale;
    fr.kick(pi, acc, {a0, a1, ac, K, force_scale});
    const double h = step * (a1 - a0);
    const double expected = -K * ac * ac * g.bg().e(ac) * 4.0 * quartic_in_a::c * ac * h * h;
    CAPTURE(step);
    for (std::size_t i = 0; i < ml.size(); i += 97)
      CHECK(pi[i][1] == doctest::Approx(expected * ml[i][1]).epsilon(1e-7).scale(1e-12));
  }
  for (const double bad : {0.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS((frame::emulated<frame::inertial<double>, quartic_in_a>(
                             g, fields_of(3, 1),
                             frame::emulated_options<quartic_in_a>(quartic_in_a{}, frame::ml_integration::as_lpt, bad))),
                         doctest::Contains("rate_step"), config_error);
  }
}

TEST_CASE("as_lpt with knots: the exact drift integral of a piecewise-linear p_ML, its slope in the kick") {
  const cosmology::growth g(cosmo);
  const auto ml = fields_of(7, 1).psi1;
  const auto options = [](double step) {
    return frame::emulated_options<piecewise_in_a>(piecewise_in_a{}, frame::ml_integration::as_lpt, step);
  };
  const frame::emulated<frame::inertial<double>, piecewise_in_a> fr(g, fields_of(3, 1), options(1.0));
  const piecewise_in_a e;
  const auto w = [&](double a) { return 1.0 / (a * a * a * g.bg().e(a)); };

  // Drift over [0.3, 0.8] (three knots inside) with π = 0: ∫ f(a) da/(a³E), segment by segment.
  const double b0 = 0.3, b1 = 0.8, bc = 0.55;
  double integral = 0;
  const double cuts[] = {0.3, 0.35, 0.42, 0.7, 0.8};
  for (int s = 0; s < 4; ++s)
    integral += stepper::detail::integrate_log_a([&](double a) { return e.f(a) * w(a); }, cuts[s], cuts[s + 1]);
  // The three-point rule through b0, bc, b1 (what an emulator without knots gets) is far off:
  // the test can tell the two apart.
  const double quadratic = stepper::detail::integrate_log_a(
      [&](double a) {
        const double l0 = (a - bc) * (a - b1) / ((b0 - bc) * (b0 - b1)), lc = (a - b0) * (a - b1) / ((bc - b0) * (bc - b1)),
                     l1 = (a - b0) * (a - bc) / ((b1 - b0) * (b1 - bc));
        return (l0 * e.f(b0) + lc * e.f(bc) + l1 * e.f(b1)) * w(a);
      },
      b0, b1);
  CHECK(std::abs(quadratic - integral) > 0.05 * std::abs(integral));  // 9.6 %
  std::vector<vec3<double>> x(ml.size(), vec3<double>{10.0, 20.0, 30.0});
  const std::vector<vec3<double>> zero(ml.size(), vec3<double>{0.0, 0.0, 0.0});
  fr.drift(x, zero, {b0, b1, bc, 2.0});
  for (std::size_t i = 0; i < ml.size(); i += 101)
    CHECK(x[i][2] == doctest::Approx(wrap_periodic(30.0 + integral * ml[i][2], 64.0)).epsilon(1e-12));
  // The same through the emulator's weighted sum, in one call.
  const frame::emulated<frame::inertial<double>, piecewise_weighted> fw(g, fields_of(3, 1), piecewise_weighted{});
  std::vector<vec3<double>> xw(ml.size(), vec3<double>{10.0, 20.0, 30.0});
  fw.drift(xw, zero, {b0, b1, bc, 2.0});
  CHECK(fw.emulator().weighted_calls == 1);
  for (std::size_t i = 0; i < ml.size(); i += 101) CHECK(xw[i][2] == doctest::Approx(x[i][2]).epsilon(1e-12));

  // Kick with a zero force: π = −K·ac²E·(rate of f)·ψ, the rate being
  //   rate_step 1: the central difference over ±(a1 − a0), across knots;
  //   rate_step 0.01: the slope of the segment around ac, or the mean of the two at a knot; within
  //   a quarter of a spacing of a knot (0.43), the difference out to the knot's neighbours.
  const frame::emulated<frame::inertial<double>, piecewise_in_a> local(g, fields_of(3, 1), options(0.01));
  struct kick_case {
    const frame::emulated<frame::inertial<double>, piecewise_in_a>* frame;
    double ac, rate;
  };
  const double len = 0.1;
  for (const auto& c : {kick_case{&fr, 0.5, (e.f(0.6) - e.f(0.4)) / 0.2}, kick_case{&local, 0.5, e.slope(2)},
                        kick_case{&local, 0.42, 0.5 * (e.slope(1) + e.slope(2))},
                        kick_case{&local, 0.43, (e.f(0.51) - e.f(0.35)) / 0.16}}) {
    CAPTURE(c.ac);
    CAPTURE(c.frame->rate_step());
    const double K = 0.37;
    std::vector<vec3<double>> pi(ml.size(), vec3<double>{0.0, 0.0, 0.0});
    const std::vector<vec3<double>> acc(ml.size(), vec3<double>{0.0, 0.0, 0.0});
    c.frame->kick(pi, acc, {c.ac - 0.5 * len, c.ac + 0.5 * len, c.ac, K, 1.0});
    const double expected = -K * c.ac * c.ac * g.bg().e(c.ac) * c.rate;
    for (std::size_t i = 0; i < ml.size(); i += 97)
      CHECK(pi[i][0] == doctest::Approx(expected * ml[i][0]).epsilon(1e-10).scale(1e-12));
  }
}

TEST_CASE("an emulator whose knots do not increase is refused, naming the knot") {
  const cosmology::growth g(cosmo);
  piecewise_in_a bad;
  bad.t = {0.1, 0.5, 0.5, 1.0};
  bad.v = {0.0, 1.0, 2.0, 3.0};
  CHECK_THROWS_WITH_AS((frame::emulated<frame::inertial<double>, piecewise_in_a>(g, fields_of(3, 1), bad)),
                       doctest::Contains("emulator knot = 0.5"), config_error);
}

TEST_CASE("a NaN from the emulator stops the run at the first step with numerical_error") {
  sim_of<frame::emulated<frame::lpt<2, double>, nan_after_start>> sim{
      cosmo, grid, force::pm_options{.grid_1d = 64}, ten_steps(stepper::force_schedule::never())};
  sim.set_initial_conditions(fields_of(3));  // p_ML(a_start) = 0 is fine
  CHECK_THROWS_WITH_AS(sim.run_until(1.0), doctest::Contains("non-finite momentum"), numerical_error);
  CHECK(sim.current_step() == 0);
}
