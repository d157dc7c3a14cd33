// SPDX-License-Identifier: BSD-3-Clause
// accuracy_table: the measured table of docs/user_guide.md §3 ("Choosing a simulation").
//
// One set of initial conditions (64³ particles in 128 Mpc/h, Planck-like cosmology, seed 42,
// 2LPT at z = 49) run with the basic choices, each compared at z = 1 and z = 0 with the most
// converged run we can make: tCOLA with the P3M force (TSC, defaults) and 640 steps linear in a
// (docs/user_guide.md §1: its P(k) is within 0.3 % of a 1280-step run for k ≤ 1.5 h/Mpc).
// For each run: P/P_ref and r at k = 0.1, 0.3, 0.5 and 1 h/Mpc (shells of width 0.05 h/Mpc,
// interlaced TSC estimator on a 256³ mesh, shot noise kept: the same particle count in both),
// and the wall time of the run (2 threads unless OMP_NUM_THREADS says otherwise).
//
// Usage: accuracy_table [OUTPUT_FOLDER]   (default out/accuracy_table). Writes table.md (the
// Markdown table) and reference_z0.npy / reference_z1.npy (reused when present: delete them
// to remake the reference, about 5 minutes on two cores).

#include <lagframe/analysis/cross_power.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/lagframe.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace lf = lagframe;

namespace {

const lf::cosmology::parameters cosmo{};
const lf::box box{.side_mpc_h = 128.0, .particles_1d = 64};
constexpr double a_start = 1.0 / 50.0;
constexpr double k_values[4] = {0.1, 0.3, 0.5, 1.0};

struct snapshots {
  std::vector<lf::vec3<float>> z1, z0;
  double seconds = 0;
};

/// Steps linear in a from z = 49 to z = 0, with z = 1 (a = 0.5) as a node: the steps are split
/// between the two intervals in proportion to their length.
lf::stepper::time_grid grid_with_z1(std::size_t steps) {
  const std::size_t first = std::max<std::size_t>(1, static_cast<std::size_t>(
                                                         std::lround(steps * (0.5 - a_start) / (1.0 - a_start))));
  std::vector<double> nodes;
  for (std::size_t i = 0; i <= first; ++i) nodes.push_back(a_start + (0.5 - a_start) * static_cast<double>(i) / first);
  for (std::size_t i = 1; i <= steps - first; ++i)
    nodes.push_back(0.5 + 0.5 * static_cast<double>(i) / static_cast<double>(steps - first));
  return lf::stepper::time_grid::from_list(nodes);
}

template <class Frame, class Force>
snapshots run(Force force, std::size_t steps) {
  using sim_t = lf::simulation<Frame, Force, lf::stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, box, std::move(force), lf::stepper::kick_drift_kick<>({.grid = grid_with_z1(steps)})};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto t0 = std::chrono::steady_clock::now();
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = 42}), 2));
  snapshots out;
  sim.run_until(0.5);
  out.z1.assign(sim.positions().begin(), sim.positions().end());
  sim.run_until(1.0);
  out.z0.assign(sim.positions().begin(), sim.positions().end());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// "P/P_ref r" at each of k_values, as table cells.
