// SPDX-License-Identifier: BSD-3-Clause
// [halos] at one output time (halo_outputs.hpp).

#include "halo_outputs.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include <lagframe/analysis/bias.hpp>
#include <lagframe/analysis/multipoles.hpp>
#include <lagframe/analysis/survey_multipoles.hpp>
#include <lagframe/cosmology/growth.hpp>
#include <lagframe/fft/plan.hpp>
#include <lagframe/halos/catalogue_hdf5.hpp>
#include <lagframe/halos/fof.hpp>
#include <lagframe/halos/hod.hpp>
#include <lagframe/halos/lightcone_halos.hpp>
#include <lagframe/halos/mass_function.hpp>
#include <lagframe/halos/properties.hpp>
#include <lagframe/halos/redshift_space.hpp>
#include <lagframe/io/interrupt.hpp>
#include <lagframe/io/lightcone_hdf5.hpp>
#include <lagframe/lightcone/lightcone.hpp>
#include <lagframe/io/text_table.hpp>
#include <lagframe/mesh/cic.hpp>
#include <lagframe/mesh/tsc.hpp>

namespace lagframe_run {

namespace fs = std::filesystem;
namespace halos = lf::halos;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// "... at z = 0, 64^3 particles in 128 Mpc/h": the first comment line of every table.
std::string run_line(const run_config& c, double z) {
  return lf::detail::concat("lagframe-run [halos] at z = ", z, ": ", c.box.particles_1d, "^3 particles in ",
                            c.box.side_mpc_h, " Mpc/h");
}

/// dn/dlnM of `mass` (and of `m200m` when not null) in `volume`, in bins of mass_bin_dex from
/// min_members particles up to the largest mass, against `theory(lo, hi, fit)`: each fit's
/// dn/dlnM averaged over the bin [lo, hi).
template <class Theory>
void write_mass_function_table(const run_config& c, const std::vector<double>& mass, const std::vector<double>* m200m,
                               double mp, double volume, const Theory& theory, std::vector<std::string> comments,
                               const fs::path& path) {
  const double m_lo = static_cast<double>(c.fof.min_members) * mp;
  const double largest = std::max(mass.empty() ? m_lo : *std::max_element(mass.begin(), mass.end()), m_lo);
  const auto bins = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(std::log10(largest * 1.0001 / m_lo) / c.mass_bin_dex)));
  const double m_hi = m_lo * std::pow(10.0, c.mass_bin_dex * static_cast<double>(bins));
  const auto fof = halos::measure_mass_function(mass, volume, m_lo, m_hi, bins);
  std::vector<double> particles(bins), st(bins), tinker(bins), ratio(bins);
  for (std::size_t b = 0; b < bins; ++b) {
    particles[b] = fof.m_centre[b] / mp;
    st[b] = theory(fof.m_low[b], fof.m_high[b], halos::mass_function_fit::sheth_tormen);
    tinker[b] = theory(fof.m_low[b], fof.m_high[b], halos::mass_function_fit::tinker08);
    ratio[b] = fof.dn_dlnm[b] / tinker[b];
  }
  std::vector<std::string> names{"M_low[Msun/h]", "M_high[Msun/h]", "M_centre[Msun/h]", "N_particles", "count_FoF",
                                 "dndlnM_FoF[(h/Mpc)^3]", "err_FoF"};
  std::vector<std::vector<double>> columns{fof.m_low, fof.m_high, fof.m_centre, particles, fof.count, fof.dn_dlnm, fof.error};
  if (m200m != nullptr) {
    const auto so = halos::measure_mass_function(*m200m, volume, m_lo, m_hi, bins);
    names.insert(names.end(), {"count_200m", "dndlnM_200m", "err_200m"});
    columns.insert(columns.end(), {so.count, so.dn_dlnm, so.error});
  }
  names.insert(names.end(), {"ST99", "T08_200m", "FoF/T08"});
  columns.insert(columns.end(), {st, tinker, ratio});
  comments.push_back(lf::detail::concat("FoF b = ", c.fof.linking_length, ", at least ", c.fof.min_members,
                                        " particles; particle mass ", mp, " Msun/h; bins of ", c.mass_bin_dex, " dex"));
  lf::io::write_text_table(path, names, columns, comments);
}

/// dn/dlnM of the box's haloes at z against the fits at z averaged over each bin.
void write_mass_function(const run_context& ctx, const halos::halo_catalogue& cat, double z, const fs::path& path) {
  const run_config& c = ctx.config;
  const halos::mass_function_theory theory(*ctx.inputs.power, c.cosmology, 1.0 / (1.0 + z));
  std::vector<double> m200m;
  if (cat.has_spherical_overdensity) m200m.assign(cat.m200m.begin(), cat.m200m.end());
  write_mass_function_table(
      c, cat.mass, cat.has_spherical_overdensity ? &m200m : nullptr, cat.particle_mass, std::pow(c.box.side_mpc_h, 3),
      [&](double lo, double hi, halos::mass_function_fit fit) { return theory.bin_average(lo, hi, fit); },
      {run_line(c, z), "ST99: Sheth & Tormen 1999; T08_200m: Tinker et al. 2008 for Delta = 200 (mean density); "
                       "both from the linear P(k) and averaged over each bin in ln M"},
      path);
}

