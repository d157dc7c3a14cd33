// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lightcone.hpp
/// The past lightcone of an observer, recorded as a drift observer of the simulation loop
/// (docs/physics.md §16). The light that reaches the observer at a = 1 from comoving distance χ
/// left at a_LC(χ) (distance.hpp); a particle is recorded when the shrinking front χ(a) passes
/// it, i.e. when f(a) = χ(a) − |x(a) + nL − o| changes sign from + to − during a drift, for the
/// observer o and each periodic replica n of the box that the shells need. The crossing time is
/// solved (Brent's method to |Δa| < 1e-12) on the trajectory the integrator itself follows within
/// the drift (simulation's drift_view: x(a) = x0 + 𝒟(a0, a)π + Δx_frame), so the recorded position
/// is the integrator's at a_cross, not an interpolation between snapshots; the momentum is the
/// residual momentum of the drift plus the frame's momentum at a_cross.
///
/// Shells: the recorded range [χ(z_min), χ(z_max)] is cut into shells by `shell_edges`; a shell
/// is complete when the front has passed its inner edge, and is then handed to a callback (with
/// its crossings sorted by id and replica, so the output does not depend on the thread count),
/// e.g. io::write_lightcone_shell, which writes it atomically. With a stream callback the
/// crossings leave drift by drift instead (each drift's sorted; io::lightcone_stream appends
/// them to disk), and only the maps stay in memory. Shells marked done beforehand (a restart)
/// are not recorded again.
///
/// Footprint: full sky, a cone of half-opening angle θ around an axis, or a rectangle in right
/// ascension and declination (the observer's equatorial frame is the box's axes: RA = atan2(y, x)
/// in [0°, 360°), Dec = asin(z / r)); replicas and sCOLA tiles are culled against the footprint's
/// bounding cone (bounding_axis, bounding_opening_deg). Replicas: the box
/// repeated periodically as far as χ(z_max) needs (each replica's particles keep their id; the
/// replica index is stored), at most `max_replicas` boxes away from the observer's.
///
/// Particles: every particle of the drift, or the drift's `subset` (an sCOLA tile records its
/// core only), filed under the drift's `ids` (the tile's particles' ids in the full box), so a
/// tiled run records the same ids as the full-box run (docs/physics.md §16.7). The HEALPix maps
/// count every crossing; the particle lists keep `particle_fraction` of the particles.

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/background.hpp"
#include "lagframe/lightcone/crossing.hpp"
#include "lagframe/lightcone/distance.hpp"
#include "lagframe/lightcone/healpix.hpp"
#include "lagframe/simulation.hpp"

namespace lagframe::lightcone {

enum class footprint { full_sky, cone, rectangle };

struct lightcone_options {
  vec3<double> observer{0.0, 0.0, 0.0};  ///< Mpc/h, inside the box [0, L)³
  double z_min = 0.0;                    ///< nearest redshift recorded
  double z_max = 0.5;                    ///< farthest redshift recorded
  footprint shape = footprint::full_sky;
  vec3<double> axis{0.0, 0.0, 1.0};      ///< cone axis (any length > 0)
  double opening_deg = 180.0;            ///< cone half-opening angle in degrees, (0, 180]
  /// rectangle: right ascension [min, max] in degrees, 0 <= min < max <= 360, and declination
  /// [min, max], -90 <= min < max <= 90 (RA = atan2(y, x), Dec = asin(z / r) about the observer).
  std::array<double, 2> ra_deg{0.0, 360.0};
  std::array<double, 2> dec_deg{-90.0, 90.0};
  int max_replicas = 10;                 ///< boxes away from the observer's box, per axis
  /// Shell edges in comoving Mpc/h, increasing, inside [χ(z_min), χ(z_max)]; empty: one shell
  /// covering the whole range. The first and last are added when missing.
  std::vector<double> shell_edges{};
  std::int64_t healpix_nside = 0;        ///< > 0: HEALPix RING maps of each shell (a power of 2)
  /// Fraction of the particles whose crossings are kept in the shells' particle lists, in
  /// (0, 1]: a particle is kept when a hash of its id falls below it (kept_particle), so the
  /// same particles are kept in every replica, every run and every sCOLA tile. The HEALPix maps
  /// count every crossing. A full-sky lightcone to z = 0.5 crosses about 10¹⁰ (Mpc/h)³ n̄
  /// particles: the maps come from all of them, the catalogue from a subsample.
  double particle_fraction = 1.0;
};

/// Whether the crossings of particle `id` are kept at `fraction` (splitmix64 of the id against
/// fraction·2⁶⁴; every particle at fraction = 1).
[[nodiscard]] inline bool kept_particle(std::uint64_t id, double fraction) {
  if (fraction >= 1.0) return true;
  std::uint64_t z = id + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < fraction;
}

class lightcone {
 public:
  lightcone(const cosmology::parameters& cosmo, const box& b, lightcone_options opt)
      : box_(b), opt_(std::move(opt)),
        distance_(cosmology::background(cosmo), std::min(0.9, 0.9 / (1.0 + std::max(opt_.z_max, 0.0)))) {
    validate();
    chi_min_ = distance_(1.0 / (1.0 + opt_.z_min));
    chi_max_ = distance_(1.0 / (1.0 + opt_.z_max));
    edges_ = opt_.shell_edges;
    if (edges_.empty() || edges_.front() > chi_min_) edges_.insert(edges_.begin(), chi_min_);
    if (edges_.back() < chi_max_) edges_.push_back(chi_max_);
    for (std::size_t k = 1; k < edges_.size(); ++k)
      require(edges_[k] > edges_[k - 1], "lightcone shell_edges", edges_[k],
              lagframe::detail::concat("increasing edges (after ", edges_[k - 1], " Mpc/h)"));
    require(edges_.front() >= chi_min_ - 1e-9 && edges_.back() <= chi_max_ + 1e-9, "lightcone shell_edges",
            edges_.back(), lagframe::detail::concat("edges inside [", chi_min_, ", ", chi_max_, "] Mpc/h"));
    shells_.resize(edges_.size() - 1);
    for (std::size_t s = 0; s < shells_.size(); ++s) {
      shells_[s].index = s;
      shells_[s].chi_min = edges_[s];
      shells_[s].chi_max = edges_[s + 1];
      if (opt_.healpix_nside > 0) shells_[s].healpix_counts.assign(static_cast<std::size_t>(healpix_pixels(opt_.healpix_nside)), 0);
    }
    done_.assign(shells_.size(), false);
    set_bounding_cone();
    // Replicas whose box reaches the recorded range.
    const double side = box_.side_mpc_h;
    const int reach = static_cast<int>(std::ceil(chi_max_ / side)) + 1;
    require(reach <= opt_.max_replicas + 1, "lightcone z_max", opt_.z_max,
            lagframe::detail::concat("a range the replicas allowed can hold: chi(z_max) = ", chi_max_,
                                     " Mpc/h needs ", reach - 1, " boxes of ", side,
                                     " Mpc/h each way (max_replicas = ", opt_.max_replicas, ")"));
    for (int i = -reach; i <= reach; ++i)
      for (int j = -reach; j <= reach; ++j)
        for (int k = -reach; k <= reach; ++k) {
          const std::array<int, 3> n{i, j, k};
          const auto [dmin, dmax] = box_distance_range(n);
          if (dmax < chi_min_ || dmin > chi_max_) continue;
          if (!meets_footprint(n)) continue;
          replicas_.push_back({n, dmin, dmax});
        }
  }

