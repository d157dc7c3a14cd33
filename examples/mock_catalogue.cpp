// SPDX-License-Identifier: BSD-3-Clause
// mock_catalogue: a mock galaxy catalogue from one tCOLA simulation, and the statistics users
// check it with (docs/mocks.md).
//
// Default run (under a minute on 2 cores): 128³ particles in 256 Mpc/h (Planck-like cosmology,
// seed 1, 2LPT at z = 49), tCOLA — simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>,
// stepper::kick_drift_kick<>> — with 10 steps linear in a and a 256³ mesh, to z = 0; then
//   * FoF haloes (b = 0.2, ≥ 20 particles) with centres at the potential minimum and M_200c,
//     M_200m (halos/fof.hpp, halos/properties.hpp), written as a Gadget-4 group catalogue
//     (fof_subhalo_tab_000.hdf5, when built with HDF5) and a text summary (halos.txt);
//   * the mass function of FoF and M_200m masses against Sheth & Tormen (1999) and Tinker et al.
//     (2008, Δ = 200m) from the linear spectrum (mass_function.txt);
//   * an HOD galaxy catalogue (Zheng et al. 2007 with the Mr < −21.5 parameters of Zehavi et al.
//     2011, on the FoF masses) in redshift space along z (galaxies.hdf5 with HDF5), and the
//     measured mean occupation against the model (hod.txt);
//   * halo, galaxy and matter P(k) with shot noise and the biases b = P_tm/P_mm (bias.txt);
//   * the redshift-space multipoles P0, P2, P4 of the matter and the galaxies, averaged over the
//     three axes, against Kaiser (multipoles.txt);
//   * plots (scripts/plot_mock_catalogue.py): mass_function.png, bias.png, multipoles.png,
//     hod.png, slice.png.
// Usage: mock_catalogue [OUT] [--particles N] [--box L] [--steps S] [--mesh M] [--seed S]
//                       [--force pm|p3m] [--no-plots]
// (--force p3m uses force::p3m<mesh::tsc> with its defaults; it needs ~200 steps.)

#include <lagframe/analysis/bias.hpp>
#include <lagframe/analysis/multipoles.hpp>
#include <lagframe/force/p3m.hpp>
#include <lagframe/halos/fof.hpp>
#include <lagframe/halos/hod.hpp>
#include <lagframe/halos/mass_function.hpp>
#include <lagframe/halos/properties.hpp>
#include <lagframe/halos/redshift_space.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/lagframe.hpp>
#if defined(LAGFRAME_MOCK_HDF5)
#include <lagframe/halos/catalogue_hdf5.hpp>
#endif

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace lf = lagframe;

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct settings {
  std::filesystem::path out = "out/mock_catalogue";
  std::size_t particles = 128, steps = 10, mesh = 0, seed = 1;
  double box = 256.0;
  std::string force = "pm";
  bool plots = true;
};

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mock_catalogue: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--particles") s.particles = std::stoul(value());
    else if (arg == "--box") s.box = std::stod(value());
    else if (arg == "--steps") s.steps = std::stoul(value());
    else if (arg == "--mesh") s.mesh = std::stoul(value());
    else if (arg == "--seed") s.seed = std::stoul(value());
    else if (arg == "--force") s.force = value();
    else if (arg == "--no-plots") s.plots = false;
    else if (!arg.empty() && arg[0] != '-') s.out = arg;
    else {
      std::fprintf(stderr, "mock_catalogue: unknown option %s\n", arg.c_str());
      std::exit(2);
    }
  }
  if (s.force != "pm" && s.force != "p3m") {
    std::fprintf(stderr, "mock_catalogue: --force %s: expected pm or p3m\n", s.force.c_str());
    std::exit(2);
  }
  if (s.mesh == 0) s.mesh = s.force == "pm" ? 2 * s.particles : s.particles;
  return s;
}

struct state {
  std::vector<lf::vec3<float>> x, p;
};