/// Real-space P(k) of the haloes (and the galaxies) against the matter's, and the bias
/// b(k) = P_tm/P_mm, on the P(k) mesh.
template <class Assignment>
void write_bias(const run_context& ctx, const lf::snapshot_view<float>& s, const halos::halo_catalogue& cat,
                const halos::galaxy_catalogue* gal, double z, const fs::path& path) {
  const run_config& c = ctx.config;
  const double side = c.box.side_mpc_h;
  const lf::analysis::spectrum_options opt{.grid_1d = c.power_grid_1d, .interlacing = c.power_interlacing};
  const auto as_float = [](const std::vector<lf::vec3<double>>& v) {
    std::vector<lf::vec3<float>> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = static_cast<float>(v[i][d]);
    return out;
  };
  lf::io::throw_if_interrupted();
  // The matter is deposited once for the haloes and the galaxies.
  const auto matter = lf::analysis::modes_of_set<Assignment>(s.positions, side, opt);
  const auto bh = lf::analysis::tracer_bias<Assignment, float>(as_float(cat.position), matter);
  const double d1 = lf::cosmology::growth(c.cosmology, std::min(1e-3, 0.5 * s.a), 1.0).d1(s.a);
  std::vector<double> lin(bh.k.size());
  for (std::size_t i = 0; i < lin.size(); ++i) lin[i] = d1 * d1 * (*ctx.inputs.power)(bh.k[i]);
  std::vector<std::string> names{"k[h/Mpc]", "P_mm[(Mpc/h)^3]", "P_lin", "P_hh", "P_hm", "b_h=P_hm/P_mm"};
  std::vector<std::vector<double>> columns{bh.k, bh.p_mm, lin, bh.p_tt, bh.p_tm, bh.b_cross};
  std::string shot = lf::detail::concat("shot noise 1/n: matter ", bh.matter_shot_noise, ", haloes ", bh.tracer_shot_noise);
  if (gal != nullptr && gal->size() > 0) {
    lf::io::throw_if_interrupted();
    const auto bg = lf::analysis::tracer_bias<Assignment, float>(as_float(gal->position), matter);
    names.insert(names.end(), {"P_gg", "P_gm", "b_g=P_gm/P_mm"});
    columns.insert(columns.end(), {bg.p_tt, bg.p_tm, bg.b_cross});
    shot += lf::detail::concat(", galaxies ", bg.tracer_shot_noise);
  }
  names.emplace_back("modes");
  columns.push_back(bh.modes);
  lf::io::write_text_table(path, names, columns,
                           {run_line(c, z),
                            lf::detail::concat("real space; ", std::string(Assignment::name), " ", opt.grid_1d, "^3",
                                               opt.interlacing ? " interlaced" : "",
                                               "; auto spectra with the Poisson shot noise subtracted; P_lin = D1^2 P_lin(k)"),
                            shot + " (Mpc/h)^3"});
}

/// Galaxy bias from the ratio of the galaxy and matter redshift-space monopoles at k <= 0.1 h/Mpc:
/// the root b of (b^2 + 2bf/3 + f^2/5) = R (1 + 2f/3 + f^2/5) (Kaiser 1987).
double bias_from_monopoles(const std::vector<double>& k, const std::vector<double>& pg, const std::vector<double>& pm,
                           const std::vector<double>& modes, double f) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < k.size(); ++i)
    if (k[i] <= 0.1) num += pg[i] * modes[i], den += pm[i] * modes[i];
  if (!(den > 0) || !(num > 0)) return 1.0;
  const double rhs = num / den * (1.0 + 2.0 * f / 3.0 + f * f / 5.0);
  const double q = f / 3.0;  // b^2 + 2 q b + (f^2/5 - rhs) = 0
  return -q + std::sqrt(std::max(0.0, q * q - (f * f / 5.0 - rhs)));
}