  [[nodiscard]] const comoving_distance& distance() const { return distance_; }
  /// A cone that holds the footprint: the cone itself, the whole sky (180°), or for a rectangle
  /// the cone around its centre (RA, Dec) through its farthest boundary point (+0.5°).
  [[nodiscard]] vec3<double> bounding_axis() const { return {axis_[0], axis_[1], axis_[2]}; }
  [[nodiscard]] double bounding_opening_deg() const { return bounding_opening_deg_; }
  /// Whether the direction (dx, dy, dz) from the observer, at distance r > 0, is in the footprint.
  [[nodiscard]] bool in_footprint(double dx, double dy, double dz, double r) const {
    switch (opt_.shape) {
      case footprint::full_sky: return true;
      case footprint::cone: return dx * axis_[0] + dy * axis_[1] + dz * axis_[2] >= cos_opening_ * r;
      case footprint::rectangle: {
        const double dec = std::asin(std::clamp(dz / r, -1.0, 1.0)) * 180.0 / std::numbers::pi;
        if (dec < opt_.dec_deg[0] || dec > opt_.dec_deg[1]) return false;
        double ra = std::atan2(dy, dx) * 180.0 / std::numbers::pi;
        if (ra < 0.0) ra += 360.0;
        return ra >= opt_.ra_deg[0] && ra <= opt_.ra_deg[1];
      }
    }
    return true;
  }
  /// The footprint's fraction of the whole sky: 1, (1 − cos θ)/2 for a cone, and
  /// ΔRA (sin Dec_max − sin Dec_min)/4π for a rectangle (ΔRA in radians).
  [[nodiscard]] double sky_fraction() const {
    constexpr double deg = std::numbers::pi / 180.0;
    switch (opt_.shape) {
      case footprint::full_sky: return 1.0;
      case footprint::cone: return 0.5 * (1.0 - std::cos(opt_.opening_deg * deg));
      case footprint::rectangle:
        return (opt_.ra_deg[1] - opt_.ra_deg[0]) * deg *
               (std::sin(opt_.dec_deg[1] * deg) - std::sin(opt_.dec_deg[0] * deg)) / (4.0 * std::numbers::pi);
    }
    return 1.0;
  }
  /// Comoving volume of the footprint between distances r0 ≤ r1 from the observer (Mpc/h):
  /// f_sky 4π/3 (r1³ − r0³), (Mpc/h)³.
  [[nodiscard]] double footprint_volume(double r0, double r1) const {
    require(std::isfinite(r0) && std::isfinite(r1) && r0 >= 0.0 && r1 >= r0, "lightcone::footprint_volume: distances",
            lagframe::detail::concat("[", r0, ", ", r1, "]"), "0 <= r0 <= r1 in Mpc/h");
    return sky_fraction() * 4.0 * std::numbers::pi / 3.0 * (r1 * r1 * r1 - r0 * r0 * r0);
  }
  [[nodiscard]] const lightcone_options& options() const { return opt_; }
  [[nodiscard]] const box& domain() const { return box_; }
  /// The shell edges in Mpc/h (shell s is [edges[s], edges[s + 1])).
  [[nodiscard]] const std::vector<double>& shell_edges() const { return edges_; }
  [[nodiscard]] std::size_t shell_count() const { return shells_.size(); }
  [[nodiscard]] double chi_min() const { return chi_min_; }
  [[nodiscard]] double chi_max() const { return chi_max_; }
  [[nodiscard]] std::size_t replica_count() const { return replicas_.size(); }
  /// The scale factor at which the front reaches χ.
  [[nodiscard]] double a_at(double chi) const { return distance_.scale_factor(chi); }

