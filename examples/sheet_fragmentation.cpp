// SPDX-License-Identifier: BSD-3-Clause
// sheet_fragmentation: the small haloes of a cut spectrum (Wang & White 2007), counted on the
// particles and on the Lagrangian sheet (docs/physics.md §15.6).
//
// Linear spectrum: Eisenstein–Hu times exp[−(k/k_c)⁸] with k_c = k_Ny / 8 (N³ particles, spacing
// d = 1 Mpc/h by default). Wang & White's limit below which haloes are mostly artificial:
// M_lim = 10.1 ρ̄ d k_peak⁻², k_peak where Δ²(k) = k³P(k)/2π² peaks, i.e. 10.1 (d k_peak)⁻²
// particle masses. One Gaussian field, its 2LPT displacements on the (2N)³ grid, subsampled for
// the N³ runs. tCOLA, 40 steps linear in a from z = 49 to 0, TSC mesh of (2N)³ (or MESH_1D³).
// Runs: (2N)³ particles (the reference), N³ particles, and N³ with source::sheet (the default
// policy; with `all`, also blend, sheet_everywhere and the trilinear interpolant). Friends-of-
// friends groups (b = 0.2, at least 20 N³-particle masses) are found on each run's particles
// and on its sheet (source::sheet_samples, 2³ points per Lagrangian cell, b = 0.2 of their
// spacing), and on the reference through its N³-grid particles only (every second particle per
// axis): the control that tells the finder's sampling apart from the dynamics.
// Usage: sheet_fragmentation [N] [RESAMPLE] [MESH_1D] [all|default].
// Output: a table of counts per mass bin, then one line per row:
//   "groups <row>: below M_lim <count>, above <count>".

#include <lagframe/halos/fof.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/source/sheet_samples.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace lf = lagframe;