template <class Force>
state evolve(const settings& s, const lf::cosmology::parameters& cosmo, const lf::box& box, Force force) {
  using sim_t = lf::simulation<lf::frame::lpt<2>, Force, lf::stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, box, std::move(force),
            lf::stepper::kick_drift_kick<>({.grid = lf::stepper::time_grid::linear(0.02, 1.0, s.steps)})};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(
      lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = s.seed}), 2));
  const auto t0 = clock_type::now();
  sim.set_progress_observer([&](const lf::step_report& r) {
    if (r.step == r.steps || r.step % std::max<std::size_t>(1, r.steps / 5) == 0)
      std::printf("  step %3zu/%zu  z = %6.3f  %.1f s\n", r.step, r.steps, 1.0 / r.a - 1.0, seconds_since(t0));
  });
  sim.run_until(1.0);
  state out;
  out.x.assign(sim.positions().begin(), sim.positions().end());
  out.p = sim.momenta();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse(argc, argv);
  std::filesystem::create_directories(s.out);
  const auto t_all = clock_type::now();
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = s.box, .particles_1d = s.particles};
  const double side = s.box, volume = side * side * side;
  std::printf("mock_catalogue: %zu^3 particles in %.0f Mpc/h, tCOLA + %s (%zu^3 mesh), %zu steps, %d threads\n",
              s.particles, side, s.force == "pm" ? "PM (CIC)" : "P3M (TSC)", s.mesh, s.steps, omp_get_max_threads());

  // 1. Simulation.
  auto t0 = clock_type::now();
  state st;
  if (s.force == "pm") {
    st = evolve(s, cosmo, box, lf::force::particle_mesh<lf::mesh::cic>(box, {.grid_1d = s.mesh}));
  } else {
    lf::force::p3m_options opt;
    opt.mesh.grid_1d = s.mesh;
    st = evolve(s, cosmo, box, lf::force::p3m<lf::mesh::tsc>(box, opt));
  }
  const double t_sim = seconds_since(t0);

  // 2. Haloes.
  t0 = clock_type::now();
  const lf::halos::fof_options fof{.linking_length = 0.2, .min_members = 20};
  lf::halos::halo_options hopt;
  hopt.cosmology = cosmo;
  hopt.a = 1.0;
  const auto found = lf::halos::find_halos<float>(st.x, st.p, side, fof, hopt);
  const double t_halos = seconds_since(t0);
  const auto& cat = found.halos;
  const double mp = cat.particle_mass;
  std::size_t n100 = 0;
  for (auto len : cat.length) n100 += len >= 100 ? 1 : 0;
  std::printf("haloes: %zu FoF groups >= 20 particles (%zu >= 100), particle mass %.3e Msun/h, largest %.3e Msun/h "
              "(M200m %.3e)  [%.2f s]\n",
              cat.size(), n100, mp, cat.size() ? cat.mass[0] : 0.0, cat.size() ? cat.m200m[0] : 0.0, t_halos);
  lf::halos::write_halo_summary(s.out / "halos.txt", cat,
                                {lf::detail::concat("mock_catalogue: tCOLA + ", s.force, ", ", s.particles, "^3, ", side,
                                                    " Mpc/h, ", s.steps, " steps, seed ", s.seed)});
#if defined(LAGFRAME_MOCK_HDF5)
  lf::halos::write_fof_tab_hdf5(s.out / "fof_subhalo_tab_000.hdf5", cat, found.groups);
