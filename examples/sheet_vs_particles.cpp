// SPDX-License-Identifier: BSD-3-Clause
// sheet_vs_particles: a truncated (warm-like) spectrum run with the particles and with the
// Lagrangian sheet as the source of gravity (docs/physics.md §15), against twice the resolution.
//
// Linear spectrum: Eisenstein–Hu (Planck-like cosmology) times exp[−(k/k_c)⁸], k_c = half the
// Nyquist frequency of N³ particles in an N Mpc/h box (1.57 h/Mpc; N = 64 by default): no
// structure below the particle spacing, so every small-scale feature of an N³ run is
// discreteness. One Gaussian field (seed 42), its 2LPT displacements computed on the (2N)³ grid
// at z = 49 and subsampled for the N³ runs, so all runs share the same modes. Runs (tCOLA, TSC
// mesh of (2N)³, 40 steps linear in a): N³ particles with source::particles, N³ with
// source::sheet (n = 2, or the second argument), (2N)³ particles (the reference). Outputs (first
// argument, default out/sheet_vs_particles): sheet_vs_particles_pk.txt (k, P of the three runs at
// z = 3 and z = 1, the ratios to the (2N)³ run), slices_z1.npy (projections of the middle quarter
// of the box), sheet_vs_particles.png (scripts/plot_sheet_vs_particles.py: slices side by side,
// P(k) ratios). Usage: sheet_vs_particles [FOLDER] [RESAMPLE] [N].
//
// Measured (docs/physics.md §15.5): largest |P/P_(2N)³ − 1| for k ≤ 2k_c, N = 64: particles
// 8.1 % (z = 3) and 5.1 % (z = 1), the sheet (default policy, global_switch) 0.3 % and 1.8 %;
// N = 32: 11 % and 6.5 %, 1.2 % and 1.8 %.

#include <lagframe/io/npy.hpp>
#include <lagframe/lagframe.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace lf = lagframe;

namespace {

// The coarse grid has N³ particles in N Mpc/h (N = 64 by default, the second argument after
// the folder and the resampling factor): the spacing and k_c stay the same for any N.
double side = 64.0;
std::size_t mesh_1d = 128;
const double k_cut = 0.5 * std::numbers::pi;  // half the Nyquist frequency of a 1 Mpc/h spacing

struct outputs {
  std::vector<lf::vec3<float>> z3, z1;
  double seconds = 0;
};

template <class Force>
outputs run(const lf::box& box, lf::ic::lpt_fields<float> fields, Force force) {
  const lf::cosmology::parameters cosmo{};
  std::vector<double> nodes;
  const double a0 = 1.0 / 50.0;
  for (int i = 0; i <= 40; ++i) nodes.push_back(a0 + (1.0 - a0) * i / 40.0);
  nodes.push_back(0.25);
  nodes.push_back(0.5);
  std::sort(nodes.begin(), nodes.end());
  using sim_t = lf::simulation<lf::frame::lpt<2>, Force, lf::stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, box, std::move(force), lf::stepper::kick_drift_kick<>({.grid = lf::stepper::time_grid::from_list(nodes)})};
  const auto t0 = std::chrono::steady_clock::now();
  sim.set_initial_conditions(std::move(fields));
  outputs out;
  sim.run_until(0.25);
  out.z3.assign(sim.positions().begin(), sim.positions().end());
  sim.run_until(0.5);
  out.z1.assign(sim.positions().begin(), sim.positions().end());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "out/sheet_vs_particles";
  const std::size_t resample = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2;
  const std::size_t n_coarse = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 64;
  if (resample < 1 || n_coarse < 8 || n_coarse % 2 != 0) {
    std::fprintf(stderr, "usage: sheet_vs_particles [FOLDER] [RESAMPLE >= 1] [N >= 8, even]\n");
    return 2;
  }
  side = static_cast<double>(n_coarse);
  mesh_1d = 2 * n_coarse;
  std::filesystem::create_directories(dir);
  const lf::cosmology::parameters cosmo{};
  const auto eh = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto truncated = lf::cosmology::linear_power::from_function(
      [&](double k) { return eh(k) * std::max(std::exp(-std::pow(k / k_cut, 8)), 1e-30); }, 0.0);