/// Redshift-space multipoles of the matter (and the galaxies) averaged over the x, y and z lines
/// of sight, with the Kaiser multipoles of the linear spectrum at this time.
template <class Assignment>
void write_multipoles(const run_context& ctx, const lf::snapshot_view<float>& s, const halos::galaxy_catalogue* gal,
                      double z, const fs::path& path) {
  const run_config& c = ctx.config;
  const double side = c.box.side_mpc_h, a = s.a;
  lf::analysis::spectrum_options opt{.grid_1d = c.power_grid_1d, .interlacing = c.power_interlacing};
  std::vector<lf::vec3<float>> gx, gv;
  if (gal != nullptr) {
    gx.resize(gal->size());
    gv.resize(gal->size());
    for (std::size_t i = 0; i < gal->size(); ++i)
      for (int d = 0; d < 3; ++d)
        gx[i][d] = static_cast<float>(gal->position[i][d]), gv[i][d] = static_cast<float>(gal->velocity[i][d]);
  }
  std::vector<double> k, modes, m[3], g[3];
  for (int axis = 0; axis < 3; ++axis) {
    lf::io::throw_if_interrupted();
    const halos::redshift_space_options rs{.axis = axis, .side = side};
    lf::analysis::multipoles_result mm;
    {
      const auto x = halos::redshift_space_positions_from_momenta<float>(s.positions, s.momenta, c.cosmology, a, rs);
      mm = lf::analysis::power_multipoles<Assignment, float>(x, side, axis, opt);
    }
    if (axis == 0) {
      k = mm.k, modes = mm.modes;
      for (auto& v : m) v.assign(k.size(), 0.0);
      for (auto& v : g) v.assign(k.size(), 0.0);
    }
    for (std::size_t i = 0; i < k.size(); ++i) m[0][i] += mm.p0[i] / 3, m[1][i] += mm.p2[i] / 3, m[2][i] += mm.p4[i] / 3;
    if (gal != nullptr && !gx.empty()) {
      auto gopt = opt;
      gopt.subtract_shot_noise = true;
      const auto xg = halos::redshift_space_positions<float>(gx, gv, c.cosmology, a, rs);
      const auto gm = lf::analysis::power_multipoles<Assignment, float>(xg, side, axis, gopt);
      for (std::size_t i = 0; i < k.size(); ++i) g[0][i] += gm.p0[i] / 3, g[1][i] += gm.p2[i] / 3, g[2][i] += gm.p4[i] / 3;
    }
  }
  const lf::cosmology::growth growth(c.cosmology, std::min(1e-3, 0.5 * a), 1.0);
  const double f = growth.f1(a), d1 = growth.d1(a);
  const auto km = lf::analysis::kaiser_factors(1.0, f);
  std::vector<std::string> names{"k[h/Mpc]", "P0_m", "P2_m", "P4_m", "Kaiser0_m", "Kaiser2_m", "Kaiser4_m"};
  std::vector<double> k0(k.size()), k2(k.size()), k4(k.size());
  for (std::size_t i = 0; i < k.size(); ++i) {
    const double pl = d1 * d1 * (*ctx.inputs.power)(k[i]);
    k0[i] = km[0] * pl, k2[i] = km[1] * pl, k4[i] = km[2] * pl;
  }
  std::vector<std::vector<double>> columns{k, m[0], m[1], m[2], k0, k2, k4};
  std::string galaxies_line = "matter only (halos.hod = false)";
  if (gal != nullptr) {
    const double b = bias_from_monopoles(k, g[0], m[0], modes, f);
    const auto kg = lf::analysis::kaiser_factors(b, f);
    std::vector<double> g0(k.size()), g2(k.size()), g4(k.size());
    for (std::size_t i = 0; i < k.size(); ++i) {
      const double pl = d1 * d1 * (*ctx.inputs.power)(k[i]);
      g0[i] = kg[0] * pl, g2[i] = kg[1] * pl, g4[i] = kg[2] * pl;
    }
    names.insert(names.end(), {"P0_g", "P2_g", "P4_g", "Kaiser0_g", "Kaiser2_g", "Kaiser4_g"});
    columns.insert(columns.end(), {g[0], g[1], g[2], g0, g2, g4});
    galaxies_line = lf::detail::concat("galaxies (g): HOD galaxies, monopole shot noise subtracted; Kaiser with b = ", b,
                                       " from the monopole ratio P0_g/P0_m at k <= 0.1 h/Mpc");
  }
  names.emplace_back("modes");
  columns.push_back(modes);
  lf::io::write_text_table(
      path, names, columns,
      {run_line(c, z),
       lf::detail::concat("redshift space (plane-parallel), averaged over the x, y and z lines of sight; f = ", f,
                          "; ", std::string(Assignment::name), " ", opt.grid_1d, "^3", opt.interlacing ? " interlaced" : ""),
       "matter (m): Poisson shot noise kept in P0_m; Kaiser (1987) multipoles of the linear P(k) at this time", galaxies_line});
}