  /// Called when a shell is complete (after the front has passed its inner edge).
  void set_shell_callback(std::function<void(shell&&)> on_complete) { on_complete_ = std::move(on_complete); }
  /// Streaming: after every drift, the crossings each open shell received in it are handed to
  /// `on_crossings(shell index, crossings)` in chunks, in (id, replica) order over the drift, and
  /// not kept; complete and pending shells then carry their maps only (io/lightcone_stream.hpp
  /// writes them to disk).
  void set_stream_callback(std::function<void(std::size_t, std::vector<crossing>&&)> on_crossings) {
    on_crossings_ = std::move(on_crossings);
  }
  /// Shells already written (a restart): their crossings are not recorded again.
  void mark_done(std::size_t s) {
    require(s < shells_.size(), "lightcone shell index", s, lagframe::detail::concat("below ", shells_.size()));
    done_[s] = true;
  }
  [[nodiscard]] bool done(std::size_t s) const { return done_[s]; }

  /// The scale factor the front has reached (the end of the last drift seen; 0 before any).
  [[nodiscard]] double a_front() const { return a_front_; }

  /// Copies of the shells the front has entered but not yet passed, with the crossings recorded
  /// so far (sorted): what a restart from the current time needs (io::save_lightcone_pending).
  [[nodiscard]] std::vector<shell> pending() const {
    std::vector<shell> out;
    for (std::size_t s = 0; s < shells_.size(); ++s) {
      if (done_[s] || (shells_[s].particles.empty() && !entered(s))) continue;
      shell copy = shells_[s];
      sort_crossings(copy.particles);
      out.push_back(std::move(copy));
    }
    return out;
  }

  /// Adds the crossings and map counts of a shell recorded elsewhere to shell `part.index`: the
  /// share of one sCOLA tile (scola::tiled_run::assemble_lightcone), or the crossings saved by an
  /// earlier run up to the current time (a restart, restore()). The shell must not be complete.
  void merge(shell&& part) {
    const std::size_t s = part.index;
    require(s < shells_.size(), "lightcone merged shell", s, lagframe::detail::concat("an index below ", shells_.size()));
    require(std::abs(part.chi_min - shells_[s].chi_min) < 1e-6 && std::abs(part.chi_max - shells_[s].chi_max) < 1e-6,
            "lightcone merged shell range", part.chi_min,
            lagframe::detail::concat("the range of shell ", s, ": [", shells_[s].chi_min, ", ", shells_[s].chi_max,
                                     "] Mpc/h (was the configuration changed?)"));
    require(!done_[s], "lightcone merged shell", s, "a shell not yet complete");
    require(part.healpix_counts.size() == shells_[s].healpix_counts.size(), "lightcone merged shell nside",
            part.healpix_counts.size(), lagframe::detail::concat(shells_[s].healpix_counts.size(), " pixels"));
    for (std::size_t k = 0; k < part.healpix_counts.size(); ++k) shells_[s].healpix_counts[k] += part.healpix_counts[k];
    for (auto& c : part.particles) shells_[s].particles.push_back(std::move(c));
  }

  /// Adds the crossings of a shell saved by an earlier run up to the current time (a restart).
  void restore(shell&& saved) { merge(std::move(saved)); }

