// SPDX-License-Identifier: BSD-3-Clause
// Single-source PM force against the Ewald-summed periodic force (docs/physics.md §13.4).
//
// All 8 particles of a 2³ box sit at one point x0, so the source is one point of mass V (each
// particle has mass 1/n̄ = V/8) and ∇²φ = δ = V δ_D(x − x0) − 1 (the uniform background is the
// −1). Compared with Newton's ∇²Φ = 4πGρ, this is a point mass with Gm = V/(4π) in a
// neutralising background, whose periodic field is the Ewald sum (Hernquist, Bouchet & Suto
// 1991, eq. 2.13–2.14), with r = x − x0:
//   −∇φ(r) = −(V/4π) Σ_n (r_n/r_n³)[erfc(α r_n) + (2α r_n/√π) e^{−α² r_n²}]
//            − Σ_{k≠0} (k/k²) e^{−k²/4α²} sin(k·r),       r_n = r − nL, k = 2πh/L.
// Near the source it tends to −(V/4π) r/r³ + r/3 (the background's pull inside a uniform
// sphere of density −1, the images' tidal field vanishing by cubic symmetry), which the test
// checks first.
//
// Probes: 4 random source points, 600 random directions and log-uniform separations between
// 1 mesh cell and L/4 each, 64³ mesh. The rms relative error |ΔF|/|F| per separation bin is
// printed for every assignment / gradient / deconvolution combination (exact Green's function).
//
// Findings (measured, see the printed tables): with the spectral gradient i k the point-source
// force is wrong by O(1) at every separation, growing with r: i k jumps from +k_N to −k_N
// across the Nyquist plane, which leaves a ~1/r checkerboard tail that the interpolation
// samples. Deconvolution by W⁻² amplifies the aliased images near the Nyquist corner
// ((π/2)¹² ≈ 225 for CIC) and gives several-% errors at all r. The 4-point gradient without
// deconvolution is accurate: requirements (rms, exact Green's function):
//   TSC: ≤ 3 % in [3, 4) cells, ≤ 1 % in [4, 6), ≤ 0.5 % beyond, and ≤ 1 % over all r ≥ 3 cells;
//   CIC: ≤ 6 % in [3, 4), ≤ 3 % in [4, 6), ≤ 1.5 % in [6, 8), ≤ 1 % beyond.
// (The 1 % at ≥ 3 cells often quoted for CIC with deconvolution refers to the Gaussian-filtered
// long-range part of TreePM/P3M, docs/physics.md §7.1, not to a bare PM force.)
// With interlacing (pm_options.interlace, last test case) CIC reaches ≤ 1 % rms for r ≥ 3
// cells: 0.39 % with the optimal influence function (a = 3.5 cells) and the spectral gradient.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"

using namespace lagframe;

