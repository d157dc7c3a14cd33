// SPDX-License-Identifier: BSD-3-Clause
// scola_box: a perfectly parallel sCOLA run of a periodic box (Tassev et al. 2015; Leclercq et
// al. 2020). The box is cut into tiles that evolve independently (core + buffer, Dirichlet
// boundary values from the full-box LPT potential) and write their particles to their own
// files; the assembled box gives P(k), compared with linear theory and, with --compare, with
// the full-box tCOLA run of the same initial conditions.
//
//   scola_box [--tiles 4] [--buffer 16] [--executor openmp|sequential|mpi] [--out scola_box_out]
//             [--particles 64] [--side 128] [--steps 10] [--seed 42] [--compare]
//
// Killing the run and starting it again with the same options finishes only the missing tiles.
// With --executor mpi (a build with MPI): mpirun -n 4 scola_box --executor mpi. In a build with
// MPI the initial conditions are always computed with FFTW's MPI transforms over the ranks.

#include <lagframe/analysis/cross_power.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/scola/executors.hpp>
#include <lagframe/scola/tiled_run.hpp>
#ifdef LAGFRAME_SCOLA_BOX_MPI
#include <lagframe/ic/lpt_mpi.hpp>
#include <lagframe/scola/mpi_executor.hpp>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lf = lagframe;

namespace {

struct options {
  std::size_t tiles = 4, particles = 64, steps = 10;
  double buffer = 16.0, side = 128.0;
  std::uint64_t seed = 42;
  std::string executor = "openmp";
  std::filesystem::path out = "scola_box_out";
  bool compare = false;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw lf::config_error(lf::detail::concat("scola_box: ", a, " needs a value"));
      return argv[++i];
    };
    const auto number = [&](std::string_view name) {
      const std::string v = value();
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0') throw lf::config_error(lf::detail::concat("scola_box: ", name, " = \"", v, "\" is not a number"));
      return x;
    };
    if (a == "--tiles") o.tiles = static_cast<std::size_t>(number(a));
    else if (a == "--buffer") o.buffer = number(a);
    else if (a == "--particles") o.particles = static_cast<std::size_t>(number(a));
    else if (a == "--side") o.side = number(a);
    else if (a == "--steps") o.steps = static_cast<std::size_t>(number(a));
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number(a));
    else if (a == "--executor") o.executor = value();
    else if (a == "--out") o.out = value();
    else if (a == "--compare") o.compare = true;
    else throw lf::config_error(lf::detail::concat("scola_box: unknown option '", a, "'"));
  }
  if (o.executor != "openmp" && o.executor != "sequential" && o.executor != "mpi")
    throw lf::config_error(lf::detail::concat("scola_box: --executor = '", o.executor, "' is invalid: expected openmp, sequential or mpi"));
  return o;
}

int run(int argc, char** argv, int rank) {
  const options o = parse(argc, argv);
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = o.side, .particles_1d = o.particles};
  box.validate();
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
#ifdef LAGFRAME_SCOLA_BOX_MPI
  // With MPI the full-box 2LPT fields are computed over the ranks with FFTW's MPI transforms
  // (every executor, so tile files do not depend on which one ran them).
  auto fields = lf::ic::lpt_displacements_mpi<float>(box, power, {.seed = o.seed}, 2, MPI_COMM_WORLD);
#else
  auto fields = lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = o.seed}), 2);