  const lf::box fine{.side_mpc_h = side, .particles_1d = 2 * n_coarse};
  const lf::box coarse{.side_mpc_h = side, .particles_1d = n_coarse};
  const std::size_t nc = n_coarse, nf = 2 * n_coarse;
  const auto fields_fine = lf::ic::lpt_displacements(fine, lf::ic::linear_density_modes<float>(fine, truncated, {.seed = 42}), 2);
  // The N³ Lagrangian grid is every other node of the (2N)³ one; the fields are band-limited
  // far below both Nyquist frequencies, so their values there are those of the same field.
  lf::ic::lpt_fields<float> fields_coarse;
  fields_coarse.grid = coarse;
  fields_coarse.order = 2;
  fields_coarse.psi1.resize(coarse.particle_count());
  fields_coarse.psi2.resize(coarse.particle_count());
  for (std::size_t i = 0; i < nc; ++i)
    for (std::size_t j = 0; j < nc; ++j)
      for (std::size_t k = 0; k < nc; ++k) {
        const std::size_t c = (i * nc + j) * nc + k, f = ((2 * i) * nf + 2 * j) * nf + 2 * k;
        fields_coarse.psi1[c] = fields_fine.psi1[f];
        fields_coarse.psi2[c] = fields_fine.psi2[f];
      }

  lf::force::pm_options pm{.grid_1d = mesh_1d};
  std::printf("%zu^3 particles ...\n", nf);
  std::fflush(stdout);
  const auto ref = run(fine, fields_fine, lf::force::particle_mesh<lf::mesh::tsc>(fine, pm));
  std::printf("  %.1f s\n%zu^3 particles ...\n", ref.seconds, nc);
  std::fflush(stdout);
  const auto particles = run(coarse, fields_coarse, lf::force::particle_mesh<lf::mesh::tsc>(coarse, pm));
  std::printf("  %.1f s\n%zu^3 sheet (n = %zu) ...\n", particles.seconds, nc, resample);
  std::fflush(stdout);
  lf::force::pm_options sheet_pm = pm;
  sheet_pm.source.resample = resample;
  const auto sheet =
      run(coarse, fields_coarse, lf::force::particle_mesh<lf::mesh::tsc, float, lf::source::sheet>(coarse, sheet_pm));
  std::printf("  %.1f s\n", sheet.seconds);