namespace {

/// Ewald-summed −∇φ at separation r from a point of mass V in a periodic box of side L with
/// a uniform neutralising background (see the file comment). alpha in 1/length.
vec3<double> ewald_acceleration(const vec3<double>& r, double side, double alpha) {
  const double volume = side * side * side;
  const double pi = std::numbers::pi;
  const int real_images = 3;
  const int k_images = 6;
  vec3<double> acc{0, 0, 0};
  for (int a = -real_images; a <= real_images; ++a)
    for (int b = -real_images; b <= real_images; ++b)
      for (int c = -real_images; c <= real_images; ++c) {
        const vec3<double> rn{r[0] - a * side, r[1] - b * side, r[2] - c * side};
        const double d = std::sqrt(rn[0] * rn[0] + rn[1] * rn[1] + rn[2] * rn[2]);
        const double f = (std::erfc(alpha * d) + 2.0 * alpha * d / std::sqrt(pi) * std::exp(-alpha * alpha * d * d)) /
                         (d * d * d);
        for (int i = 0; i < 3; ++i) acc[i] -= volume / (4.0 * pi) * f * rn[i];
      }
  for (int a = -k_images; a <= k_images; ++a)
    for (int b = -k_images; b <= k_images; ++b)
      for (int c = -k_images; c <= k_images; ++c) {
        if (a == 0 && b == 0 && c == 0) continue;
        const vec3<double> k{2 * pi * a / side, 2 * pi * b / side, 2 * pi * c / side};
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        const double f = std::exp(-k2 / (4 * alpha * alpha)) / k2 * std::sin(k[0] * r[0] + k[1] * r[1] + k[2] * r[2]);
        for (int i = 0; i < 3; ++i) acc[i] -= f * k[i];
      }
  return acc;
}

double norm(const vec3<double>& v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }


TEST_CASE("the Ewald reference is converged and tends to the bare force near the source" *
          doctest::test_suite("physics")) {
  const double side = 100.0;
  const double volume = side * side * side;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g;
  for (int t = 0; t < 20; ++t) {
    vec3<double> dir{g(rng), g(rng), g(rng)};
    const double n = norm(dir);
    const double r = side * (0.05 + 0.45 * t / 20.0);
    const vec3<double> sep{dir[0] / n * r, dir[1] / n * r, dir[2] / n * r};
    const auto a2 = ewald_acceleration(sep, side, 2.0 / side);
    const auto a3 = ewald_acceleration(sep, side, 3.0 / side);
    const vec3<double> diff{a2[0] - a3[0], a2[1] - a3[1], a2[2] - a3[2]};
    CHECK(norm(diff) < 1e-6 * norm(a2));  // independent of the split: converged
  }
  for (const double r : {0.001, 0.01}) {
    const vec3<double> sep{r * side * 0.6, r * side * 0.0, r * side * 0.8};
    const auto a = ewald_acceleration(sep, side, 2.0 / side);
    const double d = norm(sep);
    for (int i = 0; i < 3; ++i) {
      const double bare = -volume / (4 * std::numbers::pi) * sep[i] / (d * d * d) + sep[i] / 3.0;
      CHECK(a[i] == doctest::Approx(bare).epsilon(1e-7).scale(volume / (d * d)));
    }
  }
}

struct error_table {
  static constexpr int bins = 7;
  static constexpr double edges[bins + 1] = {1, 2, 3, 4, 6, 8, 12, 16};  // mesh cells (16 = L/4)
  double sum2[bins] = {};
  int count[bins] = {};
  double rms(int bin) const { return std::sqrt(sum2[bin] / count[bin]); }
  /// rms over all bins from `first` on.
  double rms_from(int first) const {
    double s = 0;
    int c = 0;
    for (int b = first; b < bins; ++b) s += sum2[b], c += count[b];
    return std::sqrt(s / c);
  }
};

template <class A>
error_table point_source_errors(force::gradient grad, bool deconvolve,
                                force::greens_function greens = force::greens_function::exact, double diameter = 3.0,
                                bool interlace = false) {
  const double side = 100.0;
  const std::size_t ng = 64;
  const double cell = side / static_cast<double>(ng);
  const box b{.side_mpc_h = side, .particles_1d = 2};
  force::particle_mesh<A, double> pm(b, force::pm_options{.grid_1d = ng, .greens = greens, .grad = grad,
                                                          .deconvolve = deconvolve, .interlace = interlace,
                                                          .optimal_diameter_cells = diameter});
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g;
  error_table table;
  const double r_min = error_table::edges[0], r_max = error_table::edges[error_table::bins];
  for (int source = 0; source < 4; ++source) {
    const vec3<double> x0{u(rng) * side, u(rng) * side, u(rng) * side};
    const std::vector<vec3<double>> sources(b.particle_count(), x0);
    std::vector<vec3<double>> probes, seps;
    for (int t = 0; t < 600; ++t) {
      vec3<double> dir{g(rng), g(rng), g(rng)};
      const double n = norm(dir);
      const double r = cell * r_min * std::pow(r_max / r_min, u(rng));
      const vec3<double> sep{dir[0] / n * r, dir[1] / n * r, dir[2] / n * r};
      seps.push_back(sep);
      probes.push_back({wrap_periodic(x0[0] + sep[0], side), wrap_periodic(x0[1] + sep[1], side),
                        wrap_periodic(x0[2] + sep[2], side)});
    }
    std::vector<vec3<double>> acc(probes.size());
    pm.accelerations_at(sources, probes, acc);
    for (std::size_t t = 0; t < probes.size(); ++t) {
      const auto ref = ewald_acceleration(seps[t], side, 2.0 / side);
      const vec3<double> diff{acc[t][0] - ref[0], acc[t][1] - ref[1], acc[t][2] - ref[2]};
      const double rel = norm(diff) / norm(ref);
      const double r = norm(seps[t]) / cell;
      int bin = 0;
      while (bin + 1 < error_table::bins && r >= error_table::edges[bin + 1]) ++bin;
      table.sum2[bin] += rel * rel;
      ++table.count[bin];
    }
  }
  if (greens == force::greens_function::optimal) {
    std::printf("PM %s%s, 64^3, %s gradient, optimal influence function (S2, a = %g cells): rms relative force error by r/cell\n ",
                std::string(A::name).c_str(), interlace ? " interlaced" : "",
                grad == force::gradient::spectral ? "spectral" : "4-point", diameter);
  } else {
    std::printf("PM %s%s, 64^3, %s gradient, %s: rms relative force error by r/cell\n ", std::string(A::name).c_str(),
                interlace ? " interlaced" : "", grad == force::gradient::spectral ? "spectral" : "4-point",
                deconvolve ? "deconvolved" : "no deconvolution");
  }
  for (int bin = 0; bin < error_table::bins; ++bin) {
    std::printf(" [%g,%g) %.4f", error_table::edges[bin], error_table::edges[bin + 1], table.rms(bin));
  }
  std::printf("\n");
  return table;
}

}  // namespace