/// n(z) of the lightcone's haloes (by z_cos) and galaxies (by z_cos and z_obs) in equal bins of
/// about 0.01 from z_min to z_max (at most 200), with each bin's comoving volume inside the
/// footprint: f_sky 4π/3 (χ_high³ − χ_low³).
void write_lightcone_nz(const run_config& c, const lf::lightcone::lightcone& cone, const halos::sky_coordinates& haloes,
                        const halos::sky_coordinates* galaxies) {
  const double z_lo = c.lightcone_options.z_min, z_hi = c.lightcone_options.z_max;
  const auto bins = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil((z_hi - z_lo) / 0.01 - 1e-9)), 1, 200);
  const double width = (z_hi - z_lo) / static_cast<double>(bins);
  std::vector<double> low(bins), high(bins), volume(bins), nh(bins, 0.0), dh(bins), ng(bins, 0.0), ng_obs(bins, 0.0), dg(bins);
  const auto& chi = cone.distance();
  for (std::size_t b = 0; b < bins; ++b) {
    low[b] = z_lo + width * static_cast<double>(b);
    high[b] = b + 1 == bins ? z_hi : z_lo + width * static_cast<double>(b + 1);
    const double r0 = chi(1.0 / (1.0 + low[b])), r1 = chi(1.0 / (1.0 + high[b]));
    volume[b] = cone.footprint_volume(r0, r1);
  }
  const auto count = [&](const std::vector<double>& z, std::vector<double>& into) {
    for (double v : z) {
      if (!(v >= z_lo && v < z_hi)) continue;
      into[std::min(bins - 1, static_cast<std::size_t>((v - z_lo) / width))] += 1.0;
    }
  };
  count(haloes.z_cos, nh);
  std::vector<std::string> names{"z_low", "z_high", "volume[(Mpc/h)^3]", "N_haloes", "n_haloes[(h/Mpc)^3]"};
  for (std::size_t b = 0; b < bins; ++b) dh[b] = nh[b] / volume[b];
  std::vector<std::vector<double>> columns{low, high, volume, nh, dh};
  if (galaxies != nullptr) {
    count(galaxies->z_cos, ng);
    count(galaxies->z_obs, ng_obs);
    for (std::size_t b = 0; b < bins; ++b) dg[b] = ng[b] / volume[b];
    names.insert(names.end(), {"N_galaxies", "n_galaxies[(h/Mpc)^3]", "N_galaxies_z_obs"});
    columns.insert(columns.end(), {ng, dg, ng_obs});
  }
  const fs::path path = c.directory / "lightcone_nz.txt";
  lf::io::write_text_table(path, names, columns,
                           {lf::detail::concat("lagframe-run [halos] on the lightcone: n(z) in ", bins, " bins from z = ", z_lo,
                                               " to ", z_hi, "; footprint sky fraction ", cone.sky_fraction()),
                            "haloes and galaxies counted by their cosmological redshift (N_galaxies_z_obs: by the observed "
                            "one); volume: comoving, inside the footprint"});
  std::printf("wrote %s\n", path.c_str());
}

/// dn/dlnM of the lightcone's haloes with z_min <= z_cos < z_max in the footprint's comoving
/// volume, against the fits averaged over that volume: Σ_j V_j n(M, z_j) / Σ_j V_j over slices
/// of width ≤ 0.02 in z (at least 4) at their middle redshift z_j.
void write_lightcone_mass_function(const run_context& ctx, const lf::lightcone::lightcone& cone,
                                   const halos::halo_catalogue& cat, const halos::sky_coordinates& sky,
                                   double particle_mass) {
  const run_config& c = ctx.config;
  const double z_lo = c.lightcone_options.z_min, z_hi = c.lightcone_options.z_max;
  const auto slices = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil((z_hi - z_lo) / 0.02 - 1e-9)), 4, 100);
  const auto& chi = cone.distance();
  std::vector<double> weight(slices);
  std::vector<halos::mass_function_theory> theory;
  double volume = 0;
  for (std::size_t j = 0; j < slices; ++j) {
    const double za = z_lo + (z_hi - z_lo) * static_cast<double>(j) / static_cast<double>(slices);
    const double zb = z_lo + (z_hi - z_lo) * static_cast<double>(j + 1) / static_cast<double>(slices);
    const double r0 = chi(1.0 / (1.0 + za)), r1 = chi(1.0 / (1.0 + zb));
    weight[j] = cone.footprint_volume(r0, r1);
    volume += weight[j];
    theory.emplace_back(*ctx.inputs.power, c.cosmology, 1.0 / (1.0 + 0.5 * (za + zb)));
  }
  std::vector<double> mass, m200m;
  for (std::size_t g = 0; g < cat.size(); ++g) {
    if (!(sky.z_cos[g] >= z_lo && sky.z_cos[g] < z_hi)) continue;
    mass.push_back(cat.mass[g]);
    if (cat.has_spherical_overdensity) m200m.push_back(cat.m200m[g]);
  }
  const fs::path path = c.directory / "lightcone_mass_function.txt";
  write_mass_function_table(
      c, mass, cat.has_spherical_overdensity ? &m200m : nullptr, particle_mass, volume,
      [&](double lo, double hi, halos::mass_function_fit fit) {
        double sum = 0;
        for (std::size_t j = 0; j < slices; ++j) sum += weight[j] * theory[j].bin_average(lo, hi, fit);
        return sum / volume;
      },
      {lf::detail::concat("lagframe-run [halos] on the lightcone: ", mass.size(), " haloes with ", z_lo,
                          " <= z_cos < ", z_hi, " in ", volume, " (Mpc/h)^3 (sky fraction ", cone.sky_fraction(), ")"),
       lf::detail::concat("ST99: Sheth & Tormen 1999; T08_200m: Tinker et al. 2008 for Delta = 200 (mean density); from "
                          "the linear P(k), averaged over each bin in ln M and over the volume in ",
                          slices, " slices in z")},
      path);
  std::printf("wrote %s\n", path.c_str());
  if (c.plots && ctx.python) {
    const fs::path png = c.directory / "lightcone_mass_function.png";
    plot(ctx, "plot_halos.py", {"mass_function", path.string(), png.string()}, png);
  }
}