#endif
  const lf::stepper::kdk_options kdk{.grid = lf::stepper::time_grid::linear(1.0 / 50.0, 1.0, o.steps)};
  lf::scola::scola_options so;
  so.tiling = {.tiles_per_side = o.tiles, .buffer_mpc_h = o.buffer, .mesh_per_particle = 2};
  so.directory = o.out / "tiles";
  so.run_name = lf::detail::concat("scola_box seed ", o.seed);
  using frame_t = lf::frame::lpt<2>;
  using stepper_t = lf::stepper::kick_drift_kick<>;
  lf::scola::tiled_run<frame_t, lf::mesh::cic, stepper_t> run(cosmo, box, fields, kdk, so);
  if (rank == 0) {
    std::printf("sCOLA: %zu^3 tiles of %zu^3 core + %zu buffer particles per side (%zu^3 per tile), tile mesh %zu^3\n",
                o.tiles, run.tiles().core_1d(), run.tiles().buffer_1d(), run.tiles().tile_1d(),
                run.tiles().mesh(0).cells);
    std::printf("memory per tile %.1f MB (a full-box tCOLA run of this size: about %.1f MB)\n",
                run.tile_memory_bytes() / 1e6,
                (box.particle_count() * 80.0 + 2.0 * std::pow(2.0 * o.particles, 3) * 4.0) / 1e6);
  }
  lf::scola::run_report report;
  if (o.executor == "sequential") {
    report = lf::scola::run_sequential(run);
  } else if (o.executor == "openmp") {
    report = lf::scola::run_openmp(run);
  } else {
#ifdef LAGFRAME_SCOLA_BOX_MPI
    report = lf::scola::run_mpi(run);
#else
    throw lf::config_error("scola_box: --executor mpi needs a build with MPI (libopenmpi-dev)");
#endif
  }
  std::printf("rank %d: ran %zu tiles, %zu already done, %.2f s; %zu particle-evaluations outside their tile mesh "
              "(moved with the frame)\n",
              rank, report.ran.size(), report.skipped.size(), report.seconds, report.outside_events);
  if (rank != 0) return 0;

  const auto state = run.assemble();
  lf::io::write_npy(o.out / "positions.npy", std::span<const lf::vec3<float>>(state.positions));
  lf::io::write_npy(o.out / "momenta.npy", std::span<const lf::vec3<float>>(state.momenta));
  const lf::analysis::spectrum_options opt{.grid_1d = 2 * o.particles, .interlacing = true, .subtract_shot_noise = true};
  const auto pk = lf::analysis::power_spectrum<lf::mesh::cic>(std::span<const lf::vec3<float>>(state.positions), o.side, opt);
  std::vector<double> p_lin(pk.k.size()), ratio(pk.k.size()), p_ref(pk.k.size(), 0.0), r(pk.k.size(), 0.0);
  if (o.compare) {
    lf::simulation<frame_t, lf::force::particle_mesh<lf::mesh::cic>, stepper_t> sim(
        cosmo, box, lf::force::pm_options{.grid_1d = 2 * o.particles}, kdk);
    sim.set_initial_conditions(std::move(fields));
    sim.run_until(1.0);
    auto cross_opt = opt;
    cross_opt.subtract_shot_noise = false;
    const auto cp = lf::analysis::cross_power<lf::mesh::cic>(std::span<const lf::vec3<float>>(state.positions),
                                                               sim.positions(), o.side, cross_opt);
    for (std::size_t i = 0; i < pk.k.size(); ++i) {
      p_ref[i] = cp.p_a[i] / cp.p_b[i];
      r[i] = cp.r[i];
    }
  }
  const double d1 = run.growth().d1(1.0);
  std::printf("\n%10s %14s %10s%s\n", "k [h/Mpc]", "P [(Mpc/h)^3]", "P/P_lin", o.compare ? "  P/P_tCOLA     r(k)" : "");
  for (std::size_t i = 0; i < pk.k.size(); ++i) {
    p_lin[i] = d1 * d1 * power(pk.k[i]);
    ratio[i] = pk.power[i] / p_lin[i];
    if (i < 4 || i % 6 == 0) {
      std::printf("%10.4f %14.2f %10.4f", pk.k[i], pk.power[i], ratio[i]);
      if (o.compare) std::printf(" %10.4f %10.5f", p_ref[i], r[i]);
      std::printf("\n");
    }
  }
  lf::io::write_text_table(o.out / "scola_box_pk.txt",
                           {"k[h/Mpc]", "P[(Mpc/h)^3]", "P/P_lin", "P/P_tCOLA", "r_tCOLA", "modes"},
                           {pk.k, pk.power, ratio, p_ref, r, pk.modes},
                           {"lagframe scola_box: sCOLA tiles assembled at z = 0",
                            lf::detail::concat(o.tiles, "^3 tiles, buffer ", o.buffer, " Mpc/h, ", o.steps,
                                               " steps; P/P_tCOLA and r are 0 without --compare")});
  std::printf("wrote %s, positions.npy and momenta.npy\n", (o.out / "scola_box_pk.txt").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int rank = 0;
#ifdef LAGFRAME_SCOLA_BOX_MPI
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
#endif
  int rc = 0;
  try {
    rc = run(argc, argv, rank);
  } catch (const lf::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    rc = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scola_box: %s\n", e.what());
    rc = 1;
  }
#ifdef LAGFRAME_SCOLA_BOX_MPI
  if (rc != 0) MPI_Abort(MPI_COMM_WORLD, rc);
  MPI_Finalize();
#endif
  return rc;
}