#endif

  // 3. Mass function against the fits (bins of 0.2 dex from 20 particles).
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const lf::halos::mass_function_theory theory(power, cosmo, 1.0);
  const double m_lo = 20.0 * mp;
  const auto bins = static_cast<std::size_t>(std::ceil(std::log10(std::max(cat.size() ? cat.mass[0] : m_lo, m_lo) * 1.01 / m_lo) / 0.2));
  const double m_hi = m_lo * std::pow(10.0, 0.2 * static_cast<double>(bins));
  std::vector<double> m200m_list(cat.m200m.begin(), cat.m200m.end());
  const auto mf_fof = lf::halos::measure_mass_function(cat.mass, volume, m_lo, m_hi, bins);
  const auto mf_so = lf::halos::measure_mass_function(m200m_list, volume, m_lo, m_hi, bins);
  std::vector<double> st_fit(bins), tinker(bins), r_fof(bins), r_so(bins), particles(bins);
  std::printf("\nmass function, z = 0 (dn/dlnM in (h/Mpc)^3; Tinker 2008 and Sheth-Tormen averaged over each bin)\n");
  std::printf("%10s %8s %6s %11s %11s %11s %11s %9s %9s\n", "M [Msun/h]", "N_p", "N_FoF", "FoF", "M200m", "ST", "Tinker",
              "FoF/T08", "200m/T08");
  for (std::size_t b = 0; b < bins; ++b) {
    st_fit[b] = theory.bin_average(mf_fof.m_low[b], mf_fof.m_high[b], lf::halos::mass_function_fit::sheth_tormen);
    tinker[b] = theory.bin_average(mf_fof.m_low[b], mf_fof.m_high[b], lf::halos::mass_function_fit::tinker08);
    r_fof[b] = mf_fof.dn_dlnm[b] / tinker[b];
    r_so[b] = mf_so.dn_dlnm[b] / tinker[b];
    particles[b] = mf_fof.m_centre[b] / mp;
    std::printf("%10.3e %8.0f %6.0f %11.3e %11.3e %11.3e %11.3e %9.3f %9.3f\n", mf_fof.m_centre[b], particles[b],
                mf_fof.count[b], mf_fof.dn_dlnm[b], mf_so.dn_dlnm[b], st_fit[b], tinker[b], r_fof[b], r_so[b]);
  }
  lf::io::write_text_table(
      s.out / "mass_function.txt",
      {"M_low[Msun/h]", "M_high[Msun/h]", "M_centre[Msun/h]", "N_particles", "count_FoF", "dndlnM_FoF[(h/Mpc)^3]",
       "err_FoF", "count_200m", "dndlnM_200m", "err_200m", "ST99", "T08_200m", "FoF/T08", "200m/T08"},
      {mf_fof.m_low, mf_fof.m_high, mf_fof.m_centre, particles, mf_fof.count, mf_fof.dn_dlnm, mf_fof.error, mf_so.count,
       mf_so.dn_dlnm, mf_so.error, st_fit, tinker, r_fof, r_so},
      {lf::detail::concat("mock_catalogue: tCOLA + ", s.force, ", ", s.particles, "^3, ", side, " Mpc/h, ", s.steps,
                          " steps, z = 0; FoF b = 0.2; particle mass ", mp, " Msun/h"),
       "theory columns averaged over each bin in ln M; T08 for Delta = 200 (mean density)"});

  // 4. HOD galaxies on the FoF masses (with R_200m of that mass as the NFW radius: at this force
  //    resolution, 1 Mpc/h cells, the SO masses of small haloes are biased low; docs/mocks.md §8),
  //    redshift space along each axis.
  t0 = clock_type::now();
  const lf::halos::hod_parameters hod{};  // Zehavi et al. 2011, Mr < -21.5
  std::vector<double> storage;
  const auto view = lf::halos::hod_halos_of(cat, lf::halos::hod_mass::fof, storage);
  const auto gal = lf::halos::populate_hod(view, hod, {.seed = 2024}, 1.0, side);
  const double t_hod = seconds_since(t0);
  const std::size_t ncen = gal.centrals();
  std::printf("\ngalaxies: %zu (%zu centrals, %zu satellites), n = %.3e (h/Mpc)^3  [HOD %.3f s]\n", gal.size(), ncen,
              gal.size() - ncen, gal.size() / volume, t_hod);
  std::vector<lf::vec3<float>> gx(gal.size()), gv(gal.size());
  for (std::size_t i = 0; i < gal.size(); ++i)
    for (int d = 0; d < 3; ++d) gx[i][d] = static_cast<float>(gal.position[i][d]), gv[i][d] = static_cast<float>(gal.velocity[i][d]);
  std::vector<std::vector<lf::vec3<float>>> g_rsd(3), m_rsd(3);
  for (int axis = 0; axis < 3; ++axis) {
    g_rsd[axis] = lf::halos::redshift_space_positions<float>(gx, gv, cosmo, 1.0, {.axis = axis, .side = side});
    m_rsd[axis] = lf::halos::redshift_space_positions_from_momenta<float>(st.x, st.p, cosmo, 1.0, {.axis = axis, .side = side});
  }
#if defined(LAGFRAME_MOCK_HDF5)
  {
    std::vector<lf::vec3<double>> rsd(gal.size());
    for (std::size_t i = 0; i < gal.size(); ++i)
      for (int d = 0; d < 3; ++d) rsd[i][d] = g_rsd[2][i][d];
    lf::halos::write_galaxies_hdf5(s.out / "galaxies.hdf5", gal,
                                   {.box_side = side, .a = 1.0, .cosmology = cosmo, .hod = hod, .seed = 2024, .line_of_sight_axis = 2},
                                   rsd);
  }
