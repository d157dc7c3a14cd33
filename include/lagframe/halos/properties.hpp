// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file properties.hpp
/// Halo catalogues from friends-of-friends groups (docs/mocks.md §3): per group its length and
/// mass, centre of mass (periodic unwrapping about the group's first member, as Gadget-4 does),
/// the centre (potential minimum, or the centre of mass), mean peculiar velocity, 1D velocity
/// dispersion, maximum and rms member distance from the centre, and optionally the
/// spherical-overdensity masses M_200c and M_200m about the centre (all particles, not only
/// members, within the radius where the mean enclosed density falls below 200 ρ_crit(a) or
/// 200 ρ̄_m; Cole & Lacey 1996; Tinker et al. 2008 use the mean-density definition).
///
/// Units: lengths comoving Mpc/h, masses Msun/h, velocities km/s (peculiar, v = 100 p/a for
/// lagframe's momentum p = a³E dx/da in Mpc/h, docs/physics.md §1.2).
///
/// Centre: the potential minimum (default): the member with the lowest Plummer-softened potential
/// of the group's own members, φ_i = −Σ_{j≠i} (r_ij² + ε²)^{−1/2} (ε = l/2 by default); for
/// groups longer than `potential_sample` both the candidates and the sources are the members
/// taken with a fixed stride, so the cost is at most potential_sample² per group (float sums in
/// xsimd batches, positions relative to the group's first member). This is
/// Gadget-4's GroupPos when SUBFIND runs (its potential is the whole simulation's; here the
/// group's own). Its centre of mass is GroupPos without SUBFIND.
///
/// Determinism: every group is computed by one thread, its members in increasing index, so the
/// catalogue is identical for any thread count. Threading: spawns its own OpenMP team; builds a
/// cell list of all points (O(N), serial) when spherical overdensities are asked for. Errors:
/// config_error naming the value.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/halos/detail/cell_list.hpp"
#include "lagframe/halos/fof.hpp"
#include "lagframe/io/text_table.hpp"

namespace lagframe::halos {

/// ρ_crit today in (Msun/h) / (Mpc/h)³: 3H0²/(8πG) = 2.77536627e11 h² Msun/Mpc³.
inline constexpr double rho_crit_msun_h_per_mpc_h3 = 2.77536627e11;

/// Which point a halo is centred on.
enum class halo_centre { potential_minimum, centre_of_mass };

/// Options of halo_properties.
struct halo_options {
  cosmology::parameters cosmology{};  ///< for ρ̄_m, ρ_crit(a) and the default particle mass
  double a = 1.0;                      ///< scale factor of the snapshot
  double particle_mass = 0;            ///< Msun/h; 0 → Ω_m ρ_crit,0 L³/N (periodic boxes only)
  halo_centre centre = halo_centre::potential_minimum;
  bool spherical_overdensity = true;   ///< compute M_200c, R_200c, M_200m, R_200m about the centre
  double softening = 0;                ///< Plummer ε of the potential, Mpc/h; 0 → half the linking length
  std::size_t potential_sample = 4096; ///< at most this many members enter the potential sums
  /// Per-point scale factors (lightcone crossings; empty: every point at `a`): each member's
  /// velocity is 100 p/a_i, and a halo's scale factor is its members' mean, at which its
  /// ρ_crit (M_200c) is taken. The span must outlive the call.
  std::span<const double> point_a{};

  /// Throws config_error naming the first impossible value.
  void validate() const {
    cosmology.validate();
    require(std::isfinite(a) && a > 0.0, "halo_options.a", a, "a positive scale factor");
    require(std::isfinite(particle_mass) && particle_mass >= 0.0, "halo_options.particle_mass", particle_mass,
            "a particle mass ≥ 0 in Msun/h (0: from Ω_m and the periodic box)");
    require(std::isfinite(softening) && softening >= 0.0, "halo_options.softening", softening,
            "a softening length ≥ 0 in Mpc/h (0: half the linking length)");
    require(potential_sample >= 2, "halo_options.potential_sample", potential_sample, "at least 2");
    for (double v : point_a)
      if (!(std::isfinite(v) && v > 0.0)) require(false, "halo_options.point_a", v, "positive scale factors");
  }
};

/// One catalogue of halos, structure of arrays, in the group order of fof_groups.
struct halo_catalogue {
  double a = 1;                      ///< scale factor
  double box_side = 0;               ///< periodic side in Mpc/h (0: open point set)
  double particle_mass = 0;          ///< Msun/h
  double linking_length = 0;         ///< l in Mpc/h
  std::size_t min_members = 0;       ///< the FoF minimum length
  std::size_t points = 0;            ///< size of the point set the groups were found in
  cosmology::parameters cosmology{};
  bool has_spherical_overdensity = false;
  halo_centre centre = halo_centre::potential_minimum;

