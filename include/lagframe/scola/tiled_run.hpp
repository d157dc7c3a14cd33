// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file tiled_run.hpp
/// A whole sCOLA run (Tassev et al. 2015; Leclercq et al. 2020; docs/physics.md §11): the full-box
/// LPT fields and their far-field potential are made once; each tile then evolves alone from
/// them to the end of the time grid (tile_system.hpp) and writes its core particles to its own
/// file (tile_file.hpp). Tiles never communicate, so they run in any order on any executor
/// (executors.hpp: sequential, OpenMP tasks, MPI ranks), and a rerun skips every tile whose
/// file verifies. assemble() gathers the tiles into the full particle set in id order.
///
///   scola::tiled_run<frame::lpt<2>, mesh::cic, stepper::kick_drift_kick<>> run(cosmo, box,
///       fields, kdk_options, scola_options);
///   scola::run_openmp(run);          // or run_sequential / run_mpi
///   auto state = run.assemble();
///
/// Determinism: a tile is computed by one thread (its loops see no enclosing team when run as a
/// task, and are elementwise otherwise) with a one-thread sine transform, so tile files are
/// bit-identical whatever the executor, thread or rank count.
/// A single tile without buffer is the periodic box itself: it runs as lagframe::simulation
/// with the periodic PM force (tCOLA), on the same tile file path.
///
/// Lightcones (scola_options::lightcone; docs/physics.md §16.7): every tile records the
/// crossings of its core particles with the full-box lightcone machinery (lightcone.hpp, ids of
/// the full box), stores them in its tile file, and assemble_lightcone() merges the tiles into
/// the shells a full-box run hands out (sorted by id and replica; io::write_lightcone_shell
/// writes them). With final_state = false (a lightcone-only run) each tile stops at the first
/// node after which none of its core particles can cross the recorded lightcone, and tiles that
/// cannot cross it do not run (lightcone_plan.hpp); plan() says so before anything runs.

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/force/dirichlet_pm.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/lightcone/lightcone.hpp"
#include "lagframe/scola/far_field.hpp"
#include "lagframe/scola/lightcone_plan.hpp"
#include "lagframe/scola/tile_file.hpp"
#include "lagframe/scola/tile_system.hpp"
#include "lagframe/scola/tiling.hpp"
#include "lagframe/simulation.hpp"

namespace lagframe::scola {

struct scola_options {
  tiling_options tiling{};
  boundary_potential boundary = boundary_potential::lpt_expanded;
  /// With boundary = custom: the callback that gives the boundary potential (far_field.hpp).
  /// It is not part of the tile files' key: name it in run_name.
  boundary_callback custom_boundary{};
  /// Move each tile mesh with its particles' mean LPT displacement (default) or keep it fixed
  /// at the Lagrangian position of the tile.
  bool follow_bulk_flow = true;
  force::dirichlet_pm_options dirichlet{};
  std::filesystem::path directory = "tiles";  ///< where tile files are written
  /// Names the run in the tile files' key (e.g. the configuration and seed), so files of
  /// another run in the same directory are never mistaken for this one's.
  std::string run_name = "scola";
  /// A lightcone recorded by every tile from its core particles (docs/physics.md §16.7); unset:
  /// none.
  std::optional<lightcone::lightcone_options> lightcone{};
  /// true (default): every tile runs to the end of the time grid and keeps its core particles
  /// there (assemble()). false: a lightcone-only run: each tile stops as soon as none of its
  /// core particles can still cross the lightcone, keeps no particles, and tiles that cannot
  /// cross it do not run (plan()); needs a lightcone. A run that also wants the particles at
  /// the end keeps final_state = true: the stop is then max(lightcone stop, a_end) = a_end.
  bool final_state = true;
  /// The margin added to each core's largest LPT displacement in the stopping bound (Mpc/h);
  /// unset: the largest LPT displacement of the whole box at the end of the grid
  /// (lightcone_plan.hpp, where the choice is measured).
  std::optional<double> lightcone_margin_mpc_h{};
};

/// What running one tile did (executors.hpp collects these).
struct tile_result {
  std::size_t outside_events = 0;  ///< evolved particles outside the tile mesh, over force evaluations
  std::size_t steps = 0;           ///< steps run
  double seconds = 0;              ///< wall time of the tile (evolution, lightcone, file)
};

/// The assembled particle set, in particle-id order.
template <class Real>
struct assembled_state {
  double a = 0;
  std::vector<vec3<Real>> positions, momenta;
};

template <frame::frame_policy Frame, mesh::mass_assignment Assignment, class Stepper>
class tiled_run {
 public:
  using real_type = typename Frame::real_type;
  using Real = real_type;
  using stepper_options = typename Stepper::options_type;