  /// The drift observer (simulation::set_drift_observer(std::ref(lightcone)) or a lambda).
  template <class Real>
  void operator()(const drift_view<Real>& v) {
    const double chi0 = distance_(v.a0), chi1 = distance_(v.a1);
    a_front_ = v.a1;
    if (chi1 > chi_max_ || chi0 < chi_min_) {
      flush(chi1);
      return;
    }
    // The particles to look at: all, or the drift's subset (an sCOLA tile's core).
    const bool all = v.subset.empty();
    const std::size_t np = all ? v.x0.size() : v.subset.size();
    const bool maps = opt_.healpix_nside > 0;
    const double side = box_.side_mpc_h;
    tabulate(v);
    // Replicas that can hold a crossing in this drift (the front sweeps [χ1, χ0]; particles move
    // less than a few Mpc/h per step: replica_margin).
    std::vector<std::size_t> active;
    for (std::size_t r = 0; r < replicas_.size(); ++r)
      if (replicas_[r].dmax + replica_margin >= chi1 && replicas_[r].dmin - replica_margin <= chi0) active.push_back(r);
    const auto threads = static_cast<std::size_t>(omp_get_max_threads());
    std::vector<std::vector<std::vector<crossing>>> found(threads);  // [thread][shell]
    std::vector<std::vector<std::vector<std::uint32_t>>> counts(threads);  // [thread][shell][pixel], as needed
    const auto pixels = maps ? static_cast<std::size_t>(healpix_pixels(opt_.healpix_nside)) : std::size_t{0};
#pragma omp parallel
    {
      const auto me = static_cast<std::size_t>(omp_get_thread_num());
      auto& mine = found[me];
      mine.resize(shells_.size());
      auto& my_counts = counts[me];
      my_counts.resize(shells_.size());
#pragma omp for schedule(static)
      for (std::size_t m = 0; m < np; ++m) {
        const std::size_t i = all ? m : v.subset[m];
        const std::uint64_t id = v.ids.empty() ? i : v.ids[i];
        const bool keep = kept_particle(id, opt_.particle_fraction);
        if (!maps && !keep) continue;  // neither kept nor counted
        double x0[3], x1[3];
        for (int d = 0; d < 3; ++d) {
          x0[d] = static_cast<double>(v.x0[i][d]);
          double step = static_cast<double>(v.x1[i][d]) - x0[d];
          step -= side * std::round(step / side);  // the drift's own displacement, unwrapped
          x1[d] = x0[d] + step;
        }
        trajectory path{};
        for (const std::size_t r : active) {
          const auto& n = replicas_[r].n;
          // The stored endpoints decide (both drifts around a node see the same position, so a
          // crossing is counted once); the trajectory inside the drift locates it.
          double r0 = 0, r1 = 0;
          for (int d = 0; d < 3; ++d) {
            const double o = opt_.observer[d] - side * n[d];
            r0 += (x0[d] - o) * (x0[d] - o);
            r1 += (x1[d] - o) * (x1[d] - o);
          }
          const double f0 = chi0 - std::sqrt(r0), f1 = chi1 - std::sqrt(r1);
          if (!(f0 > 0.0 && f1 <= 0.0)) continue;
          if (!path.ready) path = trajectory_of(v, i, x0);
          crossing c;
          double radius = 0;
          if (!solve(v, path, id, n, x1, f0, f1, c, radius)) continue;
          const std::size_t s = shell_of(radius);
          if (s == no_shell || done_[s]) continue;
          if (maps) {
            auto& map = my_counts[s];
            if (map.empty()) map.assign(pixels, 0);
            ++map[static_cast<std::size_t>(healpix_ring_index(opt_.healpix_nside, c.position[0] - opt_.observer[0],
                                                              c.position[1] - opt_.observer[1],
                                                              c.position[2] - opt_.observer[2]))];
          }
          if (!keep) continue;
          c.momentum = v.momentum(i, c.a);
          mine[s].push_back(c);
        }
      }
    }
    // Integer counts and crossings sorted when their shell completes: the order of the threads
    // does not matter.
    for (auto& mine : counts)
      for (std::size_t s = 0; s < mine.size(); ++s)
        for (std::size_t k = 0; k < mine[s].size(); ++k) shells_[s].healpix_counts[k] += mine[s][k];
    if (on_crossings_) {
      for (std::size_t s = 0; s < shells_.size(); ++s) hand_over(s, found);
    } else {
      for (auto& mine : found)
        for (std::size_t s = 0; s < mine.size(); ++s)
          for (auto& c : mine[s]) shells_[s].particles.push_back(std::move(c));
    }
    flush(chi1);
  }

  /// Hand over every shell not yet complete (end of the run: the front will not move on).
  void finish() {
    for (std::size_t s = 0; s < shells_.size(); ++s) complete(s);
  }

 private:
  static constexpr int max_frame_terms = 2;
  static constexpr std::size_t no_shell = static_cast<std::size_t>(-1);

  struct replica {
    std::array<int, 3> n;
    double dmin, dmax;  ///< distance range from the observer to the replica's box
  };