/// A random catalogue for points at distances `chi` from the observer: `per_point` randoms per
/// point, directions uniform inside the footprint, distances drawn from `chi` (so the randoms
/// follow the points' n(χ)); and n̄(χ) of the points and of the randoms from the points' counts
/// in equal bins of χ, each over its comoving volume inside the footprint.
struct survey_randoms {
  std::vector<lf::vec3<double>> position;
  std::vector<double> nbar, nbar_points;
};
survey_randoms randoms_for(const lf::lightcone::lightcone& cone, const lf::vec3<double>& o, const std::vector<double>& chi,
                           std::size_t per_point, std::uint64_t seed) {
  survey_randoms r;
  const double lo = *std::min_element(chi.begin(), chi.end()), hi = *std::max_element(chi.begin(), chi.end()) * (1 + 1e-12);
  const auto bins = std::clamp<std::size_t>(chi.size() / 200, 4, 50);
  const double width = (hi - lo) / static_cast<double>(bins);
  std::vector<double> nbar(bins, 0.0);
  const auto bin_of = [&](double x) { return std::min(bins - 1, static_cast<std::size_t>((x - lo) / width)); };
  for (double x : chi) nbar[bin_of(x)] += 1.0;
  for (std::size_t b = 0; b < bins; ++b) {
    const double r0 = lo + width * static_cast<double>(b), r1 = r0 + width;
    nbar[b] /= cone.footprint_volume(r0, r1);
  }
  for (double x : chi) r.nbar_points.push_back(nbar[bin_of(x)]);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss;
  std::uniform_int_distribution<std::size_t> pick(0, chi.size() - 1);
  while (r.position.size() < per_point * chi.size()) {
    const double v[3] = {gauss(rng), gauss(rng), gauss(rng)};
    const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (!(norm > 0.0) || !cone.in_footprint(v[0], v[1], v[2], norm)) continue;
    const double d = chi[pick(rng)];
    r.position.push_back({o[0] + d * v[0] / norm, o[1] + d * v[1] / norm, o[2] + d * v[2] / norm});
    r.nbar.push_back(nbar[bin_of(d)]);
  }
  return r;
}

/// P0, P2 and P4 of the lightcone galaxies with the local line of sight (analysis::survey_multipoles),
/// in redshift space (at χ_obs) and in real space (at χ), each against 20 randoms per galaxy.
template <class Assignment>
void write_lightcone_multipoles(const run_context& ctx, const lf::lightcone::lightcone& cone,
                                const std::vector<lf::vec3<double>>& real, const std::vector<lf::vec3<double>>& redshift,
                                const halos::sky_coordinates& sky, const lf::vec3<double>& o) {
  const run_config& c = ctx.config;
  const fs::path path = c.directory / "lightcone_multipoles.txt";
  if (real.size() < 2) {
    std::printf("lightcone multipoles skipped: %zu galaxies\n", real.size());
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  constexpr std::size_t per_galaxy = 20;
  const auto randoms_s = randoms_for(cone, o, sky.chi_obs, per_galaxy, 1000 + c.hod_seed);
  const auto randoms_r = randoms_for(cone, o, sky.chi, per_galaxy, 2000 + c.hod_seed);
  // One mesh for both, a cube about every point with the stencil's margin, so that both have the
  // same bins.
  lf::vec3<double> lo{o}, hi{o};
  for (const auto* set : {&real, &redshift, &randoms_s.position, &randoms_r.position})
    for (const auto& x : *set)
      for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], x[d]), hi[d] = std::max(hi[d], x[d]);
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  const double margin = static_cast<double>(Assignment::support + 2) / static_cast<double>(c.power_grid_1d);
  lf::analysis::survey_options opt{.grid_1d = c.power_grid_1d, .fkp_p0 = c.fkp_p0, .planning = c.pm.planning};
  opt.side = extent / (1.0 - 2.0 * margin);
  for (int d = 0; d < 3; ++d) opt.origin[d] = 0.5 * (lo[d] + hi[d]) - 0.5 * opt.side;
  const auto s = lf::analysis::survey_multipoles<Assignment>(redshift, randoms_s.nbar_points, randoms_s.position,
                                                             randoms_s.nbar, o, opt);
  const auto r = lf::analysis::survey_multipoles<Assignment>(real, randoms_r.nbar_points, randoms_r.position,
                                                             randoms_r.nbar, o, opt);
  if (!c.wisdom_file.empty()) lf::fft::export_wisdom(c.wisdom_file.string());  // the double plan's, too
  const std::size_t bins = std::min(s.k.size(), r.k.size());  // the same bins (the same mesh)
  const auto first = [bins](const std::vector<double>& v) {
    return std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(bins));
  };
  lf::io::write_text_table(
      path, {"k[h/Mpc]", "P0_s", "P2_s", "P4_s", "P0_r", "P2_r", "P4_r", "modes"},
      {first(s.k), first(s.p0), first(s.p2), first(s.p4), first(r.p0), first(r.p2), first(r.p4), first(s.modes)},
      {lf::detail::concat("lagframe-run [halos] on the lightcone: ", real.size(), " galaxies, ", per_galaxy,
                          " randoms each; local line of sight from the observer (Yamamoto estimator, FKP P0 = ", c.fkp_p0,
                          " (Mpc/h)^3)"),
       lf::detail::concat("s: redshift space (the galaxies at chi_obs), r: real space (at chi); ", std::string(Assignment::name),
                          " ", opt.grid_1d, "^3 on a mesh of ", s.side, " Mpc/h; shot noise subtracted from P0: ", s.shot_noise,
                          " (s), ", r.shot_noise, " (r) (Mpc/h)^3"),
       "P in (Mpc/h)^3; the window of the footprint and n(z) is not removed: compare with models convolved with it"});
  std::printf("wrote %s [%.2f s]\n", path.c_str(), seconds_since(t0));
  if (c.plots && ctx.python) {
    const fs::path png = c.directory / "lightcone_multipoles.png";
    plot(ctx, "plot_halos.py", {"lightcone_multipoles", path.string(), png.string()}, png);
  }
}

}  // namespace