  tiled_run(const cosmology::parameters& cosmo, const box& b, ic::lpt_fields<Real> fields,
            stepper_options stepper, scola_options options)
      : tiled_run(cosmo, b, std::move(fields), Stepper(std::move(stepper)), std::move(options)) {}

  /// With a stepper object (e.g. COLA factors with another n_LPT); every tile copies it.
  tiled_run(const cosmology::parameters& cosmo, const box& b, ic::lpt_fields<Real> fields, Stepper stepper,
            scola_options options)
      : cosmo_(cosmo), box_(b), fields_(std::move(fields)), stepper_(std::move(stepper)),
        options_(std::move(options)), tiling_(b, options_.tiling) {
    cosmo_.validate();
    if constexpr (requires { stepper_.bind_frame(true); }) stepper_.bind_frame(frame::is_moving<Frame>);
    require(options_.boundary != boundary_potential::custom || static_cast<bool>(options_.custom_boundary),
            "scola_options.boundary", "custom", "a callback in scola_options.custom_boundary");
    require(fields_.grid.particles_1d == b.particles_1d && fields_.psi1.size() == b.particle_count(),
            "sCOLA LPT field grid", fields_.grid.particles_1d,
            lagframe::detail::concat("the box's particles_1d = ", b.particles_1d));
    const Stepper& probe = stepper_;
    const auto& grid = probe.grid();
    growth_ = std::make_unique<cosmology::growth>(cosmo_, std::min(1e-3, 0.5 * grid.a_start()),
                                                  std::max(2.0, 1.01 * grid.a_end()));
    a_start_ = grid.a_start();
    a_end_ = grid.a_end();
    if (!tiling_.is_periodic_box()) far_ = std::make_unique<far_field<Real>>(fields_);
    require(options_.final_state || options_.lightcone.has_value(), "scola_options.final_state", "false",
            "a lightcone (scola_options.lightcone): a run without final particles needs one");
    if (options_.lightcone) {
      if constexpr (!reports_trajectory)
        throw config_error(lagframe::detail::concat("scola_options.lightcone: the frame ", Frame::name,
                                                    " does not report its per-particle trajectory; lightcones need "
                                                    "frame::inertial, frame::lpt<1> or frame::lpt<2>"));
      cone_ = std::make_unique<lightcone::lightcone>(cosmo_, box_, *options_.lightcone);
      const double margin = options_.lightcone_margin_mpc_h.value_or(-1.0);
      if (options_.lightcone_margin_mpc_h)
        require(std::isfinite(margin) && margin >= 0.0, "scola_options.lightcone_margin_mpc_h", margin,
                "a distance >= 0 in Mpc/h");
    }
    plan_ = plan_tiles(tiling_, fields_, *growth_, grid, cone_.get(), options_.lightcone_margin_mpc_h.value_or(-1.0),
                       options_.final_state);
    // The key names everything that changes a tile's result: configuration, time grid, force
    // schedule and time-stepping factors (and the user's run name for the initial conditions).
    std::ostringstream key;
    key.precision(17);
    key << options_.run_name << "|" << Frame::name << "|" << Assignment::name << "|" << sizeof(Real) << "|"
        << b.side_mpc_h << "|" << b.particles_1d << "|" << options_.tiling.tiles_per_side << "|"
        << options_.tiling.buffer_mpc_h << "|" << options_.tiling.mesh_per_particle << "|" << tiling_.shell_1d() << "|"
        << to_string(options_.boundary) << "|" << options_.follow_bulk_flow << "|"
        << static_cast<int>(options_.dirichlet.greens) << "|" << Stepper::name << "|";
    for (std::size_t j = 0; j <= grid.steps(); ++j) key << grid.node(j) << (probe.evaluates_force(j) ? "f" : "-");
    if constexpr (requires { probe.factors().n_lpt; }) key << "|n_lpt " << probe.factors().n_lpt;
    if constexpr (requires { probe.factors().cola_factors.n_lpt; })
      key << "|" << probe.factors().name << "|n_lpt " << probe.factors().cola_factors.n_lpt;
    key << "|" << cosmo_.omega_m << "|" << cosmo_.omega_b << "|" << cosmo_.omega_k << "|" << cosmo_.h << "|"
        << cosmo_.n_s << "|" << cosmo_.sigma_8;
    if (options_.lightcone) {
      const auto& lc = *options_.lightcone;
      key << "|lightcone " << lc.observer[0] << " " << lc.observer[1] << " " << lc.observer[2] << " " << lc.z_min << " "
          << lc.z_max << " " << static_cast<int>(lc.shape) << " " << lc.axis[0] << " " << lc.axis[1] << " " << lc.axis[2]
          << " " << lc.opening_deg << " " << lc.max_replicas << " " << lc.healpix_nside << " " << lc.particle_fraction;
      for (const double e : cone_->shell_edges()) key << " " << e;
      key << "|final " << options_.final_state << "|margin " << plan_.margin_mpc_h;
    }
    run_key_ = fnv1a(key.str());
  }