  void validate() const {
    box_.validate();
    const double side = box_.side_mpc_h;
    for (int d = 0; d < 3; ++d)
      require(std::isfinite(opt_.observer[d]) && opt_.observer[d] >= 0.0 && opt_.observer[d] < side,
              "lightcone observer", opt_.observer[d], lagframe::detail::concat("coordinates inside the box [0, ", side, ")"));
    require(std::isfinite(opt_.z_min) && opt_.z_min >= 0.0, "lightcone z_min", opt_.z_min, "a redshift >= 0");
    require(std::isfinite(opt_.z_max) && opt_.z_max > opt_.z_min, "lightcone z_max", opt_.z_max,
            lagframe::detail::concat("a redshift above z_min = ", opt_.z_min));
    require(std::isfinite(opt_.opening_deg) && opt_.opening_deg > 0.0 && opt_.opening_deg <= 180.0,
            "lightcone opening_deg", opt_.opening_deg, "a half-opening angle in (0, 180] degrees");
    const double norm = std::sqrt(opt_.axis[0] * opt_.axis[0] + opt_.axis[1] * opt_.axis[1] + opt_.axis[2] * opt_.axis[2]);
    require(std::isfinite(norm) && norm > 0.0, "lightcone axis", norm, "a non-zero direction");
    if (opt_.shape == footprint::rectangle) {
      require(std::isfinite(opt_.ra_deg[0]) && opt_.ra_deg[0] >= 0.0 && opt_.ra_deg[0] < 360.0, "lightcone ra_deg[0]",
              opt_.ra_deg[0], "a right ascension in [0, 360) degrees");
      require(std::isfinite(opt_.ra_deg[1]) && opt_.ra_deg[1] > opt_.ra_deg[0] && opt_.ra_deg[1] <= 360.0,
              "lightcone ra_deg[1]", opt_.ra_deg[1],
              lagframe::detail::concat("a right ascension in (ra_deg[0] = ", opt_.ra_deg[0], ", 360] degrees"));
      require(std::isfinite(opt_.dec_deg[0]) && opt_.dec_deg[0] >= -90.0 && opt_.dec_deg[0] < 90.0,
              "lightcone dec_deg[0]", opt_.dec_deg[0], "a declination in [-90, 90) degrees");
      require(std::isfinite(opt_.dec_deg[1]) && opt_.dec_deg[1] > opt_.dec_deg[0] && opt_.dec_deg[1] <= 90.0,
              "lightcone dec_deg[1]", opt_.dec_deg[1],
              lagframe::detail::concat("a declination in (dec_deg[0] = ", opt_.dec_deg[0], ", 90] degrees"));
    }
    require(opt_.max_replicas >= 0, "lightcone max_replicas", opt_.max_replicas, "a number >= 0");
    require(std::isfinite(opt_.particle_fraction) && opt_.particle_fraction > 0.0 && opt_.particle_fraction <= 1.0,
            "lightcone particle_fraction", opt_.particle_fraction, "a fraction in (0, 1]");
    require(opt_.healpix_nside >= 0 && (opt_.healpix_nside & (opt_.healpix_nside - 1)) == 0, "lightcone healpix_nside",
            opt_.healpix_nside, "0 (no maps) or a power of 2");
  }

  /// Whether replica n can hold a crossing inside a cone footprint: its box grown by the margin
  /// particles may move beyond it within a drift (replica_margin), tested through its bounding
  /// sphere (angle to the axis minus the sphere's angular radius at most θ). Always true for
  /// the full sky.
  [[nodiscard]] bool meets_footprint(const std::array<int, 3>& n) const {
    if (bounding_opening_deg_ >= 180.0) return true;
    const double side = box_.side_mpc_h;
    const double radius = 0.5 * std::sqrt(3.0) * side + replica_margin;
    double c2 = 0, along = 0;
    for (int d = 0; d < 3; ++d) {
      const double c = side * (n[d] + 0.5) - opt_.observer[d];
      c2 += c * c;
      along += c * axis_[d];
    }
    const double c = std::sqrt(c2);
    if (c <= radius) return true;
    const double angle = std::acos(std::clamp(along / c, -1.0, 1.0));
    return angle - std::asin(radius / c) <= bounding_opening_deg_ * std::numbers::pi / 180.0;
  }

  /// axis_, cos_opening_ and bounding_opening_deg_ (bounding_axis() says what they mean). For a
  /// rectangle: the angular distance from the centre direction u has its only maximum on the
  /// sphere at −u, so over the rectangle it peaks at −u (if inside: the whole sky) or on the
  /// boundary, sampled every ≤ 0.18° (hence the 0.5° added).
  void set_bounding_cone() {
    constexpr double deg = std::numbers::pi / 180.0;
    if (opt_.shape != footprint::rectangle) {
      const double norm = std::sqrt(opt_.axis[0] * opt_.axis[0] + opt_.axis[1] * opt_.axis[1] + opt_.axis[2] * opt_.axis[2]);
      for (int d = 0; d < 3; ++d) axis_[d] = opt_.axis[d] / norm;
      cos_opening_ = std::cos(opt_.opening_deg * deg);
      bounding_opening_deg_ = opt_.shape == footprint::full_sky ? 180.0 : opt_.opening_deg;
      return;
    }
    const auto direction = [&](double ra, double dec) {
      return std::array<double, 3>{std::cos(dec * deg) * std::cos(ra * deg), std::cos(dec * deg) * std::sin(ra * deg),
                                   std::sin(dec * deg)};
    };
    const auto& ra = opt_.ra_deg;
    const auto& dec = opt_.dec_deg;
    const auto u = direction(0.5 * (ra[0] + ra[1]), 0.5 * (dec[0] + dec[1]));
    for (int d = 0; d < 3; ++d) axis_[d] = u[d];
    cos_opening_ = -1.0;
    if (in_footprint(-u[0], -u[1], -u[2], 1.0)) {
      bounding_opening_deg_ = 180.0;
      return;
    }
    double widest = 0;
    constexpr int samples = 2048;
    for (int k = 0; k <= samples; ++k) {
      const double t = static_cast<double>(k) / samples;
      const double ra_t = ra[0] + t * (ra[1] - ra[0]), dec_t = dec[0] + t * (dec[1] - dec[0]);
      for (const auto& v : {direction(ra_t, dec[0]), direction(ra_t, dec[1]), direction(ra[0], dec_t), direction(ra[1], dec_t)})
        widest = std::max(widest, std::acos(std::clamp(v[0] * u[0] + v[1] * u[1] + v[2] * u[2], -1.0, 1.0)));
    }
    bounding_opening_deg_ = std::min(180.0, widest / deg + 0.5);
  }

