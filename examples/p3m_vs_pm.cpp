// SPDX-License-Identifier: BSD-3-Clause
// p3m_vs_pm: the same initial conditions in the tCOLA frame with the PM force and with the P3M
// force, to z = 0.
//
// 64³ particles in 128 Mpc/h (Planck-like cosmology, seed 42, 2LPT at z = 49), 128³ mesh.
//   PM:  force::particle_mesh<mesh::cic> (defaults), 20 steps linear in a (converged for PM);
//   P3M: force::p3m<mesh::tsc> (defaults: r_s = 1.25 cells, r_cut = 5 r_s, ε = 1/30 of the
//        spacing), the recommended grid of docs/user_guide.md ("P3M": steps linear in a).
// Writes to the output folder (first argument, default out/p3m_vs_pm):
//   p3m_vs_pm_pk.txt   k, P_PM, P_P3M, P_lin, P_PM/P_P3M, modes (interlaced TSC estimator on a
//                      256³ mesh, shot noise not subtracted);
//   zoom_pm.npy, zoom_p3m.npy  1 + δ of a 16 Mpc/h wide, 8 Mpc/h thick slab around the densest
//                      point of the P3M run (the largest halo), 128² pixels;
//   p3m_vs_pm.png      both spectra, their ratio and the two zooms side by side
//                      (scripts/plot_p3m_vs_pm.py, Debian's matplotlib).
// Second argument: the number of P3M steps (default 200).

#include <lagframe/analysis/cross_power.hpp>
#include <lagframe/force/p3m.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/lagframe.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace lf = lagframe;

namespace {

template <class Force>
std::vector<lf::vec3<float>> run(const char* label, const lf::box& box, Force force, std::size_t steps) {
  const lf::cosmology::parameters cosmo{};
  using sim_t = lf::simulation<lf::frame::lpt<2>, Force, lf::stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, box, std::move(force),
            lf::stepper::kick_drift_kick<>({.grid = lf::stepper::time_grid::linear(1.0 / 50.0, 1.0, steps)})};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = 42}), 2));
  const auto t0 = std::chrono::steady_clock::now();
  sim.set_progress_observer([&](const lf::step_report& r) {
    if (r.step % 20 == 0 || r.step == r.steps)
      std::printf("%s: step %3zu/%zu  z = %6.3f  %.1f s\n", label, r.step, r.steps, 1.0 / r.a - 1.0,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  });
  sim.run_until(1.0);
  return {sim.positions().begin(), sim.positions().end()};
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "out/p3m_vs_pm";
  const std::size_t p3m_steps = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200;
  std::filesystem::create_directories(out);
  const lf::box box{.side_mpc_h = 128.0, .particles_1d = 64};

  const auto x_pm = run("PM ", box, lf::force::particle_mesh<lf::mesh::cic>(box, {.grid_1d = 128}), 20);
  lf::force::p3m_options p3m_opt;
  p3m_opt.mesh.grid_1d = 128;
  const auto x_p3m = run("P3M", box, lf::force::p3m<lf::mesh::tsc>(box, p3m_opt), p3m_steps);

  const lf::analysis::spectrum_options spec{.grid_1d = 256, .interlacing = true};
  const auto pk = lf::analysis::cross_power<lf::mesh::tsc, float>(x_pm, x_p3m, box.side_mpc_h, spec);
  const lf::cosmology::parameters cosmo{};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  std::vector<double> lin(pk.k.size()), ratio(pk.k.size());
  std::printf("\n%10s %14s %14s %10s\n", "k [h/Mpc]", "P_PM", "P_P3M", "P_PM/P_P3M");
  for (std::size_t i = 0; i < pk.k.size(); ++i) {
    lin[i] = power(pk.k[i]);  // D1(z = 0) = 1
    ratio[i] = pk.p_a[i] / pk.p_b[i];
    if (i % 8 == 3) std::printf("%10.3f %14.2f %14.2f %10.4f\n", pk.k[i], pk.p_a[i], pk.p_b[i], ratio[i]);
  }
  lf::io::write_text_table(out / "p3m_vs_pm_pk.txt",
                           {"k[h/Mpc]", "P_PM[(Mpc/h)^3]", "P_P3M[(Mpc/h)^3]", "P_lin[(Mpc/h)^3]", "P_PM/P_P3M", "modes"},
                           {pk.k, pk.p_a, pk.p_b, lin, ratio, pk.modes},
                           {"lagframe p3m_vs_pm: tCOLA, 64^3 particles, 128 Mpc/h, 128^3 mesh, z = 0",
                            "PM (CIC, 20 steps) and P3M (TSC, " + std::to_string(p3m_steps) +
                                " steps); interlaced TSC estimator, 256^3, shot noise not subtracted"});

  const auto centre = lf::analysis::densest_point<float>(x_p3m, box.side_mpc_h, 128);
  const double width = 16.0, thickness = 8.0;
  const std::size_t pixels = 128;
  for (const auto& [name, x] : {std::pair{"zoom_pm.npy", &x_pm}, std::pair{"zoom_p3m.npy", &x_p3m}}) {
    const auto image = lf::analysis::projected_density_window<float>(*x, box.side_mpc_h, centre, width, thickness, pixels);
    lf::io::write_npy(out / name, std::span<const double>(image), {pixels, pixels});
  }
  std::printf("\nlargest halo (densest point of the P3M run) at (%.2f, %.2f, %.2f) Mpc/h\n", centre[0], centre[1], centre[2]);

  const std::string script = std::string(LAGFRAME_SCRIPTS_DIR) + "/plot_p3m_vs_pm.py";
  char extra[160];
  std::snprintf(extra, sizeof extra, " %.3f %.3f %.3f %.1f %.1f", centre[0], centre[1], centre[2], width, thickness);
  const std::string cmd = "/usr/bin/python3 '" + script + "' '" + out.string() + "'" + extra;
  if (std::system(cmd.c_str()) == 0) {
    std::printf("wrote %s\n", (out / "p3m_vs_pm.png").c_str());
  } else {
    std::printf("plot skipped: /usr/bin/python3 with matplotlib is not available (apt-get install python3-matplotlib)\n");
  }
  return 0;
}
