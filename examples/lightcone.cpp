// SPDX-License-Identifier: BSD-3-Clause
// lightcone: a full-sky past lightcone to z = 0.5 recorded while a tCOLA run evolves
// (docs/physics.md §16, docs/lightcones.md). The box is replicated periodically as far as the
// lightcone needs; the range is cut into shells of about --shell-width Mpc/h, streamed to disk
// while open (io/lightcone_stream.hpp), and each shell is written, as soon as the front has
// passed it, as one HDF5 file (io/lightcone_hdf5.hpp: lightcone_<NNN>.hdf5) and its HEALPix density-contrast map (lightcone_<NNN>_healpix.npy). The
// maps count every crossing; the particle lists keep --fraction of the particles (a full-sky
// lightcone to z = 0.5 crosses about 10¹⁰ (Mpc/h)³ × n̄ particles). scripts/plot_lightcone.py
// then draws a shell's map (Mollweide) and a wedge of the particles (distance against angle).
//
//   lightcone [--out lightcone_out] [--particles 64] [--side 256] [--steps 10] [--z-max 0.5]
//             [--shell-width 150] [--nside 64] [--fraction 0.05] [--seed 42] [--no-plots]

#include <lagframe/io/healpix_map.hpp>
#include <lagframe/io/lightcone_hdf5.hpp>
#include <lagframe/io/lightcone_stream.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/lightcone/lightcone.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#ifndef LAGFRAME_SCRIPTS_DIR
#define LAGFRAME_SCRIPTS_DIR "scripts"
#endif

namespace lf = lagframe;

namespace {

struct options {
  std::filesystem::path out = "lightcone_out";
  std::size_t particles = 64, steps = 10;
  double side = 256.0, z_max = 0.5, shell_width = 150.0, fraction = 0.05;
  std::int64_t nside = 64;
  std::uint64_t seed = 42;
  bool plots = true;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto number = [&]() {
      if (i + 1 >= argc) throw lf::config_error(lf::detail::concat("lightcone: ", a, " needs a value"));
      const std::string v = argv[++i];
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0')
        throw lf::config_error(lf::detail::concat("lightcone: ", a, " = \"", v, "\" is not a number"));
      return x;
    };
    if (a == "--out") {
      if (i + 1 >= argc) throw lf::config_error("lightcone: --out needs a value");
      o.out = argv[++i];
    } else if (a == "--particles") o.particles = static_cast<std::size_t>(number());
    else if (a == "--side") o.side = number();
    else if (a == "--steps") o.steps = static_cast<std::size_t>(number());
    else if (a == "--z-max") o.z_max = number();
    else if (a == "--shell-width") o.shell_width = number();
    else if (a == "--nside") o.nside = static_cast<std::int64_t>(number());
    else if (a == "--fraction") o.fraction = number();
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number());
    else if (a == "--no-plots") o.plots = false;
    else throw lf::config_error(lf::detail::concat("lightcone: unknown option '", a, "'"));
  }
  lf::require(o.shell_width > 0.0, "lightcone --shell-width", o.shell_width, "a width > 0 in Mpc/h");
  return o;
}

int run(const options& o) {
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = o.side, .particles_1d = o.particles};
  using sim_t = lf::simulation<lf::frame::lpt<2>, lf::force::particle_mesh<lf::mesh::cic>, lf::stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, box, lf::force::pm_options{.grid_1d = 2 * o.particles},
            lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(0.02, 1.0, o.steps)}};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = o.seed}), 2));

  // Full sky around the centre of the box, shells of about shell_width Mpc/h.
  lf::lightcone::lightcone_options lc{.observer = {0.5 * o.side, 0.5 * o.side, 0.5 * o.side},
                                      .z_min = 0.0, .z_max = o.z_max, .healpix_nside = o.nside,
                                      .particle_fraction = o.fraction};
  {
    const lf::lightcone::lightcone probe(cosmo, box, lc);
    const auto shells = static_cast<std::size_t>(std::max(1.0, std::round(probe.chi_max() / o.shell_width)));
    for (std::size_t s = 1; s < shells; ++s)
      lc.shell_edges.push_back(probe.chi_max() * static_cast<double>(s) / static_cast<double>(shells));
  }
  lf::lightcone::lightcone cone(cosmo, box, lc);
  const auto info = lf::io::lightcone_info(cone, cosmo);
  std::filesystem::create_directories(o.out);
  std::printf("lightcone: %zu^3 particles in %.0f Mpc/h, tCOLA %zu steps; full sky to z = %.2f (%.0f Mpc/h), %zu shells, "
              "%zu box replicas, HEALPix N_side = %lld, particles kept: %.3g\n",
              o.particles, o.side, o.steps, o.z_max, cone.chi_max(), cone.shell_count(), cone.replica_count(),
              static_cast<long long>(o.nside), o.fraction);
  std::fflush(stdout);
  std::size_t total = 0, kept = 0;
  // The open shells' crossings go to disk drift by drift (io/lightcone_stream.hpp); memory holds
  // one drift's.
  lf::io::lightcone_stream stream(cone, o.out, "lightcone", info);
  cone.set_stream_callback([&](std::size_t s, std::vector<lf::lightcone::crossing>&& c) { stream.append(s, c); });
  cone.set_shell_callback([&](lf::lightcone::shell&& s) {
    const auto path = lf::io::lightcone_shell_path(o.out, "lightcone", s.index);
    const std::size_t listed = stream.complete(s);
    std::uint64_t counted = 0;
    for (const auto c : s.healpix_counts) counted += c;
    lf::io::write_healpix_map(o.out / lf::detail::concat(path.stem().string(), "_healpix.npy"), s.healpix_counts, true);
    total += counted;
    kept += listed;
    std::printf("  shell %zu: %6.1f-%6.1f Mpc/h (z = %.3f-%.3f), %llu crossings, %zu kept -> %s  [%.1f s]\n", s.index,
                s.chi_min, s.chi_max, 1.0 / cone.a_at(s.chi_min) - 1.0, 1.0 / cone.a_at(s.chi_max) - 1.0,
                static_cast<unsigned long long>(counted), listed, path.filename().c_str(), seconds());
    std::fflush(stdout);
  });
  sim.set_drift_observer([&](const lf::drift_view<float>& v) { cone(v); });
  sim.run_until(1.0);
  cone.finish();
  std::printf("%zu crossings on the lightcone (%zu kept) in %.1f s\n", total, kept, seconds());
  if (!o.plots) return 0;
  // The pictures: the outermost complete shell's map and a wedge of all shells.
  const std::string plot = lf::detail::concat("/usr/bin/python3 ", LAGFRAME_SCRIPTS_DIR, "/plot_lightcone.py ", o.out.string());
  const int rc = std::system(plot.c_str());
  if (rc != 0) std::printf("plot_lightcone.py did not run (exit status %d): needs numpy, h5py, healpy, matplotlib\n", rc);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const lf::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lightcone: %s\n", e.what());
    return 1;
  }
}