  /// Distance range from the observer to the replica n of the box.
  [[nodiscard]] std::array<double, 2> box_distance_range(const std::array<int, 3>& n) const {
    const double side = box_.side_mpc_h;
    double near2 = 0, far2 = 0;
    for (int d = 0; d < 3; ++d) {
      const double lo = side * n[d] - opt_.observer[d], hi = lo + side;
      const double near = lo > 0 ? lo : (hi < 0 ? -hi : 0.0);
      const double far = std::max(std::abs(lo), std::abs(hi));
      near2 += near * near;
      far2 += far * far;
    }
    return {std::sqrt(near2), std::sqrt(far2)};
  }

  /// Particle i's trajectory within the drift: x(a) = x0 + 𝒟(a0, a) π + Σ_k g_k(a) v_k (the
  /// frame's terms, tabulated per drift) or x0 + 𝒟 π + Δx_frame(i, a) for frames without terms.
  struct trajectory {
    bool ready = false;
    std::size_t i = 0;
    double x0[3] = {0, 0, 0}, pi[3] = {0, 0, 0};
    vec3<double> terms[max_frame_terms]{};
  };

  template <class Real>
  [[nodiscard]] trajectory trajectory_of(const drift_view<Real>& v, std::size_t i, const double (&x0)[3]) const {
    trajectory t;
    t.ready = true;
    t.i = i;
    for (int d = 0; d < 3; ++d) {
      t.x0[d] = x0[d];
      t.pi[d] = static_cast<double>(v.pi[i][d]);
    }
    for (int k = 0; k < frame_terms_; ++k) t.terms[k] = v.frame_vector(i, k);
    return t;
  }

  /// The crossing of a particle in replica n during the drift: the root of f(a) =
  /// χ(a) − |x(a) + nL − o| to |Δa| < 1e-13 a (x1: the particle's unwrapped end point). Fills id,
  /// replica, a and position (not the momentum) and the distance; false when it falls outside
  /// the footprint or the range.
  template <class Real>
  bool solve(const drift_view<Real>& v, const trajectory& path, std::uint64_t id, const std::array<int, 3>& n,
             const double (&x1)[3], double f0, double f1, crossing& c, double& radius) const {
    const double side = box_.side_mpc_h;
    // x(a) + nL, and dx/da when asked.
    const auto position = [&](double a, double* velocity) {
      const cubic_weights w = weights(a, velocity != nullptr);
      vec3<double> dx{0, 0, 0}, dv{0, 0, 0};
      if (frame_terms_ >= 0) {
        for (int k = 0; k < frame_terms_; ++k) {
          const double g = w(growth_table_[k]), gp = velocity ? w.slope(growth_table_[k]) : 0.0;
          for (int d = 0; d < 3; ++d) {
            dx[d] += g * path.terms[k][d];
            dv[d] += gp * path.terms[k][d];
          }
        }
      } else {
        dx = v.frame_displacement(path.i, a);
      }
      const double fd = w(table_);
      vec3<double> out;
      for (int d = 0; d < 3; ++d) out[d] = path.x0[d] + fd * path.pi[d] + dx[d] + side * n[d];
      if (velocity) {
        const double fdp = w.slope(table_);
        for (int d = 0; d < 3; ++d) velocity[d] = fdp * path.pi[d] + dv[d];
      }
      return out;
    };
    // Newton's method kept inside the bracket [lo, hi] (f(lo) > 0 >= f(hi)), bisection when a step
    // leaves it; f' = dχ/da − û·dx/da from the tables (dx/da exact without a frame's terms
    // only through 𝒟: the generic path takes the drift's mean velocity for the frame's part).
    // The front moves ~3000 Mpc/h per unit a and particles tens, so f is nearly linear:
    // from the secant point 2–4 evaluations reach 1e-13 a.
    double mean_velocity[3];
    for (int d = 0; d < 3; ++d) mean_velocity[d] = (x1[d] - path.x0[d]) / (v.a1 - v.a0);
    double lo = v.a0, hi = v.a1;
    double b = lo + (hi - lo) * f0 / (f0 - f1);  // the secant point
    for (int it = 0; it < 100; ++it) {
      double velocity[3];
      const auto p = position(b, velocity);
      if (frame_terms_ < 0)
        for (int d = 0; d < 3; ++d) velocity[d] = mean_velocity[d];
      double r2 = 0, along = 0;
      for (int d = 0; d < 3; ++d) {
        const double dx = p[d] - opt_.observer[d];
        r2 += dx * dx;
        along += dx * velocity[d];
      }
      const double r = std::sqrt(r2);
      const double fb = front_distance(b) - r;
      (fb > 0 ? lo : hi) = b;
      const double slope = front_slope(b) - (r > 0 ? along / r : 0.0);
      const double step = fb / slope;
      if (std::abs(step) <= 1e-13 * b) {  // converged (a last step below the tolerance may round to 0)
        b = std::clamp(b - step, lo, hi);
        break;
      }
      double next = b - step;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      const bool bracketed = hi - lo <= 1e-13 * b;
      b = next;
      if (bracketed) break;
    }
    const auto p = position(b, nullptr);
    const double dx = p[0] - opt_.observer[0], dy = p[1] - opt_.observer[1], dz = p[2] - opt_.observer[2];
    radius = std::sqrt(dx * dx + dy * dy + dz * dz);
    if (radius < chi_min_ || radius >= chi_max_) return false;
    if (!in_footprint(dx, dy, dz, radius)) return false;
    // The replica is the image of the particle's own worldline: x + nL − q with q its Lagrangian
    // position is its (continuous) displacement, so n = round((x + nL − q)/L) labels the image
    // whatever drift wrapped x into the box (docs/physics.md §16.3); displacements stay below L/2.
    const auto q = box_.lagrangian_position<double>(id);
    c.id = id;
    for (int d = 0; d < 3; ++d) c.replica[d] = static_cast<std::int32_t>(std::lround((p[d] - q[d]) / side));
    c.a = b;
    c.position = p;
    return true;
  }