void write_halo_outputs(run_context& ctx, const lf::snapshot_view<float>& s, double z, lf::io::atomic_file_set& set,
                        std::vector<std::string>& written) {
  const run_config& c = ctx.config;
  const std::string tag = redshift_tag(z);
  const fs::path dir = c.directory;
  const double side = c.box.side_mpc_h;
  lf::io::throw_if_interrupted();
  auto t0 = std::chrono::steady_clock::now();
  halos::halo_options hopt;
  hopt.cosmology = c.cosmology;
  hopt.a = s.a;
  hopt.centre = c.halo_centre;
  hopt.spherical_overdensity = c.spherical_overdensity;
  const auto found = halos::find_halos<float>(s.positions, s.momenta, side, c.fof, hopt);
  const auto& cat = found.halos;
  std::size_t n100 = 0;
  for (auto len : cat.length) n100 += len >= 100 ? 1 : 0;
  std::printf("haloes at z = %g: %zu FoF groups of >= %zu particles (%zu of >= 100), largest %.3e Msun/h  [%.2f s]\n", z,
              cat.size(), c.fof.min_members, n100, cat.size() > 0 ? cat.mass[0] : 0.0, seconds_since(t0));

  const fs::path summary = dir / ("halos_" + tag + ".txt");
  halos::write_halo_summary(set.temporary(summary), cat, {run_line(c, z)});
  const fs::path tab = dir / ("fof_subhalo_tab_" + tag + ".hdf5");
  halos::write_fof_tab_hdf5(set.temporary(tab), cat, found.groups);
  written.push_back(summary.string() + " and " + tab.string() + " (Gadget-4 group catalogue layout)");
  const fs::path mf = dir / ("mass_function_" + tag + ".txt");
  write_mass_function(ctx, cat, z, set.temporary(mf));
  written.push_back(mf.string());

  std::optional<halos::galaxy_catalogue> gal;
  if (c.hod) {
    lf::io::throw_if_interrupted();
    t0 = std::chrono::steady_clock::now();
    std::vector<double> storage;
    const auto view = halos::hod_halos_of(cat, c.hod_mass, storage);
    halos::hod_options o{.seed = c.hod_seed};
    if (c.hod_mass == halos::hod_mass::m200c) o.concentration = halos::concentration_model::duffy08_200c;
    gal = halos::populate_hod(view, c.hod_parameters, o, s.a, side);
    const std::size_t cen = gal->centrals();
    std::printf("galaxies at z = %g: %zu (%zu centrals, %zu satellites), n = %.3e (h/Mpc)^3  [%.2f s]\n", z, gal->size(),
                cen, gal->size() - cen, static_cast<double>(gal->size()) / std::pow(side, 3), seconds_since(t0));
    const auto rsd = halos::redshift_space_positions<double>(gal->position, gal->velocity, c.cosmology, s.a,
                                                             {.axis = c.line_of_sight, .side = side});
    const fs::path file = dir / ("galaxies_" + tag + ".hdf5");
    halos::write_galaxies_hdf5(set.temporary(file), *gal,
                               {.box_side = side, .a = s.a, .cosmology = c.cosmology, .hod = c.hod_parameters,
                                .seed = c.hod_seed, .line_of_sight_axis = c.line_of_sight},
                               rsd);
    // Occupation in bins of 0.2 dex from the smallest halo mass kept.
    const double log_lo = std::log10(static_cast<double>(c.fof.min_members) * cat.particle_mass);
    const auto t = halos::measure_occupation(view.mass, *gal, c.hod_parameters, log_lo, 0.2, 12);
    const auto& h = c.hod_parameters;
    const fs::path occ = dir / ("hod_" + tag + ".txt");
    lf::io::write_text_table(set.temporary(occ),
                             {"M[Msun/h]", "haloes", "Ncen", "Ncen_model", "err_cen", "Nsat", "Nsat_model", "err_sat"},
                             {t.mass_centre, t.halos, t.centrals, t.centrals_model, t.centrals_error, t.satellites,
                              t.satellites_model, t.satellites_error},
                             {run_line(c, z),
                              lf::detail::concat("Zheng et al. 2007 HOD on ", std::string(name_of(hod_masses, c.hod_mass)),
                                                 " masses: log Mmin ", h.log_m_min, ", sigma ", h.sigma_log_m, ", log M0 ",
                                                 h.log_m0, ", log M1 ", h.log_m1, ", alpha ", h.alpha),
                              "mean occupation per 0.2 dex mass bin: measured, and the model averaged over the bin's haloes"});
    written.push_back(file.string() + " and " + occ.string());
  }

  if (c.bias) {
    t0 = std::chrono::steady_clock::now();
    const fs::path file = dir / ("bias_" + tag + ".txt");
    const halos::galaxy_catalogue* g = gal ? &*gal : nullptr;
    if (c.assignment == assignment_kind::tsc)
      write_bias<lf::mesh::tsc>(ctx, s, cat, g, z, set.temporary(file));
    else
      write_bias<lf::mesh::cic>(ctx, s, cat, g, z, set.temporary(file));
    written.push_back(file.string() + lf::detail::concat(" [", seconds_since(t0), " s]"));
  }

  if (c.multipoles) {
    t0 = std::chrono::steady_clock::now();
    const fs::path file = dir / ("multipoles_" + tag + ".txt");
    const halos::galaxy_catalogue* g = gal ? &*gal : nullptr;
    if (c.assignment == assignment_kind::tsc)
      write_multipoles<lf::mesh::tsc>(ctx, s, g, z, set.temporary(file));
    else
      write_multipoles<lf::mesh::cic>(ctx, s, g, z, set.temporary(file));
    written.push_back(file.string() + lf::detail::concat(" [", seconds_since(t0), " s]"));
  }
}