  [[nodiscard]] const tiling& tiles() const { return tiling_; }
  [[nodiscard]] std::size_t tile_count() const { return tiling_.tile_count(); }
  [[nodiscard]] std::uint64_t run_key() const { return run_key_; }
  [[nodiscard]] double a_end() const { return a_end_; }
  [[nodiscard]] const cosmology::growth& growth() const { return *growth_; }
  [[nodiscard]] const scola_options& options() const { return options_; }

  /// How far each tile runs and the work against every tile run to the end (lightcone_plan.hpp),
  /// known before any tile runs.
  [[nodiscard]] const work_plan& plan() const { return plan_; }
  /// Predicted cost of tile t (particle-steps): executors start the longest tiles first.
  [[nodiscard]] std::size_t tile_cost(std::size_t t) const { return plan_.tiles.at(t).particle_steps; }
  /// The lightcone's shells and geometry (null without a lightcone).
  [[nodiscard]] const lightcone::lightcone* cone() const { return cone_.get(); }

  [[nodiscard]] std::filesystem::path tile_path(std::size_t t) const {
    return options_.directory / lagframe::detail::concat("tile_", t, ".bin");
  }
  /// True if tile t's file exists and verifies (checksum, run key, tile).
  [[nodiscard]] bool tile_done(std::size_t t) const {
    return tile_file_is_valid<Real>(tile_path(t), run_key_, t, tile_count());
  }

  /// Called with the tile index before each tile starts (e.g. to log, or to inject a failure).
  void set_tile_hook(std::function<void(std::size_t)> hook) { hook_ = std::move(hook); }

  /// Memory one tile needs while it runs, in bytes (particles, meshes, boundary table).
  [[nodiscard]] std::size_t tile_memory_bytes() const {
    const std::size_t n = tiling_.tile_particles();
    const std::size_t cells = tiling_.mesh(0).cells;
    const std::size_t stored = cells + 5, interior = cells - 1;
    const std::size_t nodes = stored * stored * stored;
    const std::size_t per_particle = 6 * sizeof(vec3<Real>) + sizeof(std::size_t) + 2 + sizeof(std::array<long, 3>) +
                                     sizeof(std::array<double, 3>);
    return n * per_particle + 5 * nodes * sizeof(Real) + (interior * interior * interior + 6 * interior * interior) * sizeof(Real) +
           3 * stored * stored * sizeof(std::array<double, 3>);
  }