TEST_CASE_TEMPLATE("PM force of a point source against Ewald" * doctest::test_suite("physics"), A, mesh::cic,
                   mesh::tsc) {
  for (const auto grad : {force::gradient::spectral, force::gradient::finite_difference_4}) {
    for (const bool deconvolve : {true, false}) {
      const auto table = point_source_errors<A>(grad, deconvolve);
      for (int bin = 0; bin < error_table::bins; ++bin) CHECK(table.count[bin] > 100);
      if (grad != force::gradient::finite_difference_4 || deconvolve) continue;
      // Bins 2.. are r ≥ 3 cells: [3,4) [4,6) [6,8) [8,12) [12,16).
      if constexpr (std::is_same_v<A, mesh::tsc>) {
        CHECK(table.rms(2) <= 0.03);
        CHECK(table.rms(3) <= 0.01);
        for (int bin = 4; bin < error_table::bins; ++bin) CHECK(table.rms(bin) <= 0.005);
        CHECK(table.rms_from(2) <= 0.01);
      } else {
        CHECK(table.rms(2) <= 0.06);
        CHECK(table.rms(3) <= 0.03);
        CHECK(table.rms(4) <= 0.015);
        for (int bin = 5; bin < error_table::bins; ++bin) CHECK(table.rms(bin) <= 0.01);
      }
    }
  }
}

TEST_CASE_TEMPLATE("optimal influence function: point-source force against Ewald" * doctest::test_suite("physics"),
                   A, mesh::cic, mesh::tsc) {
  // Hockney & Eastwood's optimal Γ(k) for an S2 reference of diameter 3 cells (Newtonian beyond
  // it). Measured (64³, 2400 probes): with the spectral gradient TSC is within 1 % rms from 3
  // cells on; CIC keeps ≈ 4 % at 3–4 cells whatever the Green's function (its position-
  // dependent error at that range is the floor; TSC or larger separations are needed for 1 %).
  const auto fd4 = point_source_errors<A>(force::gradient::finite_difference_4, true, force::greens_function::optimal, 3.0);
  const auto spectral = point_source_errors<A>(force::gradient::spectral, true, force::greens_function::optimal, 3.0);
  for (int bin = 0; bin < error_table::bins; ++bin) CHECK(spectral.count[bin] > 100);
  if constexpr (std::is_same_v<A, mesh::tsc>) {
    CHECK(spectral.rms(2) <= 0.015);
    CHECK(spectral.rms_from(2) <= 0.01);
    for (int bin = 3; bin < error_table::bins; ++bin) CHECK(spectral.rms(bin) <= 0.005);
    CHECK(fd4.rms_from(3) <= 0.01);
  } else {
    CHECK(spectral.rms(2) <= 0.05);
    CHECK(spectral.rms(3) <= 0.02);
    for (int bin = 4; bin < error_table::bins; ++bin) CHECK(spectral.rms(bin) <= 0.01);
    CHECK(fd4.rms(3) <= 0.025);
  }
}