namespace {

constexpr int bin_count = 7;  // [20, 40), [40, 80), ... , ≥ 1280 N³-particle masses

/// FoF groups per mass bin (masses in N³-particle masses; `per_mass` points each), and the
/// numbers below and at or above M_lim.
struct group_census {
  std::array<std::size_t, bin_count> bins{};
  std::size_t below = 0, above = 0;
};

group_census count_groups(std::span<const lf::vec3<float>> x, double side, double per_mass, double m_lim) {
  const auto groups = lf::halos::friends_of_friends(
      x, side, {.linking_length = 0.2, .min_members = static_cast<std::size_t>(std::lround(20 * per_mass))});
  group_census c;
  for (std::size_t g = 0; g < groups.groups(); ++g) {
    const double m = static_cast<double>(groups.length(g)) / per_mass;
    int b = 0;
    for (double edge = 40; b < bin_count - 1 && m >= edge; edge *= 2) ++b;
    ++c.bins[static_cast<std::size_t>(b)];
    ++(m < m_lim ? c.below : c.above);
  }
  return c;
}

template <class Force>
std::vector<lf::vec3<float>> run_to_z0(const lf::box& box, const lf::ic::lpt_fields<float>& fields, Force force) {
  using sim_t = lf::simulation<lf::frame::lpt<2>, Force, lf::stepper::kick_drift_kick<>>;
  sim_t sim{lf::cosmology::parameters{}, box, std::move(force),
            lf::stepper::kick_drift_kick<>({.grid = lf::stepper::time_grid::linear(0.02, 1.0, 40)})};
  sim.set_initial_conditions(fields);
  sim.run_until(1.0);
  return {sim.positions().begin(), sim.positions().end()};
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const std::size_t resample = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2;
  const std::size_t mesh_1d = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2 * n;
  const std::string runs = argc > 4 ? argv[4] : "all";
  if (n < 16 || n % 2 != 0 || resample < 1 || resample > 8 || mesh_1d < 8 || (runs != "all" && runs != "default")) {
    std::fprintf(stderr,
                 "usage: sheet_fragmentation [N >= 16, even] [RESAMPLE in 1..8] [MESH_1D >= 8, default 2N] "
                 "[all|default]\n");
    return 2;
  }
  const bool all = runs == "all";
  const double side = static_cast<double>(n);  // d = 1 Mpc/h
  const double k_cut = std::numbers::pi / 8.0;
  const lf::cosmology::parameters cosmo{};
  const auto eh = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto truncated = lf::cosmology::linear_power::from_function(
      [&](double k) { return eh(k) * std::max(std::exp(-std::pow(k / k_cut, 8)), 1e-30); }, 0.0);
  double k_peak = 0, peak = 0;
  for (double k = 0.01; k < 4 * k_cut; k *= 1.001)
    if (k * k * k * truncated(k) > peak) {
      peak = k * k * k * truncated(k);
      k_peak = k;
    }
  const double m_lim = 10.1 / (k_peak * k_peak);  // particle masses (d = 1 Mpc/h)
  std::printf("%zu^3 particles in %.0f Mpc/h, k_c = %.3f h/Mpc, k_peak = %.3f h/Mpc, M_lim = %.0f particle masses\n", n,
              side, k_cut, k_peak, m_lim);

  const lf::box coarse{.side_mpc_h = side, .particles_1d = n};
  const lf::box fine{.side_mpc_h = side, .particles_1d = 2 * n};
  const std::size_t nc = n, nf = 2 * n;
  const auto fields_fine =
      lf::ic::lpt_displacements(fine, lf::ic::linear_density_modes<float>(fine, truncated, {.seed = 42}), 2);
  lf::ic::lpt_fields<float> fields;
  fields.grid = coarse;
  fields.order = 2;
  fields.psi1.resize(coarse.particle_count());
  fields.psi2.resize(coarse.particle_count());
  for (std::size_t i = 0; i < nc; ++i)
    for (std::size_t j = 0; j < nc; ++j)
      for (std::size_t k = 0; k < nc; ++k) {
        const std::size_t c = (i * nc + j) * nc + k, f = ((2 * i) * nf + 2 * j) * nf + 2 * k;
        fields.psi1[c] = fields_fine.psi1[f];
        fields.psi2[c] = fields_fine.psi2[f];
      }

  std::printf("\nFoF groups (b = 0.2) at z = 0 per mass bin, in %zu^3-particle masses:\n", n);
  std::printf("| run | groups found on | 20-40 | 40-80 | 80-160 | 160-320 | 320-640 | 640-1280 | >= 1280 | seconds |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  const lf::force::pm_options pm{.grid_1d = mesh_1d};
  std::vector<std::string> summary;
  const auto report = [&](const std::string& run, const char* on, std::span<const lf::vec3<float>> x, double per_mass,
                          double seconds) {
    const auto c = count_groups(x, side, per_mass, m_lim);
    std::printf("| %s | %s |", run.c_str(), on);
    for (const auto b : c.bins) std::printf(" %zu |", b);
    std::printf(" %.0f |\n", seconds);
    std::fflush(stdout);
    summary.push_back(run + " / " + on + ": below M_lim " + std::to_string(c.below) + ", above " + std::to_string(c.above));
  };
  const auto timed = [](auto&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    auto x = f();
    return std::pair{std::move(x), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  };
  // An N³ run's groups on its particles and on its sheet (2³ trilinear samples per cell, each
  // 1/8 of a particle's mass).
  const auto report_both = [&](const std::string& run, const std::vector<lf::vec3<float>>& x, double seconds) {
    report(run, "particles", x, 1.0, seconds);
    report(run, "sheet", lf::source::sheet_samples<float>(x, coarse, 2), 8.0, 0.0);
  };
  {
    auto [x, s] = timed([&] { return run_to_z0(fine, fields_fine, lf::force::particle_mesh<lf::mesh::tsc>(fine, pm)); });
    report("(2N)^3 particles", "particles", x, 8.0, s);
    std::vector<lf::vec3<float>> subset(coarse.particle_count());
    for (std::size_t i = 0; i < nc; ++i)
      for (std::size_t j = 0; j < nc; ++j)
        for (std::size_t k = 0; k < nc; ++k) subset[(i * nc + j) * nc + k] = x[((2 * i) * nf + 2 * j) * nf + 2 * k];
    report("(2N)^3 particles", "its N^3-grid particles", subset, 1.0, 0.0);
  }
  {
    auto [x, s] = timed([&] { return run_to_z0(coarse, fields, lf::force::particle_mesh<lf::mesh::tsc>(coarse, pm)); });
    report_both("N^3 particles", x, s);
  }
  using policy = lf::source::multistream_policy;
  using interp = lf::source::sheet_interpolant;
  std::vector<std::tuple<policy, interp, const char*>> sheet_runs{
      {lf::source::source_options{}.policy, interp::fourier, "N^3 sheet (default)"}};
  if (all) {
    sheet_runs.emplace_back(policy::blend, interp::fourier, "N^3 sheet, blend");
    sheet_runs.emplace_back(policy::sheet_everywhere, interp::fourier, "N^3 sheet, sheet_everywhere");
    sheet_runs.emplace_back(policy::sheet_everywhere, interp::trilinear, "N^3 sheet, trilinear, everywhere");
  }
  for (const auto& [p, ip, name] : sheet_runs) {
    lf::force::pm_options o = pm;
    o.source.resample = resample;
    o.source.policy = p;
    o.source.interpolant = ip;
    auto [x, s] = timed([&] {
      return run_to_z0(coarse, fields, lf::force::particle_mesh<lf::mesh::tsc, float, lf::source::sheet>(coarse, o));
    });
    report_both(name, x, s);
  }
  std::printf("\nM_lim = %.0f N^3-particle masses; groups of at least 20:\n", m_lim);
  for (const auto& line : summary) std::printf("groups %s\n", line.c_str());
  return 0;
}