  /// Evolve tile t as far as plan() says and return its core particles there (none in a
  /// lightcone-only run) and its share of the lightcone.
  [[nodiscard]] tile_output<Real> compute_tile(std::size_t t) const {
    const auto start = std::chrono::steady_clock::now();
    if (hook_) hook_(t);
    tile_output<Real> out;
    out.run_key = run_key_;
    out.tile = t;
    out.tile_count = tile_count();
    const tile_plan& p = plan_.tiles.at(t);
    out.steps = p.steps;
    out.a = p.a_stop;
    if (p.steps > 0) {
      if (tiling_.is_periodic_box()) {
        run_periodic(out, p.steps);
      } else {
        run_dirichlet(t, out, p.steps);
      }
      // The bound the stop relies on, checked on the nodes the tile reached (docs/physics.md §16.7).
      if (!options_.final_state && out.max_displacement > p.reach_mpc_h)
        throw numerical_error(lagframe::detail::concat(
            "sCOLA lightcone: a core particle of tile ", t, " moved ", out.max_displacement,
            " Mpc/h from its Lagrangian position, beyond the stopping bound R = ", p.reach_mpc_h,
            " Mpc/h; set scola_options.lightcone_margin_mpc_h above ", plan_.margin_mpc_h,
            " (or run with final_state = true)"));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }

  /// compute_tile(t), then write its file atomically.
  tile_result run_tile(std::size_t t) const {
    const auto start = std::chrono::steady_clock::now();
    const auto out = compute_tile(t);
    std::filesystem::create_directories(options_.directory);
    write_tile_file(tile_path(t), out);
    return {out.outside_events, out.steps,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  }

  /// Read every tile file back into the full particle set (each id exactly once).
  [[nodiscard]] assembled_state<Real> assemble() const {
    require(options_.final_state, "tiled_run::assemble", "a lightcone-only run (final_state = false)",
            "a run that keeps its particles at the end; use assemble_lightcone()");
    assembled_state<Real> s;
    s.a = a_end_;
    const std::size_t n = box_.particle_count();
    s.positions.assign(n, vec3<Real>{});
    s.momenta.assign(n, vec3<Real>{});
    std::vector<std::uint8_t> seen(n, 0);
    for (std::size_t t = 0; t < tile_count(); ++t) {
      const auto tile = read_tile_file<Real>(tile_path(t), run_key_, t, tile_count());
      for (std::size_t i = 0; i < tile.ids.size(); ++i) {
        const auto id = static_cast<std::size_t>(tile.ids[i]);
        require(id < n && !seen[id], "assembled particle id", id, "each id exactly once, below the particle count");
        seen[id] = 1;
        s.positions[id] = tile.positions[i];
        s.momenta[id] = tile.momenta[i];
      }
    }
    for (std::size_t id = 0; id < n; ++id)
      require(seen[id] != 0, "assembled particle id", id, "a particle present in some tile's core");
    return s;
  }

  /// Merges the lightcone crossings of every tile file into the shells of the full-box
  /// lightcone and hands each complete shell to `on_shell` in shell order, its crossings sorted
  /// by id and replica (what a full-box run hands to its shell callback; e.g.
  /// io::write_lightcone_shell). A crossing of a particle outside the tile's core, or one
  /// (id, replica) twice, is refused.
  void assemble_lightcone(const std::function<void(lightcone::shell&&)>& on_shell) const {
    require(cone_ != nullptr, "tiled_run::assemble_lightcone", "no lightcone", "scola_options.lightcone set");
    lightcone::lightcone merged(cosmo_, box_, *options_.lightcone);
    merged.set_shell_callback([&](lightcone::shell&& s) {
      require_unique(s);
      on_shell(std::move(s));
    });
    for (std::size_t t = 0; t < tile_count(); ++t)
      for (auto& sh : tile_shells(t)) merged.merge(std::move(sh));
    merged.finish();
  }

  /// The same merge streamed: each tile's share of each shell (sorted by id and replica) goes to
  /// `on_crossings(shell, crossings)` as the tile file is read, and every shell, with its map
  /// only, to `on_shell` once all tiles are read (io::lightcone_stream::append and complete).
  /// Memory holds one tile's crossings; a shell's crossings come tile by tile.
  void assemble_lightcone(const std::function<void(std::size_t, std::vector<lightcone::crossing>&&)>& on_crossings,
                          const std::function<void(lightcone::shell&&)>& on_shell) const {
    require(cone_ != nullptr, "tiled_run::assemble_lightcone", "no lightcone", "scola_options.lightcone set");
    lightcone::lightcone merged(cosmo_, box_, *options_.lightcone);
    merged.set_shell_callback(on_shell);
    for (std::size_t t = 0; t < tile_count(); ++t) {
      for (auto& sh : tile_shells(t)) {
        // A particle is in one tile's core only, so a crossing listed twice is within the tile.
        lightcone::sort_crossings(sh.particles);
        require_unique(sh);
        if (!sh.particles.empty()) on_crossings(sh.index, std::move(sh.particles));
        sh.particles.clear();
        merged.merge(std::move(sh));
      }
    }
    merged.finish();
  }

 private:
  /// Tile t's shares of the shells, read from its file; a crossing of a particle outside the
  /// tile's core is refused.
  [[nodiscard]] std::vector<lightcone::shell> tile_shells(std::size_t t) const {
    auto tile = read_tile_file<Real>(tile_path(t), run_key_, t, tile_count());
    for (const auto& sh : tile.shells)
      for (const auto& c : sh.particles)
        if (c.id >= box_.particle_count() || tiling_.core_tile(c.id) != t)
          throw io_error(lagframe::detail::concat("lagframe: tile file ", tile_path(t).string(), ": crossing of particle ",
                                                  c.id, ", which is not in the core of tile ", t));
    return std::move(tile.shells);
  }

  /// Refuses a shell (sorted by id and replica) that lists one (id, replica) twice.
  static void require_unique(const lightcone::shell& s) {
    for (std::size_t k = 1; k < s.particles.size(); ++k) {
      const auto &x = s.particles[k - 1], &y = s.particles[k];
      if (x.id == y.id && x.replica == y.replica)
        throw numerical_error(lagframe::detail::concat("sCOLA lightcone: particle ", y.id, " in replica (", y.replica[0],
                                                       ", ", y.replica[1], ", ", y.replica[2], ") recorded twice in shell ",
                                                       s.index));
    }
  }

  static constexpr bool reports_trajectory = requires(const Frame& f, std::size_t i, double a) {
    f.frame_displacement(i, a, a);
    f.frame_momentum(i, a);
  };

  /// A lightcone observer for one tile (or the periodic box) whose completed shells go to out.
  [[nodiscard]] std::unique_ptr<lightcone::lightcone> tile_cone(tile_output<Real>& out) const {
    if (!options_.lightcone) return nullptr;
    auto cone = std::make_unique<lightcone::lightcone>(cosmo_, box_, *options_.lightcone);
    cone->set_shell_callback([&out](lightcone::shell&& s) {
      bool counted = !s.particles.empty();
      for (const auto c : s.healpix_counts) counted = counted || c != 0;
      if (counted) out.shells.push_back(std::move(s));
    });
    return cone;
  }

  /// Largest |x − q| (minimum image) over the given particles: what the stopping bound bounds.
  [[nodiscard]] double largest_displacement(std::span<const vec3<Real>> x, std::span<const std::size_t> ids,
                                            std::span<const std::uint8_t> roles) const {
    const double side = box_.side_mpc_h;
    double worst = 0;
    for (std::size_t l = 0; l < x.size(); ++l) {
      if (!roles.empty() && roles[l] != tiling::core_particle) continue;
      const auto q = box_.lagrangian_position<double>(ids.empty() ? l : ids[l]);
      double r2 = 0;
      for (int d = 0; d < 3; ++d) {
        double dx = static_cast<double>(x[l][d]) - q[d];
        dx -= side * std::round(dx / side);
        r2 += dx * dx;
      }
      worst = std::max(worst, r2);
    }
    return std::sqrt(worst);
  }

  void run_periodic(tile_output<Real>& out, std::size_t steps) const {
    force::pm_options pm;
    pm.grid_1d = options_.tiling.mesh_per_particle * box_.particles_1d;
    using sim_type = simulation<Frame, force::particle_mesh<Assignment, Real>, Stepper>;
    sim_type sim(cosmo_, box_, force::particle_mesh<Assignment, Real>(box_, pm), stepper_);
    auto fields = fields_;
    sim.set_initial_conditions(std::move(fields));
    const auto cone = tile_cone(out);
    if constexpr (reports_trajectory)
      if (cone) sim.set_drift_observer([&](const drift_view<Real>& v) { (*cone)(v); });
    const Stepper& stepper = stepper_;
    const double a_stop = stepper.grid().node(steps);
    for (std::size_t j = 0; j < steps; ++j) {
      sim.run_until(stepper.grid().node(j + 1));
      if (cone) out.max_displacement = std::max(out.max_displacement, largest_displacement(sim.positions(), {}, {}));
    }
    if (cone) cone->finish();
    out.a = a_stop;
    out.force_evaluations = sim.force_evaluations();
    if (!options_.final_state) return;
    const std::size_t n = box_.particle_count();
    out.ids.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.ids[i] = i;
    out.positions.assign(sim.positions().begin(), sim.positions().end());
    out.momenta = sim.momenta();
  }

  void run_dirichlet(std::size_t t, tile_output<Real>& out, std::size_t steps) const {
    const Stepper& stepper = stepper_;
    tile_system<Frame, Assignment> system(tiling_, t, cosmo_, *growth_, fields_, *far_, options_.boundary,
                                          options_.dirichlet, a_start_, options_.follow_bulk_flow,
                                          &options_.custom_boundary);
    const auto cone = tile_cone(out);
    const cosmology::growth* g = growth_.get();
    if constexpr (reports_trajectory)
      if (cone)
        system.set_drift_observer([&](const drift_view<Real>& v) { (*cone)(v); },
                                  [&stepper, g](double a0, double a, double ac) {
                                    return stepper.factors().drift(*g, a0, a, ac);
                                  });
    const auto roles = system.roles();
    const auto ids = system.ids();
    for (std::size_t j = 0; j < steps; ++j) {
      stepper.step(j, system, *growth_);
      if (cone) out.max_displacement = std::max(out.max_displacement, largest_displacement(system.positions(), ids, roles));
    }
    if (cone) cone->finish();
    const double a = stepper.grid().node(steps);
    out.a = a;
    out.outside_events = system.outside_events();
    out.force_evaluations = system.force_evaluations();
    if (!options_.final_state) return;
    const auto p = system.momenta(a);
    const auto x = system.positions();
    for (std::size_t l = 0; l < ids.size(); ++l) {
      if (roles[l] != tiling::core_particle) continue;
      out.ids.push_back(ids[l]);
      out.positions.push_back(x[l]);
      out.momenta.push_back(p[l]);
    }
  }

  cosmology::parameters cosmo_;
  box box_;
  ic::lpt_fields<Real> fields_;
  Stepper stepper_;
  scola_options options_;
  tiling tiling_;
  std::unique_ptr<cosmology::growth> growth_;
  std::unique_ptr<far_field<Real>> far_;
  std::unique_ptr<lightcone::lightcone> cone_;
  work_plan plan_;
  double a_start_ = 0, a_end_ = 0;
  std::uint64_t run_key_ = 0;
  std::function<void(std::size_t)> hook_;
};

}  // namespace lagframe::scola