TEST_CASE_TEMPLATE("interlaced PM: point-source force against Ewald" * doctest::test_suite("physics"), A, mesh::cic,
                   mesh::tsc) {
  // pm_options.interlace: deposit and interpolation on two meshes offset by Δ/2 (1,1,1),
  // averaged (the odd aliasing images cancel). Measured (64³, 2400 probes), rms over r ≥ 3 cells:
  //   optimal influence (a = 3.5 cells), spectral gradient: CIC 0.39 % (plain 1.76 %),
  //     TSC 0.06 % (plain 0.37 %); with the 4-point gradient: CIC 0.98 %, TSC 0.90 %;
  //   exact 1/k², no deconvolution: CIC 1.9 % (4-point; plain 2.2 %), 5 % (spectral);
  //   exact 1/k² with W⁻² deconvolution: 20 % (4-point) and 55 % (spectral) at every r.
  // Interlacing keeps the images with n_x + n_y + n_z even, whose union is not periodic over the
  // mesh's Brillouin cube, so a kernel that does not vanish at the cube faces leaves a long-range
  // error that grows with r (hugely so once W⁻² lifts the faces); the optimal influence function,
  // computed for the interlaced window, is small there. The foundation requirement "CIC ≤ 1 % rms
  // for r ≥ 3 cells" is therefore met by CIC + interlace + optimal influence (a = 3.5) + spectral.
  const auto accurate =
      point_source_errors<A>(force::gradient::spectral, true, force::greens_function::optimal, 3.5, true);
  const auto plain = point_source_errors<A>(force::gradient::spectral, true, force::greens_function::optimal, 3.5, false);
  const auto fd4 =
      point_source_errors<A>(force::gradient::finite_difference_4, true, force::greens_function::optimal, 3.5, true);
  const auto exact_fd4 =
      point_source_errors<A>(force::gradient::finite_difference_4, false, force::greens_function::exact, 3.0, true);
  const auto exact_deconvolved =
      point_source_errors<A>(force::gradient::spectral, true, force::greens_function::exact, 3.0, true);
  for (int bin = 0; bin < error_table::bins; ++bin) CHECK(accurate.count[bin] > 100);
  std::printf("rms over r >= 3 cells: interlaced optimal spectral %.4f (plain %.4f), 4-point %.4f; exact 4-point %.4f, "
              "exact deconvolved spectral %.4f\n",
              accurate.rms_from(2), plain.rms_from(2), fd4.rms_from(2), exact_fd4.rms_from(2),
              exact_deconvolved.rms_from(2));
  // Bins 2.. are r ≥ 3 cells: [3,4) [4,6) [6,8) [8,12) [12,16).
  CHECK(accurate.rms_from(2) <= 0.01);  // the requirement
  CHECK(accurate.rms_from(2) <= 0.5 * plain.rms_from(2));
  CHECK(fd4.rms_from(2) <= 0.012);
  if constexpr (std::is_same_v<A, mesh::cic>) {
    CHECK(accurate.rms(2) <= 0.012);  // measured 0.0079, 0.0038, 0.0019, 0.0011, 0.0007
    CHECK(accurate.rms(3) <= 0.006);
    for (int bin = 4; bin < error_table::bins; ++bin) CHECK(accurate.rms(bin) <= 0.003);
    CHECK(accurate.rms_from(2) <= 0.006);
  } else {
    for (int bin = 2; bin < error_table::bins; ++bin) CHECK(accurate.rms(bin) <= 0.0015);  // measured ≤ 0.0008
  }
  // The kernel-discontinuity floor of plain W⁻² with interlacing (see above): asserted so that a
  // change in it is noticed.
  CHECK(exact_deconvolved.rms_from(2) >= 0.1);
}