  std::vector<std::size_t> length;             ///< members (GroupLen)
  std::vector<std::size_t> offset;             ///< first member in fof_groups::members (GroupOffsetType[1])
  std::vector<double> mass;                    ///< FoF mass, Msun/h
  std::vector<vec3<double>> position;          ///< centre, Mpc/h (in [0, L) for a periodic box)
  std::vector<vec3<double>> centre_of_mass;    ///< Mpc/h
  std::vector<vec3<double>> velocity;          ///< mean peculiar velocity, km/s
  std::vector<double> velocity_dispersion;     ///< 1D, √(Σ|v − v̄|²/3n), km/s
  std::vector<double> radius_max;              ///< largest member distance from the centre, Mpc/h
  std::vector<double> radius_rms;              ///< rms member distance from the centre, Mpc/h
  std::vector<double> m200c, r200c;            ///< Msun/h, comoving Mpc/h (0 if not computed or none)
  std::vector<double> m200m, r200m;            ///< Msun/h, comoving Mpc/h
  std::vector<double> scale_factor;            ///< a of each halo: `a`, or its members' mean point_a

  [[nodiscard]] std::size_t size() const { return length.size(); }
};

namespace detail {

/// Mean enclosed density thresholds in (Msun/h)/(Mpc/h)³, comoving: 200 ρ_crit(a) a³ and 200 ρ̄_m.
inline std::pair<double, double> so_thresholds(const cosmology::parameters& p, double a) {
  const cosmology::background bg(p);
  return {200.0 * rho_crit_msun_h_per_mpc_h3 * bg.e2(a) * a * a * a, 200.0 * p.omega_m * rho_crit_msun_h_per_mpc_h3};
}

/// First radius, moving outwards, at which the mean density inside the sorted distances falls
/// below `threshold`: returns the number of particles inside (M = k·m), or −1 if the density is
/// still above it at the last distance.
inline long so_crossing(const std::vector<double>& r_sorted, double m, double threshold) {
  for (std::size_t k = 1; k < r_sorted.size(); ++k) {
    const double r = r_sorted[k];
    const double density = static_cast<double>(k + 1) * m / (4.0 / 3.0 * std::numbers::pi * r * r * r);
    if (density < threshold) return static_cast<long>(k);
  }
  return -1;
}

}  // namespace detail

/// Properties of the groups `groups` of the point set (positions in Mpc/h, momenta p = a³E dx/da
/// in Mpc/h, same order; `side` the periodic box side or 0 for an open set). See the file
/// comment for the definitions.
template <class Real>
halo_catalogue halo_properties(std::span<const vec3<Real>> positions, std::span<const vec3<Real>> momenta,
                               double side, const fof_groups& groups, const halo_options& opt) {
  opt.validate();
  require(momenta.size() == positions.size(), "halo_properties: number of momenta", momenta.size(),
          lagframe::detail::concat("one per position (", positions.size(), ")"));
  require(groups.group_of.size() == positions.size(), "halo_properties: points of the FoF groups",
          groups.group_of.size(), lagframe::detail::concat("the number of positions (", positions.size(), ")"));
  require(std::isfinite(side) && side >= 0.0, "halo_properties: box side", side,
          "a periodic side > 0 in Mpc/h, or 0 for an open point set");
  const bool per_point_a = !opt.point_a.empty();
  require(!per_point_a || opt.point_a.size() == positions.size(), "halo_options.point_a: number of scale factors",
          opt.point_a.size(), lagframe::detail::concat("none, or one per position (", positions.size(), ")"));
  const bool periodic = side > 0.0;
  double m_p = opt.particle_mass;
  if (m_p == 0.0) {
    require(periodic && !positions.empty(), "halo_options.particle_mass", m_p,
            "a positive particle mass in Msun/h for an open point set (it cannot be inferred)");
    m_p = opt.cosmology.omega_m * rho_crit_msun_h_per_mpc_h3 * side * side * side /
          static_cast<double>(positions.size());
  }
  halo_catalogue cat;
  cat.a = opt.a;
  cat.box_side = side;
  cat.particle_mass = m_p;
  cat.linking_length = groups.linking_length_mpc_h;
  cat.min_members = groups.min_members;
  cat.points = positions.size();
  cat.cosmology = opt.cosmology;
  cat.has_spherical_overdensity = opt.spherical_overdensity;
  cat.centre = opt.centre;
  const std::size_t ng = groups.groups();
  cat.length.resize(ng);
  cat.offset.resize(ng);
  cat.mass.resize(ng);
  cat.position.resize(ng);
  cat.centre_of_mass.resize(ng);
  cat.velocity.resize(ng);
  cat.velocity_dispersion.resize(ng);
  cat.radius_max.resize(ng);
  cat.radius_rms.resize(ng);
  cat.m200c.assign(ng, 0.0);
  cat.r200c.assign(ng, 0.0);
  cat.m200m.assign(ng, 0.0);
  cat.r200m.assign(ng, 0.0);
  cat.scale_factor.assign(ng, opt.a);

  const double eps = opt.softening > 0.0 ? opt.softening : 0.5 * groups.linking_length_mpc_h;
  const double eps2 = eps * eps;
  const double half = 0.5 * side;
  const auto image = [&](double v) { return periodic ? (v > half ? v - side : (v < -half ? v + side : v)) : v; };
  const double vfactor = 100.0 / opt.a;  // km/s per unit momentum
  detail::cell_list cells;
  if (opt.spherical_overdensity) cells = detail::cell_list(positions, side);
  const auto [thr_c, thr_m] = detail::so_thresholds(opt.cosmology, opt.a);

#pragma omp parallel
  {
    std::vector<vec3<double>> rel;  // member positions relative to the first member (unwrapped)
    std::vector<double> r_sorted;
    std::vector<float> sx, sy, sz;
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t gg = 0; gg < static_cast<std::ptrdiff_t>(ng); ++gg) {
      const auto g = static_cast<std::size_t>(gg);
      const auto members = groups.members_of(g);
      const std::size_t n = members.size();
      cat.length[g] = n;
      cat.offset[g] = groups.offsets[g];
      cat.mass[g] = static_cast<double>(n) * m_p;
      const auto& first = positions[members[0]];
      rel.resize(n);
      vec3<double> cm{0, 0, 0}, vmean{0, 0, 0};
      double a_sum = 0;
      const auto velocity_factor = [&](std::size_t i) { return per_point_a ? 100.0 / opt.point_a[i] : vfactor; };
      for (std::size_t k = 0; k < n; ++k) {
        const auto& x = positions[members[k]];
        const auto& p = momenta[members[k]];
        const double vf = velocity_factor(members[k]);
        if (per_point_a) a_sum += opt.point_a[members[k]];
        for (std::size_t d = 0; d < 3; ++d) {
          rel[k][d] = image(static_cast<double>(x[d]) - static_cast<double>(first[d]));
          cm[d] += rel[k][d];
          vmean[d] += vf * static_cast<double>(p[d]);
        }
      }
      for (std::size_t d = 0; d < 3; ++d) {
        cm[d] /= static_cast<double>(n);
        vmean[d] /= static_cast<double>(n);
      }
      if (per_point_a) cat.scale_factor[g] = a_sum / static_cast<double>(n);
      double s2 = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double vf = velocity_factor(members[k]);
        for (std::size_t d = 0; d < 3; ++d) {
          const double dv = vf * static_cast<double>(momenta[members[k]][d]) - vmean[d];
          s2 += dv * dv;
        }
      }
      // Centre, relative to the first member.
      vec3<double> centre = cm;
      if (opt.centre == halo_centre::potential_minimum) {
        // Sampled members as float structure of arrays, padded to whole SIMD batches with
        // points at 1e30 (their terms are exactly 0). The self term 1/ε is the same for every
        // candidate, so it is kept. The sums run in a fixed order: the same binary finds the
        // same centre at any thread count.
        using batch = xsimd::batch<float>;
        constexpr std::size_t width = batch::size;
        const std::size_t stride = (n + opt.potential_sample - 1) / opt.potential_sample;
        sx.clear(), sy.clear(), sz.clear();
        for (std::size_t k = 0; k < n; k += stride) {
          sx.push_back(static_cast<float>(rel[k][0]));
          sy.push_back(static_cast<float>(rel[k][1]));
          sz.push_back(static_cast<float>(rel[k][2]));
        }
        const std::size_t m = sx.size();
        const std::size_t padded = (m + width - 1) / width * width;
        sx.resize(padded, 1e30f), sy.resize(padded, 1e30f), sz.resize(padded, 1e30f);
        const batch e2(static_cast<float>(eps2)), one(1.0f);
        float best = 0;
        std::size_t best_k = 0;
        for (std::size_t i = 0; i < m; ++i) {
          const batch xi(sx[i]), yi(sy[i]), zi(sz[i]);
          batch acc(0.0f);
          for (std::size_t j = 0; j < padded; j += width) {
            const batch dx = batch::load_unaligned(sx.data() + j) - xi;
            const batch dy = batch::load_unaligned(sy.data() + j) - yi;
            const batch dz = batch::load_unaligned(sz.data() + j) - zi;
            acc += one / xsimd::sqrt(dx * dx + dy * dy + dz * dz + e2);
          }
          const float phi = xsimd::hadd(acc);  // −φ_i
          if (i == 0 || phi > best) best = phi, best_k = i;
        }
        centre = rel[best_k * stride];
      }
      double rmax2 = 0, rsum2 = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double dx = rel[k][0] - centre[0], dy = rel[k][1] - centre[1], dz = rel[k][2] - centre[2];
        const double d2 = dx * dx + dy * dy + dz * dz;
        rmax2 = std::max(rmax2, d2);
        rsum2 += d2;
      }
      vec3<double> pos{}, cmabs{};
      for (std::size_t d = 0; d < 3; ++d) {
        pos[d] = static_cast<double>(first[d]) + centre[d];
        cmabs[d] = static_cast<double>(first[d]) + cm[d];
        if (periodic) pos[d] = wrap_periodic(pos[d], side), cmabs[d] = wrap_periodic(cmabs[d], side);
      }
      cat.position[g] = pos;
      cat.centre_of_mass[g] = cmabs;
      cat.velocity[g] = vmean;
      cat.velocity_dispersion[g] = std::sqrt(s2 / (3.0 * static_cast<double>(n)));
      cat.radius_max[g] = std::sqrt(rmax2);
      cat.radius_rms[g] = std::sqrt(rsum2 / static_cast<double>(n));