void write_lightcone_halos(run_context& ctx) {
  const run_config& c = ctx.config;
  const fs::path dir = c.directory;
  lf::io::throw_if_interrupted();
  auto t0 = std::chrono::steady_clock::now();
  // Every shell's crossings, in shell order; a restart into another folder finds the shells
  // completed before it in the earlier run's.
  const lf::lightcone::lightcone cone(c.cosmology, c.box, c.lightcone_options);
  std::vector<lf::lightcone::crossing> points;
  for (std::size_t s = 0; s < cone.shell_count(); ++s) {
    fs::path path = lf::io::lightcone_shell_path(dir, "lightcone", s);
    if (!fs::exists(path) && !c.restart_directory.empty())
      path = lf::io::lightcone_shell_path(c.restart_directory, "lightcone", s);
    auto file = lf::io::read_lightcone_shell(path);
    if (!file.complete)
      throw lf::io_error("lagframe-run: " + path.string() + " is not complete: the lightcone's haloes need every shell");
    points.insert(points.end(), file.shell.particles.begin(), file.shell.particles.end());
  }
  const double side = c.box.side_mpc_h, count = static_cast<double>(c.box.particle_count());
  const auto& o = c.lightcone_options.observer;
  halos::lightcone_halo_options opt;
  opt.linking_length = c.fof.linking_length;
  opt.min_members = c.fof.min_members;
  opt.mean_spacing = c.box.lagrangian_spacing();
  opt.particle_mass = c.cosmology.omega_m * halos::rho_crit_msun_h_per_mpc_h3 * side * side * side / count;
  opt.cosmology = c.cosmology;
  opt.centre = c.halo_centre;
  opt.spherical_overdensity = c.spherical_overdensity;
  opt.observer = lf::vec3<double>{o[0], o[1], o[2]};
  auto found = halos::find_lightcone_halos(points, opt);
  const auto& cat = found.halos;
  std::printf("lightcone haloes: %zu FoF groups of >= %zu particles among %zu crossings  [%.2f s]\n", cat.size(),
              c.fof.min_members, points.size(), seconds_since(t0));

  // The table: one row per halo.
  const std::size_t ng = cat.size();
  std::vector<double> id(ng), length(ng), x(ng), y(ng), z(ng), vx(ng), vy(ng), vz(ng);
  for (std::size_t g = 0; g < ng; ++g) {
    id[g] = static_cast<double>(g), length[g] = static_cast<double>(cat.length[g]);
    x[g] = cat.position[g][0], y[g] = cat.position[g][1], z[g] = cat.position[g][2];
    vx[g] = cat.velocity[g][0], vy[g] = cat.velocity[g][1], vz[g] = cat.velocity[g][2];
  }
  const auto& sky = found.sky;
  const fs::path table = dir / "lightcone_halos.txt";
  lf::io::write_text_table(
      table,
      {"id", "length", "mass[Msun/h]", "a", "RA[deg]", "DEC[deg]", "chi[Mpc/h]", "z_cos", "z_obs", "x[Mpc/h]", "y", "z",
       "vx[km/s]", "vy", "vz", "M200c[Msun/h]", "M200m[Msun/h]"},
      {id, length, cat.mass, cat.scale_factor, sky.ra_deg, sky.dec_deg, sky.chi, sky.z_cos, sky.z_obs, x, y, z, vx, vy,
       vz, cat.m200c, cat.m200m},
      {lf::detail::concat("lagframe-run [halos] on the lightcone: ", points.size(), " crossings of ", cone.shell_count(),
                          " shell(s), observer at (", o[0], ", ", o[1], ", ", o[2], ") Mpc/h"),
       lf::detail::concat("FoF b = ", c.fof.linking_length, " of the box's mean spacing ", opt.mean_spacing,
                          " Mpc/h, at least ", c.fof.min_members, " particles; particle mass ", opt.particle_mass, " Msun/h"),
       "a: the members' mean crossing scale factor; positions in the observer's frame of replicas; RA = atan2(y, x), "
       "DEC = asin(z / chi) about the observer; z_obs includes the radial peculiar velocity"});
  std::vector<std::uint64_t> ids(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) ids[i] = points[i].id;
  const fs::path tab = dir / "lightcone_fof_subhalo_tab.hdf5";
  halos::write_fof_tab_hdf5(tab, cat, found.groups, ids);
  std::printf("wrote %s and %s (Gadget-4 group catalogue layout)\n", table.c_str(), tab.c_str());
  // The crossings and groups are not needed beyond this point: release them before the galaxies'
  // multipoles take their meshes.
  std::vector<lf::lightcone::crossing>().swap(points);
  std::vector<std::uint64_t>().swap(ids);
  found.groups = halos::fof_groups{};
  if (c.plots && ctx.python) {
    const fs::path png = dir / "lightcone_halos.png";
    plot(ctx, "plot_halos.py", {"lightcone", table.string(), png.string()}, png);
  }

  write_lightcone_mass_function(ctx, cone, cat, sky, opt.particle_mass);
  if (!c.hod) {
    write_lightcone_nz(c, cone, sky, nullptr);
    return;
  }
  lf::io::throw_if_interrupted();
  std::vector<double> storage;
  const auto view = halos::hod_halos_of(cat, c.hod_mass, storage);
  halos::hod_options ho{.seed = c.hod_seed};
  if (c.hod_mass == halos::hod_mass::m200c) ho.concentration = halos::concentration_model::duffy08_200c;
  const auto gal = halos::populate_hod(view, c.hod_parameters, ho, 1.0, 0.0);  // each halo at its own a
  const lf::lightcone::comoving_distance distance(lf::cosmology::background(c.cosmology), 0.01);
  const auto gsky = halos::sky_coordinates_of<double>(gal.position, gal.velocity, *opt.observer, distance);
  // Radial redshift space: the observer plus chi_obs along each galaxy's direction.
  std::vector<lf::vec3<double>> rsd(gal.size());
  for (std::size_t i = 0; i < gal.size(); ++i) {
    const double scale = gsky.chi[i] > 0.0 ? gsky.chi_obs[i] / gsky.chi[i] : 1.0;
    for (int d = 0; d < 3; ++d) rsd[i][d] = o[d] + scale * (gal.position[i][d] - o[d]);
  }
  const fs::path file = dir / "lightcone_galaxies.hdf5";
  halos::write_galaxies_hdf5(file, gal,
                             {.box_side = 0.0, .a = 1.0, .cosmology = c.cosmology, .hod = c.hod_parameters,
                              .seed = c.hod_seed, .line_of_sight_axis = -1, .observer = *opt.observer},
                             rsd, &gsky);
  std::printf("lightcone galaxies: %zu (%zu centrals); wrote %s\n", gal.size(), gal.centrals(), file.c_str());
  if (c.multipoles) {
    lf::io::throw_if_interrupted();
    if (c.assignment == assignment_kind::tsc)
      write_lightcone_multipoles<lf::mesh::tsc>(ctx, cone, gal.position, rsd, gsky, *opt.observer);
    else
      write_lightcone_multipoles<lf::mesh::cic>(ctx, cone, gal.position, rsd, gsky, *opt.observer);
  }
  write_lightcone_nz(c, cone, sky, &gsky);
}

void plot_halo_outputs(const run_context& ctx, double z) {
  const run_config& c = ctx.config;
  if (!c.plots || !ctx.python) return;
  const std::string tag = redshift_tag(z);
  const fs::path dir = c.directory;
  std::vector<std::string> kinds{"mass_function"};
  if (c.hod) kinds.emplace_back("hod");
  if (c.bias) kinds.emplace_back("bias");
  if (c.multipoles) kinds.emplace_back("multipoles");
  for (const auto& kind : kinds) {
    lf::io::throw_if_interrupted();
    const fs::path table = dir / (kind + "_" + tag + ".txt"), png = dir / (kind + "_" + tag + ".png");
    plot(ctx, "plot_halos.py", {kind, table.string(), png.string()}, png);
  }
}

}  // namespace lagframe_run