  // P(k) of every run from its sheet (n = 2: no shot noise; the (2N)³ run's sheet and particles
  // agree to 0.4 %), and of the particle runs from their particles too. Interlaced TSC, (4N)³.
  const auto spectrum = [&](const std::vector<lf::vec3<float>>& x, std::size_t resample) {
    return lf::analysis::power_spectrum<lf::mesh::tsc>(std::span<const lf::vec3<float>>(x), side,
                                                       {.grid_1d = 4 * n_coarse, .interlacing = true, .dk = 0.1,
                                                        .k_max = 2.2 * k_cut, .sheet_resample = resample});
  };
  std::vector<std::vector<double>> columns;
  std::vector<std::string> names = {"k[h/Mpc]"};
  for (const auto& [tag, pick] : {std::pair{"z3", 0}, std::pair{"z1", 1}}) {
    const auto& r = pick == 0 ? ref.z3 : ref.z1;
    const auto& p = pick == 0 ? particles.z3 : particles.z1;
    const auto& s = pick == 0 ? sheet.z3 : sheet.z1;
    const auto pr = spectrum(r, 2), pp = spectrum(p, 2), ps = spectrum(s, 2);
    const auto pr0 = spectrum(r, 0), pp0 = spectrum(p, 0);
    double worst_p0 = 0;
    for (std::size_t i = 0; i < pr0.k.size(); ++i)
      if (pr0.k[i] <= 2 * k_cut) worst_p0 = std::max(worst_p0, std::abs(pp0.power[i] / pr0.power[i] - 1));
    std::printf("%s: measured from the particles (shot noise kept), coarse particles against fine: %.3f\n", tag, worst_p0);
    if (columns.empty()) columns.push_back(pr.k);
    std::vector<double> ratio_p(pr.k.size()), ratio_s(pr.k.size());
    double worst_p = 0, worst_s = 0;
    for (std::size_t i = 0; i < pr.k.size(); ++i) {
      ratio_p[i] = pp.power[i] / pr.power[i];
      ratio_s[i] = ps.power[i] / pr.power[i];
      if (pr.k[i] <= 2 * k_cut) {
        worst_p = std::max(worst_p, std::abs(ratio_p[i] - 1));
        worst_s = std::max(worst_s, std::abs(ratio_s[i] - 1));
      }
    }
    std::printf("%s: largest |P/P_fine - 1| for k <= 2 k_c = %.2f h/Mpc: particles %.3f, sheet %.3f\n", tag, 2 * k_cut,
                worst_p, worst_s);
    for (const std::vector<double>* c : std::initializer_list<const std::vector<double>*>{&pr.power, &pp.power, &ps.power, &ratio_p, &ratio_s})
      columns.push_back(*c);
    for (const char* n : {"P_128", "P_particles", "P_sheet", "particles/128", "sheet/128"})
      names.push_back(std::string(n) + "_" + tag);
  }
  lf::io::write_text_table(dir / "sheet_vs_particles_pk.txt", names, columns,
                           {"lagframe sheet_vs_particles: truncated spectrum, k_c = " + std::to_string(k_cut) +
                                " h/Mpc, " + std::to_string(n_coarse) + " Mpc/h, tCOLA 40 steps, TSC mesh of " +
                                std::to_string(mesh_1d) + "^3",
                            "P of every run from its resampled sheet (n = 2), interlaced TSC on " +
                                std::to_string(4 * n_coarse) + "^3"});

  // Slices at z = 1: the middle quarter of the box projected on (2N)² pixels (0.5 Mpc/h) for the
  // three runs; the sheet run drawn from its sheet (8 samples per particle), the others from
  // their particles.
  std::vector<double> slices;
  const auto slice = [&](std::span<const lf::vec3<float>> x) {
    const auto image = lf::analysis::projected_density(x, side, 2 * n_coarse, 0.375 * side, 0.625 * side);
    slices.insert(slices.end(), image.begin(), image.end());
  };
  slice(ref.z1);
  slice(particles.z1);
  {
    lf::source::sheet::depositor<lf::mesh::tsc, float> d(coarse, {});
    std::vector<lf::vec3<float>> samples;
    for (std::size_t s = 0; s < 8; ++s) {
      const auto& at = d.sheet_at(sheet.z1, lf::source::sheet::depositor<lf::mesh::tsc, float>::sample_offset(s, 2));
      samples.insert(samples.end(), at.begin(), at.end());
    }
    slice(samples);
  }
  lf::io::write_npy(dir / "slices_z1.npy", std::span<const double>(slices), {3, 2 * n_coarse, 2 * n_coarse});
  const std::string cmd = "/usr/bin/python3 '" + std::string(LAGFRAME_SCRIPTS_DIR) + "/plot_sheet_vs_particles.py' '" +
                          dir.string() + "' " + std::to_string(n_coarse);
  if (std::system(cmd.c_str()) == 0) {
    std::printf("wrote %s\n", (dir / "sheet_vs_particles.png").c_str());
  } else {
    std::printf("plot skipped: /usr/bin/python3 with matplotlib is not available\n");
  }
  return 0;
}