  /// Catmull–Rom weights of a in the drift's table (and of d/da when asked), applied to any
  /// table on the same points.
  struct cubic_weights {
    std::size_t k = 0;
    double w[4] = {0, 0, 0, 0}, dw[4] = {0, 0, 0, 0};
    [[nodiscard]] double apply(const double* table, const double (&c)[4]) const {
      // End segments extrapolate linearly: p(-1) = 2p0 − p1, p(n) = 2p(n−1) − p(n−2).
      const double p1 = table[k], p2 = table[k + 1];
      const double p0 = k > 0 ? table[k - 1] : 2 * p1 - p2;
      const double p3 = k + 2 < table_points ? table[k + 2] : 2 * p2 - p1;
      return c[0] * p0 + c[1] * p1 + c[2] * p2 + c[3] * p3;
    }
    [[nodiscard]] double operator()(const double* table) const { return apply(table, w); }
    [[nodiscard]] double slope(const double* table) const { return apply(table, dw); }
  };
  [[nodiscard]] cubic_weights weights(double a, bool slopes = false) const {
    const double x = (a - table_a0_) / table_step_;
    const auto last = static_cast<double>(table_points - 1);
    const double xc = x < 0 ? 0 : (x > last ? last : x);
    cubic_weights cw;
    cw.k = static_cast<std::size_t>(xc);
    if (cw.k >= table_points - 1) cw.k = table_points - 2;
    const double t = xc - static_cast<double>(cw.k), t2 = t * t, t3 = t2 * t;
    cw.w[0] = 0.5 * (-t + 2 * t2 - t3);
    cw.w[1] = 0.5 * (2 - 5 * t2 + 3 * t3);
    cw.w[2] = 0.5 * (t + 4 * t2 - 3 * t3);
    cw.w[3] = 0.5 * (-t2 + t3);
    if (slopes) {
      const double s = 0.5 / table_step_;
      cw.dw[0] = s * (-1 + 4 * t - 3 * t2);
      cw.dw[1] = s * (-10 * t + 9 * t2);
      cw.dw[2] = s * (1 + 8 * t - 9 * t2);
      cw.dw[3] = s * (-2 * t + 3 * t2);
    }
    return cw;
  }

  /// dχ/da inside the drift (linear between the table's exact slopes: Newton's slope only).
  [[nodiscard]] double front_slope(double a) const {
    const double x = (a - table_a0_) / table_step_;
    const auto last = static_cast<double>(table_points - 1);
    const double xc = x < 0 ? 0 : (x > last ? last : x);
    auto k = static_cast<std::size_t>(xc);
    if (k >= table_points - 1) k = table_points - 2;
    const double t = xc - static_cast<double>(k);
    return (1 - t) * chi_slope_[k] + t * chi_slope_[k + 1];
  }

  /// χ(a) inside the drift: cubic Hermite on the drift's table with the exact slopes dχ/da.
  [[nodiscard]] double front_distance(double a) const {
    const double x = (a - table_a0_) / table_step_;
    const auto last = static_cast<double>(table_points - 1);
    const double xc = x < 0 ? 0 : (x > last ? last : x);
    auto k = static_cast<std::size_t>(xc);
    if (k >= table_points - 1) k = table_points - 2;
    const double t = xc - static_cast<double>(k);
    const double h00 = (1 + 2 * t) * (1 - t) * (1 - t), h10 = t * (1 - t) * (1 - t), h01 = t * t * (3 - 2 * t),
                 h11 = t * t * (t - 1);
    return h00 * chi_table_[k] + h10 * table_step_ * chi_slope_[k] + h01 * chi_table_[k + 1] +
           h11 * table_step_ * chi_slope_[k + 1];
  }