std::string compare(const std::vector<lf::vec3<float>>& test, const std::vector<lf::vec3<float>>& ref) {
  const lf::analysis::spectrum_options opt{.grid_1d = 256, .interlacing = true, .dk = 0.05, .k_max = 1.2};
  const auto r = lf::analysis::cross_power<lf::mesh::tsc, float>(test, ref, box.side_mpc_h, opt);
  std::ostringstream cells;
  for (const double k : k_values) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < r.k.size(); ++i)
      if (std::abs(r.k[i] - k) < std::abs(r.k[best] - k)) best = i;
    char cell[64];
    std::snprintf(cell, sizeof cell, " %.3f / %.4f |", r.p_a[best] / r.p_b[best], r.r[best]);
    cells << cell;
  }
  return cells.str();
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "out/accuracy_table";
  std::filesystem::create_directories(out);
  lf::force::p3m_options p3m_opt;
  p3m_opt.mesh.grid_1d = 128;

  snapshots ref;
  if (std::filesystem::exists(out / "reference_z0.npy") && std::filesystem::exists(out / "reference_z1.npy")) {
    ref.z0 = lf::io::read_npy_vec3<float>(out / "reference_z0.npy");
    ref.z1 = lf::io::read_npy_vec3<float>(out / "reference_z1.npy");
    std::printf("reference read from %s\n", out.c_str());
  } else {
    std::printf("reference: tCOLA + P3M (TSC, 128^3 mesh), 640 steps ...\n");
    std::fflush(stdout);
    ref = run<lf::frame::lpt<2>>(lf::force::p3m<lf::mesh::tsc>(box, p3m_opt), 640);
    lf::io::write_npy(out / "reference_z0.npy", std::span<const lf::vec3<float>>(ref.z0));
    lf::io::write_npy(out / "reference_z1.npy", std::span<const lf::vec3<float>>(ref.z1));
    std::printf("reference done in %.0f s\n", ref.seconds);
  }

  struct row {
    std::string label;
    std::function<snapshots()> make;
  };
  using lf::force::gradient;
  using lf::force::greens_function;
  using lpt = lf::frame::lpt<2>;
  using none = lf::frame::inertial<>;
  const auto pm = [](std::size_t n, auto assignment, lf::force::pm_options o) {
    o.grid_1d = n;
    return lf::force::particle_mesh<decltype(assignment)>(box, o);
  };
  std::vector<row> rows = {
      {"tCOLA, 5 steps, PM CIC 128³ (defaults)", [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {}), 5); }},
      {"tCOLA, 10 steps, PM CIC 128³", [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {}), 10); }},
      {"tCOLA, 20 steps, PM CIC 128³", [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {}), 20); }},
      {"tCOLA, 40 steps, PM CIC 128³", [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {}), 40); }},
      {"PM (no frame, FastPM factors), 10 steps, CIC 128³", [&] { return run<none>(pm(128, lf::mesh::cic{}, {}), 10); }},
      {"PM, 40 steps, CIC 128³", [&] { return run<none>(pm(128, lf::mesh::cic{}, {}), 40); }},
      {"PM, 100 steps, CIC 128³", [&] { return run<none>(pm(128, lf::mesh::cic{}, {}), 100); }},
      {"tCOLA, 20 steps, PM CIC 64³ (1× the particle grid)", [&] { return run<lpt>(pm(64, lf::mesh::cic{}, {}), 20); }},
      {"tCOLA, 20 steps, PM CIC 64³, deconvolved", [&] { return run<lpt>(pm(64, lf::mesh::cic{}, {.deconvolve = true}), 20); }},
      {"tCOLA, 20 steps, PM CIC 192³ (3×)", [&] { return run<lpt>(pm(192, lf::mesh::cic{}, {}), 20); }},
      {"tCOLA, 20 steps, PM CIC 256³ (4×)", [&] { return run<lpt>(pm(256, lf::mesh::cic{}, {}), 20); }},
      {"tCOLA, 20 steps, PM TSC 128³", [&] { return run<lpt>(pm(128, lf::mesh::tsc{}, {}), 20); }},
      {"tCOLA, 20 steps, PM CIC 128³, interlaced", [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {.interlace = true}), 20); }},
      {"tCOLA, 20 steps, PM CIC 64³, spectral gradient + deconvolution",
       [&] { return run<lpt>(pm(64, lf::mesh::cic{}, {.grad = gradient::spectral, .deconvolve = true}), 20); }},
      {"tCOLA, 20 steps, PM CIC 128³, 7-point Green's function",
       [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {.greens = greens_function::finite_difference}), 20); }},
      {"tCOLA, 20 steps, PM CIC 128³, optimal influence (3 cells)",
       [&] { return run<lpt>(pm(128, lf::mesh::cic{}, {.greens = greens_function::optimal}), 20); }},
      {"tCOLA, 20 steps, PM CIC 128³, interlaced + optimal (3.5 cells) + spectral",
       [&] {
         return run<lpt>(pm(128, lf::mesh::cic{},
                            {.greens = greens_function::optimal, .grad = gradient::spectral, .interlace = true,
                             .optimal_diameter_cells = 3.5}),
                         20);
       }},
      {"tCOLA, 160 steps, P3M TSC 128³", [&] { return run<lpt>(lf::force::p3m<lf::mesh::tsc>(box, p3m_opt), 160); }},
      {"tCOLA, 300 steps, P3M TSC 128³ (recommended)",
       [&] { return run<lpt>(lf::force::p3m<lf::mesh::tsc>(box, p3m_opt), 300); }},
  };

  std::ostringstream table;
  table << "| run | time | z = 1: P/P_ref / r at k = 0.1 | 0.3 | 0.5 | 1 h/Mpc | z = 0: k = 0.1 | 0.3 | 0.5 | 1 h/Mpc |\n"
        << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    std::printf("%s ...\n", r.label.c_str());
    std::fflush(stdout);
    const auto s = r.make();
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", s.seconds);
    table << "| " << r.label << " | " << time << " |" << compare(s.z1, ref.z1) << compare(s.z0, ref.z0) << "\n";
    std::printf("%s", table.str().substr(table.str().rfind("| " + r.label)).c_str());
  }
  lf::io::write_atomically(out / "table.md", [&](const std::filesystem::path& tmp) {
    std::ofstream file(tmp);
    file << table.str();
    if (!file) throw lf::io_error("accuracy_table: cannot write " + tmp.string());
  });
  std::printf("\nwrote %s\n", (out / "table.md").c_str());
  return 0;
}