      if (opt.spherical_overdensity) {
        // Start at 1.5 R_200m of the FoF mass; widen until the 200ρ̄_m crossing is inside.
        double radius = 1.5 * std::cbrt(3.0 * cat.mass[g] / (4.0 * std::numbers::pi * thr_m));
        const double limit = periodic ? 0.5 * side : std::numeric_limits<double>::infinity();
        long km = -1, kc = -1;
        double thr_c_halo = thr_c;
        for (int attempt = 0; attempt < 12; ++attempt) {
          radius = std::min(radius, limit);
          r_sorted.clear();
          cells.for_each_within(pos, radius, [&](std::size_t, const vec3<double>&, double d2) {
            r_sorted.push_back(std::sqrt(d2));
          });
          std::sort(r_sorted.begin(), r_sorted.end());
          km = detail::so_crossing(r_sorted, m_p, thr_m);
          const double inside = static_cast<double>(r_sorted.size()) * m_p /
                                (4.0 / 3.0 * std::numbers::pi * radius * radius * radius);
          if ((km >= 0 && inside < thr_m) || radius >= limit) break;
          radius *= 1.6;
        }
        if (per_point_a) thr_c_halo = detail::so_thresholds(opt.cosmology, cat.scale_factor[g]).first;
        kc = detail::so_crossing(r_sorted, m_p, thr_c_halo);
        if (km < 0) km = static_cast<long>(r_sorted.size());  // the search reached its limit
        if (kc < 0) kc = static_cast<long>(r_sorted.size());
        cat.m200m[g] = static_cast<double>(km) * m_p;
        cat.m200c[g] = static_cast<double>(kc) * m_p;
        cat.r200m[g] = std::cbrt(3.0 * cat.m200m[g] / (4.0 * std::numbers::pi * thr_m));
        cat.r200c[g] = std::cbrt(3.0 * cat.m200c[g] / (4.0 * std::numbers::pi * thr_c_halo));
      }
    }
  }
  return cat;
}