#endif
  // Measured occupation per bin of the HOD mass against the model.
  {
    const auto t = lf::halos::measure_occupation(view.mass, gal, hod, std::log10(m_lo), 0.2, 10);
    lf::io::write_text_table(s.out / "hod.txt",
                             {"M_FoF[Msun/h]", "haloes", "Ncen", "Ncen_model", "err_cen", "Nsat", "Nsat_model", "err_sat"},
                             {t.mass_centre, t.halos, t.centrals, t.centrals_model, t.centrals_error, t.satellites,
                              t.satellites_model, t.satellites_error},
                             {"mean occupation per FoF-mass bin (0.2 dex): measured and model averaged over the bin's haloes",
                              lf::detail::concat("Zheng et al. 2007 HOD: log Mmin ", hod.log_m_min, ", sigma ", hod.sigma_log_m,
                                                 ", log M0 ", hod.log_m0, ", log M1 ", hod.log_m1, ", alpha ", hod.alpha)});
  }

  // 5. Power spectra and biases (real space), multipoles (redshift space).
  t0 = clock_type::now();
  const lf::analysis::spectrum_options spec{.grid_1d = s.particles, .interlacing = true, .k_max = 0.6};
  std::vector<lf::vec3<float>> hx(cat.size());
  for (std::size_t h = 0; h < cat.size(); ++h)
    for (int d = 0; d < 3; ++d) hx[h][d] = static_cast<float>(cat.position[h][d]);
  const auto bh = lf::analysis::tracer_bias<lf::mesh::cic, float>(hx, st.x, side, spec);
  const auto bg = lf::analysis::tracer_bias<lf::mesh::cic, float>(gx, st.x, side, spec);
  std::vector<double> p_lin(bh.k.size());
  for (std::size_t i = 0; i < bh.k.size(); ++i) p_lin[i] = power(bh.k[i]);
  lf::io::write_text_table(
      s.out / "bias.txt",
      {"k[h/Mpc]", "P_mm[(Mpc/h)^3]", "P_lin", "P_hh", "P_hm", "b_h=P_hm/P_mm", "P_gg", "P_gm", "b_g=P_gm/P_mm", "modes"},
      {bh.k, bh.p_mm, p_lin, bh.p_tt, bh.p_tm, bh.b_cross, bg.p_tt, bg.p_tm, bg.b_cross, bh.modes},
      {lf::detail::concat("real space, z = 0; CIC ", spec.grid_1d, "^3 interlaced; auto spectra with the Poisson shot noise subtracted"),
       lf::detail::concat("shot noise 1/n: haloes ", bh.tracer_shot_noise, ", galaxies ", bg.tracer_shot_noise,
                          ", matter ", bh.matter_shot_noise, " (Mpc/h)^3")});
  double bsum = 0, bw = 0, gsum = 0;
  for (std::size_t i = 0; i < bh.k.size(); ++i)
    if (bh.k[i] < 0.1) bsum += bh.b_cross[i] * bh.modes[i], gsum += bg.b_cross[i] * bh.modes[i], bw += bh.modes[i];
  const double b_halo = bsum / bw, b_gal = gsum / bw;
  const double f = lf::cosmology::growth(cosmo).f1(1.0);
  std::vector<double> k, m0, m2, m4, g0, g2, g4, modes;
  for (int axis = 0; axis < 3; ++axis) {
    lf::analysis::spectrum_options rs = spec;
    const auto mm = lf::analysis::power_multipoles<lf::mesh::cic, float>(m_rsd[axis], side, axis, rs);
    rs.subtract_shot_noise = true;
    const auto gm = lf::analysis::power_multipoles<lf::mesh::cic, float>(g_rsd[axis], side, axis, rs);
    if (axis == 0) {
      k = mm.k, modes = mm.modes;
      m0.assign(k.size(), 0), m2 = m0, m4 = m0, g0 = m0, g2 = m0, g4 = m0;
    }
    for (std::size_t i = 0; i < k.size(); ++i) {
      m0[i] += mm.p0[i] / 3, m2[i] += mm.p2[i] / 3, m4[i] += mm.p4[i] / 3;
      g0[i] += gm.p0[i] / 3, g2[i] += gm.p2[i] / 3, g4[i] += gm.p4[i] / 3;
    }
  }
  const double t_stats = seconds_since(t0);
  const auto km = lf::analysis::kaiser_factors(1.0, f), kg = lf::analysis::kaiser_factors(b_gal, f);
  std::vector<double> k0(k.size()), k2(k.size()), k4(k.size()), kg0(k.size()), kg2(k.size()), kg4(k.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < k.size(); ++i) {
    const double pl = power(k[i]);
    k0[i] = km[0] * pl, k2[i] = km[1] * pl, k4[i] = km[2] * pl;
    kg0[i] = kg[0] * pl, kg2[i] = kg[1] * pl, kg4[i] = kg[2] * pl;
    if (k[i] <= 0.08) num += m2[i] * modes[i], den += m0[i] * modes[i];
  }
  lf::io::write_text_table(
      s.out / "multipoles.txt",
      {"k[h/Mpc]", "P0_m", "P2_m", "P4_m", "Kaiser0_m", "Kaiser2_m", "Kaiser4_m", "P0_g", "P2_g", "P4_g", "Kaiser0_g",
       "Kaiser2_g", "Kaiser4_g", "modes"},
      {k, m0, m2, m4, k0, k2, k4, g0, g2, g4, kg0, kg2, kg4, modes},
      {lf::detail::concat("redshift space (plane-parallel), z = 0, averaged over the x, y and z lines of sight; f = ", f,
                          ", galaxy bias b = ", b_gal, " (P_gm/P_mm, k < 0.1)"),
       "matter (m) and HOD galaxies (g, monopole shot noise subtracted); Kaiser (1987) with the linear P(k)"});
  std::printf("bias (k < 0.1 h/Mpc): haloes %.3f, galaxies %.3f; f(z=0) = %.4f\n", b_halo, b_gal, f);
  std::printf("matter P2/P0 over k <= 0.08 h/Mpc (3 axes): %.4f; Kaiser (4f/3 + 4f^2/7)/(1 + 2f/3 + f^2/5) = %.4f "
              "(ratio %.3f)\n",
              num / den, km[1] / km[0], num / den / (km[1] / km[0]));
  std::printf("statistics (2 bias spectra, 6 multipole sets, %zu^3 interlaced CIC): %.2f s\n", spec.grid_1d, t_stats);

  // 6. A 20 Mpc/h slab (z < 20) for the slice figure: projected matter density, galaxies.
  {
    const double slab = 20.0;
    const std::size_t pixels = 512;
    const auto image = lf::analysis::projected_density<float>(st.x, side, pixels, 0.0, slab);
    lf::io::write_npy(s.out / "slice_density.npy", std::span<const double>(image), {pixels, pixels});
    std::vector<double> sx, sy, sz_rsd, scen, smass;
    for (std::size_t i = 0; i < gal.size(); ++i) {
      if (gal.position[i][2] >= slab) continue;
      sx.push_back(gal.position[i][0]);
      sy.push_back(gal.position[i][1]);
      sz_rsd.push_back(g_rsd[1][i][1]);  // y in redshift space along y
      scen.push_back(gal.central[i]);
      smass.push_back(cat.mass[gal.halo[i]]);
    }
    lf::io::write_text_table(s.out / "slice_galaxies.txt",
                             {"x[Mpc/h]", "y[Mpc/h]", "y_redshift_space[Mpc/h]", "central", "M_FoF_host[Msun/h]"},
                             {sx, sy, sz_rsd, scen, smass},
                             {lf::detail::concat("HOD galaxies with z < ", slab, " Mpc/h; box ", side, " Mpc/h")});
  }

  // 7. Plots.
  if (s.plots) {
    const std::string script = std::string(LAGFRAME_SCRIPTS_DIR) + "/plot_mock_catalogue.py";
    const std::string cmd = "/usr/bin/python3 '" + script + "' '" + s.out.string() + "'";
    if (std::system(cmd.c_str()) == 0) {
      std::printf("wrote %s/{mass_function,bias,multipoles,hod,slice}.png\n", s.out.c_str());
    } else {
      std::printf("plots skipped: /usr/bin/python3 with numpy and matplotlib is not available\n");
    }
  }
  std::printf("\ntimes: simulation %.1f s, haloes %.2f s, HOD %.3f s, statistics %.1f s; total %.1f s\n", t_sim, t_halos,
              t_hod, t_stats, seconds_since(t_all));
  return 0;
}
