// SPDX-License-Identifier: BSD-3-Clause
// The memory budget of a lagframe-run configuration (memory_budget.hpp). Every size below is
// what the named header allocates; "V" is one N-element array of vec3<float> (12 B/particle).

#include "memory_budget.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include <lagframe/core/error.hpp>
#include <lagframe/force/detail/chaining_mesh.hpp>
#include <lagframe/scola/tiling.hpp>

namespace lagframe_run {

namespace {

/// A real_field<float> of n³ cells (core/field.hpp: last dimension padded to 2(n/2 + 1)).
double mesh_bytes(std::size_t n) {
  const auto m = static_cast<double>(n);
  return m * m * 2.0 * static_cast<double>(n / 2 + 1) * 4.0;
}

/// Listed crossings of the lightcone's largest shell and of all shells (docs/physics.md §16):
/// the particles the front meets, n̄ times the shells' volume inside the footprint, times the
/// listed fraction.
struct shell_crossings {
  double largest = 0, all = 0;
  double drift = 0;  ///< the most crossings one drift of the time grid records
};
shell_crossings listed_crossings(const run_config& c) {
  const auto& o = c.lightcone_options;
  const lagframe::lightcone::lightcone cone(c.cosmology, c.box, o);
  std::vector<double> edges{cone.chi_min()};
  for (double e : o.shell_edges)
    if (e > cone.chi_min() && e < cone.chi_max()) edges.push_back(e);
  edges.push_back(cone.chi_max());
  const double sky = cone.sky_fraction();  // the footprint's fraction of the sky
  const double nbar = static_cast<double>(c.box.particle_count()) / std::pow(c.box.side_mpc_h, 3);
  shell_crossings out;
  const double per_volume = o.particle_fraction * nbar * sky * 4.0 * std::numbers::pi / 3.0;
  for (std::size_t s = 1; s < edges.size(); ++s) {
    const double n = per_volume * (std::pow(edges[s], 3) - std::pow(edges[s - 1], 3));
    out.largest = std::max(out.largest, n);
    out.all += n;
  }
  // One drift sweeps the front from chi(a_k) to chi(a_k+1) (within the recorded range).
  for (std::size_t k = 1; k < c.nodes.size(); ++k) {
    const double far = std::min(cone.chi_max(), cone.distance()(std::max(c.nodes[k - 1], cone.distance().a_min())));
    const double near = std::max(cone.chi_min(), cone.distance()(std::max(c.nodes[k], cone.distance().a_min())));
    if (far > near) out.drift = std::max(out.drift, per_volume * (std::pow(far, 3) - std::pow(near, 3)));
  }
  return out;
}

/// The most crossings one sCOLA tile's core can list: per tile, its Lagrangian core sampled on
/// 4³ points, each in every replica the shells reach, counted inside the recorded distance
/// range and the footprint, times the tile's particles and the listed fraction. (The particles
/// move a few Mpc/h from their Lagrangian points: a sample, not a bound.)
double largest_tile_share(const run_config& c, const lagframe::lightcone::lightcone& cone) {
  const std::size_t tiles = c.scola_tiling.tiles_per_side;
  const double side = c.box.side_mpc_h, tile = side / static_cast<double>(tiles);
  const auto& o = c.lightcone_options.observer;
  const int reach = std::min(c.lightcone_options.max_replicas, static_cast<int>(std::ceil(cone.chi_max() / side)) + 1);
  constexpr int m = 4;
  const double tile_particles = std::pow(static_cast<double>(c.box.particles_1d / tiles), 3);
  double largest = 0;
  for (std::size_t ti = 0; ti < tiles; ++ti)
    for (std::size_t tj = 0; tj < tiles; ++tj)
      for (std::size_t tk = 0; tk < tiles; ++tk) {
        std::size_t inside = 0;
        for (int a = 0; a < m; ++a)
          for (int b = 0; b < m; ++b)
            for (int d = 0; d < m; ++d) {
              const double q[3] = {(static_cast<double>(ti) + (a + 0.5) / m) * tile,
                                   (static_cast<double>(tj) + (b + 0.5) / m) * tile,
                                   (static_cast<double>(tk) + (d + 0.5) / m) * tile};
              for (int nx = -reach; nx <= reach; ++nx)
                for (int ny = -reach; ny <= reach; ++ny)
                  for (int nz = -reach; nz <= reach; ++nz) {
                    const double dx = q[0] + nx * side - o[0], dy = q[1] + ny * side - o[1], dz = q[2] + nz * side - o[2];
                    const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
                    if (r >= cone.chi_min() && r <= cone.chi_max() && r > 0.0 && cone.in_footprint(dx, dy, dz, r)) ++inside;
                  }
            }
        largest = std::max(largest, static_cast<double>(inside) / (m * m * m) * tile_particles);
      }
  return largest * c.lightcone_options.particle_fraction;
}

/// The haloes' part of the outputs phase: those of the output times (`haloes`, beside the rest
/// of the phase), and the lightcone's (`cone`), found once everything else is released: the part
/// grows only by what they need beyond the rest of the phase.
void add_lightcone_haloes(memory_budget& b, double haloes, double cone) {
  auto& outputs = b.bytes[static_cast<std::size_t>(run_phase::outputs)];
  outputs[static_cast<std::size_t>(memory_part::haloes)] = haloes;
  double rest = 0;
  for (std::size_t k = 0; k < memory_part_count; ++k)
    if (k != static_cast<std::size_t>(memory_part::program)) rest += outputs[k];
  outputs[static_cast<std::size_t>(memory_part::haloes)] += std::max(0.0, cone - rest);
}

}  // namespace

double memory_budget::total(run_phase p) const {
  double t = 0;
  for (double b : bytes[static_cast<std::size_t>(p)]) t += b;
  return t;
}

run_phase memory_budget::peak_phase() const {
  run_phase best = run_phase::setup;
  for (std::size_t p = 0; p < run_phase_count; ++p)
    if (total(static_cast<run_phase>(p)) > total(best)) best = static_cast<run_phase>(p);
  return best;
}

bool power_in_force_meshes(const run_config& c) {
  return !c.scola && c.write_power_spectrum && c.power_grid_1d == c.pm.grid_1d;
}

memory_budget estimate_memory(const run_config& c, const run_inputs& in, std::size_t resident) {
  using P = memory_part;
  memory_budget b;
  const std::size_t count = c.box.particle_count();
  b.particles = count;
  const auto n = static_cast<double>(count);
  const double V = 12.0 * n;                       // one vec3<float> per particle
  const double sort = 16.0 * n;                    // mesh/detail/slab_sort.hpp: sorted copy + input index
  const double lagrangian = mesh_bytes(c.box.particles_1d);
  const double force_mesh = mesh_bytes(c.pm.grid_1d);

  // Inputs read while checking that the run releases: an IC file's particles (double), a
  // restart snapshot (float).
  double ic_input = 0, restart_input = 0;
  if (in.ics) ic_input = 24.0 * static_cast<double>(in.ics->positions.capacity() + in.ics->momenta.capacity());
  if (in.restart) restart_input = 12.0 * static_cast<double>(in.restart->positions.capacity() + in.restart->momenta.capacity());
  const double program = std::max(0.0, static_cast<double>(resident) - ic_input - restart_input);
  for (auto& phase : b.bytes) phase[static_cast<std::size_t>(P::program)] = program;
  const auto at = [&](run_phase p, P part) -> double& {
    return b.bytes[static_cast<std::size_t>(p)][static_cast<std::size_t>(part)];
  };

  // ---- the analysis of one output time (outputs.cpp) -------------------------------------
  double analysis = 0;
  if (c.write_power_spectrum) {
    if (!power_in_force_meshes(c)) {
      // analysis/power_spectrum.hpp: one mesh, two when interlaced, and a deposit workspace.
      analysis += (c.power_interlacing ? 2.0 : 1.0) * mesh_bytes(c.power_grid_1d) + sort;
    }
    // source/sheet.hpp for P(k) of the sheet: 3 displacement transforms and a work field on the
    // Lagrangian grid, the samples and the stream flags, its own deposit workspace.
    if (c.power_sheet_resample > 1) analysis += 4.0 * lagrangian + 14.0 * n + sort;
  }
  const double px = static_cast<double>(c.slice_pixels);
  const double slice = c.write_slice ? 20.0 * px * px : 0.0;  // the image (double), its float copy, the picture
  double io = slice;
  if (c.snapshot == snapshot_format::npy) io += 12.0 * 65536;                         // io/npy.hpp blocks
  if (c.snapshot == snapshot_format::gadget_hdf5) io += 32.0 * static_cast<double>(1 << 18);  // io/gadget_hdf5.hpp
  if (c.snapshot != snapshot_format::none) io += V;  // the total momenta p = pi + p_frame of the snapshot

  // ---- [halos] (halo_outputs.cpp), after the P(k) of the output time released its meshes: the
  // total momenta when no snapshot made them (sCOLA keeps them anyway), the groups (group_of and
  // members, 16 B), then the largest of: the FoF work (halos/fof.hpp: 8 B sort keys, a 4 B order
  // and a 12 B sorted copy, and about 32 B of cell arrays with at most one cell per point), the SO
  // cell list (halos/detail/cell_list.hpp: a double copy, its index, cell numbers: 36 B), the
  // bias (the matter's and the tracers' modes, a deposit workspace), and the multipoles (one
  // redshift-space copy, the P(k) meshes, a deposit workspace). Galaxies are few.
  // The P(k) meshes were released before; the sum over parts counts them twice (conservative).
  // With [lightcone], the lightcone's haloes come after the rest (add_lightcone_haloes).
  double haloes = 0;
  if (c.halos) {
    const double momenta = c.snapshot == snapshot_format::none && !c.scola ? V : 0.0;
    const double meshes = (c.power_interlacing ? 2.0 : 1.0) * mesh_bytes(c.power_grid_1d);
    const double work = std::max({56.0 * n, c.spherical_overdensity ? 36.0 * n : 0.0,
                                  c.bias ? 2.0 * meshes + sort : 0.0,  // analysis/cross_power.hpp: both fields' modes
                                  c.multipoles ? V + meshes + sort : 0.0});
    haloes = momenta + 16.0 * n + work;
  }

  // ---- lightcone (lightcone/lightcone.hpp, io/lightcone_hdf5.hpp) --------------------------
  double cone_evolution = 0, cone_outputs = 0, cone_tiles = 0, cone_haloes = 0;
  if (c.lightcone) {
    const auto listed = listed_crossings(c);
    const double pixels = 12.0 * std::pow(static_cast<double>(c.lightcone_options.healpix_nside), 2);
    const lagframe::lightcone::lightcone cone(c.cosmology, c.box, c.lightcone_options);
    const double maps = static_cast<double>(cone.shell_count()) * 4.0 * pixels + 8.0 * pixels;
    // The full box streams its shells (io/lightcone_stream.hpp): a drift's crossings, 80 B each,
    // in the threads' lists (grown by doubling: up to twice their size), merged into
    // chunks of 2^16 (80 B, then 52 B records) on their way to disk; a complete shell is copied
    // to its file 2^18 records at a time (52 B read and 52 B typed per record). The drift
    // observer keeps the positions before each drift (simulation.hpp: V). Finer time steps bound
    // a drift's crossings. Measured at 64³ with 42.7 million crossings: 10 steps, 2655 MiB
    // (estimate 4188 MiB); 40 steps, 2621 MiB (estimate 2967 MiB); held whole, 6594 and 6087 MiB.
    cone_evolution = V + maps + listed.drift * 2.0 * 80.0 + 132.0 * 65536.0 + 104.0 * static_cast<double>(1 << 18);
    cone_outputs = cone_evolution;
    // sCOLA (scola/tiled_run.hpp assemble_lightcone, streamed): one tile file's crossings at a
    // time, read (80 B), sorted in place and turned into 52 B records, and each tile in flight
    // holds its own as it runs (80 B, grown by doubling: up to twice); the conversion buffers as
    // above. Measured with configs/scola.toml and a full-sky lightcone to z = 0.15 (42.7 million
    // crossings): 398 MiB (estimate 400 MiB); the shells held whole needed 8 GiB.
    if (c.scola) {
      const double share = largest_tile_share(c, cone);
      const double in_flight = c.scola_executor == executor_kind::sequential
                                   ? 1.0
                                   : static_cast<double>(std::min<std::size_t>(
                                         lagframe::scola::tiling(c.box, c.scola_tiling).tile_count(),
                                         static_cast<std::size_t>(omp_get_max_threads())));
      cone_tiles = maps + std::max(in_flight * share * 2.0 * 80.0,
                                   share * (80.0 + 52.0) + 104.0 * static_cast<double>(1 << 18));
    }
    // [halos] on the lightcone (halo_outputs.cpp, after the run has released everything else): every
    // shell read back (80 B a crossing), their positions, momenta and scale factors in double
    // (56 B), the FoF work and groups (halos/fof.hpp, as above: 72 B) or the SO cell list (36 B).
    if (c.halos) cone_haloes = listed.all * (80.0 + 56.0 + 72.0);
    // Then, with the crossings released, the galaxies' multipoles (analysis/survey_multipoles.hpp):
    // four N_g³ complex double meshes of the P(k) grid.
    if (c.halos && c.hod && c.multipoles) {
      const auto g = static_cast<double>(c.power_grid_1d);
      cone_haloes = std::max(cone_haloes, 4.0 * 8.0 * g * g * 2.0 * std::floor(g / 2.0 + 1.0));
    }
  }

  if (c.scola) {
    // run_scola.cpp: the full-box LPT fields (ic/lpt.hpp), then scola/tiled_run.hpp: the
    // fields, the far-field potentials (scola/far_field.hpp), the tiles in flight, the
    // assembled particles.
    const double lpt_peak = 2.0 * V + lagrangian + (c.lpt_order == 2 ? 3.0 : 1.0) * lagrangian;
    at(run_phase::initial_conditions, P::ic_work) = lpt_peak;
    const lagframe::scola::tiling t(c.box, c.scola_tiling);
    const auto tile_n = static_cast<double>(t.tile_particles());
    const auto cells = static_cast<double>(t.mesh(0).cells);
    const double stored = cells + 5, interior = cells - 1;
    const double per_tile = tile_n * (6.0 * 12.0 + 8.0 + 2.0 + 24.0 + 24.0) + 5.0 * stored * stored * stored * 4.0 +
                            (interior * interior * interior + 6.0 * interior * interior) * 4.0 +
                            3.0 * stored * stored * 24.0;
    const double in_flight = c.scola_executor == executor_kind::sequential
                                 ? 1.0
                                 : static_cast<double>(std::min<std::size_t>(t.tile_count(), static_cast<std::size_t>(omp_get_max_threads())));
    at(run_phase::setup, P::frame) = 2.0 * V;
    at(run_phase::setup, P::ic_work) = 2.0 * lagrangian + 8.0 * n;  // far field: two potentials, two work fields
    at(run_phase::evolution, P::frame) = 2.0 * V + 8.0 * n;
    at(run_phase::evolution, P::tiles) = in_flight * per_tile;
    at(run_phase::evolution, P::particles) = c.lightcone_only ? 0.0 : 2.0 * V;  // assembled
    at(run_phase::evolution, P::lightcone) = cone_tiles;
    at(run_phase::outputs, P::frame) = 2.0 * V + 8.0 * n;
    if (c.lightcone_only) {  // no final state: only the lightcone's haloes after the tiles
      add_lightcone_haloes(b, 0.0, cone_haloes);
      return b;
    }
    at(run_phase::outputs, P::particles) = 2.0 * V;
    at(run_phase::outputs, P::analysis) = analysis;
    at(run_phase::outputs, P::io) = slice + (c.snapshot == snapshot_format::npy ? 12.0 * 65536 : 0.0);
    add_lightcone_haloes(b, haloes, cone_haloes);
    return b;
  }

  // ---- the force (force/particle_mesh.hpp, force/p3m.hpp, source/sheet.hpp) ----------------
  double force_static = 2.0 * force_mesh;  // potential_ and work_
  if (c.pm.greens == lagframe::force::greens_function::optimal)
    force_static += static_cast<double>(c.pm.grid_1d) * static_cast<double>(c.pm.grid_1d) *
                    static_cast<double>(c.pm.grid_1d / 2 + 1) * 4.0;  // optimal_influence.hpp table
  double force_running = sort;  // the deposit's sort buffers, sized at the first force
  if (c.source == source_kind::sheet) {
    if (c.pm.source.interpolant == lagframe::source::sheet_interpolant::fourier) {
      force_static += 4.0 * lagrangian;  // three displacement transforms and a work field
    } else {
      force_static += 12.0 * n;  // trilinear: one copy of the displacements (float)
    }
    force_running += 14.0 * n;         // the samples and the stream flags
  }
  if (c.force == force_kind::p3m) {
    // force/detail/chaining_mesh.hpp: 3 coordinates and 3 accumulators (float), an id and a
    // cell per particle; one offset per chaining cell, and a counter per cell and chunk.
    const double cell = c.box.side_mpc_h / static_cast<double>(c.pm.grid_1d);
    const double r_cut = c.cutoff_split * c.split_cells * cell;
    const double nc = std::floor(c.box.side_mpc_h * lagframe::force::detail::chaining_reach / r_cut);
    const double chunks = std::clamp(std::floor(n / 16384.0), 1.0, static_cast<double>(omp_get_max_threads()));
    force_running += 32.0 * n + nc * nc * nc * (8.0 + 4.0 * chunks);
  }
  const double plan_scratch = std::max(force_mesh, c.write_power_spectrum ? mesh_bytes(c.power_grid_1d) : 0.0);

  // Frame fields (frame/lpt.hpp; frame/emulated.hpp: five more arrays; the fourier_linear
  // emulator keeps the transforms of Psi1 and Psi2, about two more).
  double frame = 0;
  switch (c.frame) {
    case frame_kind::inertial: frame = 0; break;
    case frame_kind::lpt1: frame = V; break;
    case frame_kind::lpt2: frame = c.frame_fields == frame_fields_kind::fixed16 ? V : 2.0 * V; break;
    case frame_kind::coca: frame = 9.0 * V; break;
  }

  // setup: the force and the FFT plans (each plans on a scratch mesh, core/fft/plan.hpp).
  at(run_phase::setup, P::force) = force_static + plan_scratch;
  at(run_phase::setup, P::particles) = ic_input + restart_input;

  // initial conditions (ic/gaussian_field.hpp, ic/lpt.hpp, simulation.hpp).
  at(run_phase::initial_conditions, P::force) = force_static;
  if (!c.ic_file.empty()) {
    // ic/lpt_from_particles.hpp in double: about 25 doubles per particle at its peak, beside
    // the file's particles (double).
    at(run_phase::initial_conditions, P::particles) = ic_input;
    at(run_phase::initial_conditions, P::ic_work) = 200.0 * n;
  } else {
    // Psi1 and Psi2 (both allocated), delta and one (first order) or three work fields.
    const double lpt_peak = 2.0 * V + lagrangian + (c.lpt_order == 2 ? 3.0 : 1.0) * lagrangian;
    // Then the fields, positions and momenta (set_initial_conditions), or the restart's, and
    // at the end the frame's fields with x, pi and the accelerations.
    // (fixed16: Psi1 in float and packed at once while the frame converts it, half a V more)
    const double handover = c.frame_fields == frame_fields_kind::fixed16 ? 4.5 * V : 4.0 * V;
    const double settled = 3.0 * V + frame;
    const double restart = restart_input;  // alive until set_state takes it
    if (lpt_peak + restart >= std::max(handover, settled)) {
      at(run_phase::initial_conditions, P::ic_work) = lpt_peak;
      at(run_phase::initial_conditions, P::particles) = restart;
    } else if (handover >= settled) {
      at(run_phase::initial_conditions, P::particles) = 2.0 * V;
      at(run_phase::initial_conditions, P::frame) = 2.0 * V;
    } else {
      at(run_phase::initial_conditions, P::particles) = 3.0 * V;
      at(run_phase::initial_conditions, P::frame) = frame;
    }
  }

  // evolution: x, pi, accelerations; the frame; the force with its buffers; the lightcone.
  at(run_phase::evolution, P::particles) = 3.0 * V;
  at(run_phase::evolution, P::frame) = frame;
  at(run_phase::evolution, P::force) = force_static + force_running;
  at(run_phase::evolution, P::lightcone) = cone_evolution;

  // outputs: all of the evolution's, the analysis and the I/O buffers.
  b.bytes[static_cast<std::size_t>(run_phase::outputs)] = b.bytes[static_cast<std::size_t>(run_phase::evolution)];
  at(run_phase::outputs, P::analysis) = analysis;
  at(run_phase::outputs, P::io) = io;
  at(run_phase::outputs, P::lightcone) = cone_outputs;
  add_lightcone_haloes(b, haloes, cone_haloes);
  return b;
}

std::string format_budget(const memory_budget& b) {
  std::array<bool, memory_part_count> used{};
  for (const auto& phase : b.bytes)
    for (std::size_t k = 0; k < memory_part_count; ++k) used[k] = used[k] || phase[k] > 0;
  std::string out = "memory estimate [MiB] by phase and component:\n";
  char cell[64];
  std::snprintf(cell, sizeof cell, "  %-20s %8s", "phase", "total");
  out += cell;
  for (std::size_t k = 0; k < memory_part_count; ++k) {
    if (!used[k]) continue;
    std::snprintf(cell, sizeof cell, " %*s", static_cast<int>(std::max<std::size_t>(8, std::string(memory_part_names[k]).size())),
                  memory_part_names[k]);
    out += cell;
  }
  out += "\n";
  for (std::size_t p = 0; p < run_phase_count; ++p) {
    std::snprintf(cell, sizeof cell, "  %-20s %8.0f", run_phase_names[p], b.total(static_cast<run_phase>(p)) / mib);
    out += cell;
    for (std::size_t k = 0; k < memory_part_count; ++k) {
      if (!used[k]) continue;
      std::snprintf(cell, sizeof cell, " %*.0f", static_cast<int>(std::max<std::size_t>(8, std::string(memory_part_names[k]).size())),
                    b.bytes[p][k] / mib);
      out += cell;
    }
    out += "\n";
  }
  char last[160];
  std::snprintf(last, sizeof last, "  estimated peak: %.0f MiB during %s (%.0f B per particle)\n", b.peak() / mib,
                run_phase_names[static_cast<std::size_t>(b.peak_phase())],
                b.particles > 0 ? b.peak() / static_cast<double>(b.particles) : 0.0);
  out += last;
  return out;
}

std::string check_memory(const memory_budget& b, const std::optional<available_memory>& available,
                         std::size_t resident, bool force) {
  char text[512];
  if (!available) return "  available memory unknown (no /proc/meminfo): not checked";
  const double can = static_cast<double>(available->bytes) + static_cast<double>(resident);
  std::snprintf(text, sizeof text, "%.0f MiB available (%s %.0f MiB, plus %.0f MiB this program holds)", can / mib,
                available->source.c_str(), static_cast<double>(available->bytes) / mib, static_cast<double>(resident) / mib);
  if (b.peak() <= can) return std::string("  fits: ") + text;
  if (force) return std::string("  does not fit, run anyway (--force): ") + text;
  char message[768];
  std::snprintf(message, sizeof message,
                "memory: the estimated peak of %.0f MiB (during %s) exceeds the %s: use fewer particles or a "
                "coarser force.grid_1d, or pass --force to run anyway (lagframe-run --check prints the estimate)",
                b.peak() / mib, run_phase_names[static_cast<std::size_t>(b.peak_phase())], text);
  throw lagframe::config_error(message);
}

}  // namespace lagframe_run