/// Groups and their catalogue in one call: friends_of_friends then halo_properties.
struct halo_finder_result {
  fof_groups groups;
  halo_catalogue halos;
};

template <class Real>
halo_finder_result find_halos(std::span<const vec3<Real>> positions, std::span<const vec3<Real>> momenta,
                              double side, const fof_options& fof, const halo_options& opt) {
  halo_finder_result r;
  r.groups = friends_of_friends(positions, side, fof);
  r.halos = halo_properties(positions, momenta, fof.periodic ? side : 0.0, r.groups, opt);
  return r;
}

/// Writes the catalogue as a text table (atomically): a comment block (counts, linking length,
/// particle mass, scale factor, the numbers of halos above 20, 100 and 1000 particles and the
/// mass range), then one row per halo: id, length, mass [Msun/h], centre x y z [Mpc/h],
/// velocity vx vy vz [km/s], σ_v [km/s], r_max [Mpc/h], M_200c [Msun/h], R_200c [Mpc/h],
/// M_200m [Msun/h], R_200m [Mpc/h].
inline void write_halo_summary(const std::filesystem::path& path, const halo_catalogue& c,
                               const std::vector<std::string>& extra_comments = {}) {
  const std::size_t n = c.size();
  std::vector<std::vector<double>> cols(15, std::vector<double>(n));
  std::size_t above100 = 0, above1000 = 0;
  for (std::size_t g = 0; g < n; ++g) {
    const double row[15] = {static_cast<double>(g), static_cast<double>(c.length[g]), c.mass[g],
                            c.position[g][0], c.position[g][1], c.position[g][2],
                            c.velocity[g][0], c.velocity[g][1], c.velocity[g][2],
                            c.velocity_dispersion[g], c.radius_max[g], c.m200c[g], c.r200c[g], c.m200m[g], c.r200m[g]};
    for (std::size_t k = 0; k < 15; ++k) cols[k][g] = row[k];
    above100 += c.length[g] >= 100 ? 1 : 0;
    above1000 += c.length[g] >= 1000 ? 1 : 0;
  }
  std::vector<std::string> comments = extra_comments;
  comments.push_back(lagframe::detail::concat("lagframe halo catalogue: ", n, " FoF groups of >= ", c.min_members,
                                              " particles among ", c.points, " (", above100, " >= 100, ",
                                              above1000, " >= 1000)"));
  comments.push_back(lagframe::detail::concat("a = ", c.a, " (z = ", 1.0 / c.a - 1.0, "), linking length ",
                                              c.linking_length, " Mpc/h, particle mass ", c.particle_mass,
                                              " Msun/h, box ", c.box_side > 0 ? lagframe::detail::concat(c.box_side, " Mpc/h periodic") : std::string("open")));
  if (n > 0)
    comments.push_back(lagframe::detail::concat("FoF masses ", c.mass.back(), " ... ", c.mass.front(), " Msun/h; centre: ",
                                                c.centre == halo_centre::potential_minimum ? "potential minimum" : "centre of mass",
                                                c.has_spherical_overdensity ? "; SO masses about the centre" : "; no SO masses"));
  io::write_text_table(path,
                       {"id", "length", "mass[Msun/h]", "x[Mpc/h]", "y[Mpc/h]", "z[Mpc/h]", "vx[km/s]", "vy[km/s]",
                        "vz[km/s]", "sigma_v[km/s]", "r_max[Mpc/h]", "M200c[Msun/h]", "R200c[Mpc/h]", "M200m[Msun/h]",
                        "R200m[Mpc/h]"},
                       cols, comments);
}

}  // namespace lagframe::halos