  /// Tables of the drift on 257 points: 𝒟(a0, a), the frame's growth terms g_k(a) (when it
  /// reports them, drift_view::frame_terms) and χ(a) with its slope. Catmull–Rom for 𝒟 and g_k
  /// (1e-12 relative), cubic Hermite with exact slopes for χ (1e-10 Mpc/h).
  template <class Real>
  void tabulate(const drift_view<Real>& v) {
    table_a0_ = v.a0;
    table_step_ = (v.a1 - v.a0) / static_cast<double>(table_points - 1);
    frame_terms_ = v.frame_terms >= 0 && v.frame_terms <= max_frame_terms && v.frame_vector ? v.frame_terms : -1;
    for (std::size_t k = 0; k < table_points; ++k) {
      const double a = k + 1 == table_points ? v.a1 : v.a0 + table_step_ * static_cast<double>(k);
      table_[k] = v.drift_factor(a);
      for (int j = 0; j < frame_terms_; ++j) growth_table_[j][k] = v.frame_growth(j, a);
      chi_table_[k] = distance_(a);
      chi_slope_[k] = distance_.derivative(a);
    }
  }

  /// The shell holding distance r (no_shell outside the edges).
  [[nodiscard]] std::size_t shell_of(double r) const {
    const auto it = std::upper_bound(edges_.begin(), edges_.end(), r);
    if (it == edges_.begin() || it == edges_.end()) return no_shell;
    return static_cast<std::size_t>(it - edges_.begin() - 1);
  }

  /// Whether the front (at a_front_) has reached the outer edge of shell s.
  [[nodiscard]] bool entered(std::size_t s) const {
    return a_front_ > 0.0 && distance_(a_front_) < shells_[s].chi_max;
  }

  /// Streaming: the drift's crossings of shell s, sorted in each thread's list, merged across
  /// the threads in (id, replica) order and handed on in chunks of 2¹⁶, each list released once
  /// merged: memory holds the drift's crossings once, and the order is that of one sorted list
  /// whatever the thread count.
  void hand_over(std::size_t s, std::vector<std::vector<std::vector<crossing>>>& found) {
    std::vector<std::vector<crossing>*> lists;
    for (auto& mine : found)
      if (s < mine.size() && !mine[s].empty()) lists.push_back(&mine[s]);
    if (lists.empty()) return;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t l = 0; l < lists.size(); ++l) sort_crossings(*lists[l]);
    constexpr std::size_t chunk = std::size_t{1} << 16;
    std::vector<std::size_t> next(lists.size(), 0);
    std::vector<crossing> out;
    out.reserve(chunk);
    for (;;) {
      std::size_t best = lists.size();
      for (std::size_t l = 0; l < lists.size(); ++l)
        if (next[l] < lists[l]->size() && (best == lists.size() || recorded_before((*lists[l])[next[l]], (*lists[best])[next[best]])))
          best = l;
      if (best == lists.size()) break;
      out.push_back((*lists[best])[next[best]++]);
      if (out.size() == chunk) {
        on_crossings_(s, std::move(out));
        out.clear();
        out.reserve(chunk);
      }
    }
    if (!out.empty()) on_crossings_(s, std::move(out));
    for (auto* l : lists) std::vector<crossing>().swap(*l);
  }

  /// Complete every shell whose inner edge the front (now at χ) has passed.
  void flush(double chi) {
    for (std::size_t s = 0; s < shells_.size(); ++s)
      if (chi < shells_[s].chi_min) complete(s);
  }

  void complete(std::size_t s) {
    if (done_[s]) return;
    done_[s] = true;
    auto& sh = shells_[s];
    sort_crossings(sh.particles);
    if (on_complete_) on_complete_(std::move(sh));
    sh.particles.clear();
    sh.particles.shrink_to_fit();
  }

  box box_;
  lightcone_options opt_;
  comoving_distance distance_;
  double chi_min_ = 0, chi_max_ = 0;
  double a_front_ = 0;
  std::vector<double> edges_;
  std::vector<shell> shells_;
  std::vector<bool> done_;
  double axis_[3] = {0, 0, 1};
  double cos_opening_ = -1;
  double bounding_opening_deg_ = 180.0;
  std::vector<replica> replicas_;
  std::function<void(shell&&)> on_complete_;
  std::function<void(std::size_t, std::vector<crossing>&&)> on_crossings_;
  static constexpr std::size_t table_points = 257;
  /// How far beyond its replica's box a particle may be while a drift moves it (Mpc/h): the box
  /// holds x0, and a particle moves a few Mpc/h per step at most (docs/physics.md §16.2).
  static constexpr double replica_margin = 20.0;
  double table_[table_points] = {};
  double growth_table_[max_frame_terms][table_points] = {};
  double chi_table_[table_points] = {}, chi_slope_[table_points] = {};
  int frame_terms_ = -1;
  double table_a0_ = 0, table_step_ = 1;
};

}  // namespace lagframe::lightcone
