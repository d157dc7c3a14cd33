// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file sheet.hpp
/// source::sheet: the Lagrangian sheet as the source of gravity (docs/physics.md §15; Abel, Hahn
/// & Kaehler 2012; Hahn, Abel & Kaehler 2013; the spectral resampling of the DISCO-DJ code,
/// List, Hahn et al.). Cold dark matter fills a 3D sheet x(q) in phase space; the particles
/// sample it on the Lagrangian grid. The sheet is resampled between them: the displacement
/// Ψ(q) = x(q) − q (minimum image) is Fourier transformed on the Lagrangian grid, shifted by
/// d Δq to the centres of the n³ sub-cells of each particle's own Lagrangian cell,
/// d ∈ {(i + ½)/n − ½ : i = 0 … n − 1}³ (±¼ for n = 2), with the band-limited interpolant
///     Ψ(q + dΔq) = IFFT[ Ψ̂(k) e^{i k·d Δq} ],
/// and each of the n³ shifted copies x' = q + dΔq + Ψ(q + dΔq) is deposited with mass 1/n³ of a
/// particle. The copies are deposited one at a time, so the
/// memory is the three displacement transforms, one work field and one copy of the positions:
/// about 30 B per particle in float.
///
/// Where the sheet is no longer single-stream the band-limited interpolant rings and puts mass
/// between the streams. Criterion, per particle: the Jacobian det(∂x/∂q) by central differences
/// of its neighbours' positions (minimum image), J_cd = [x_c(q + e_d) − x_c(q − e_d)] / 2Δq,
/// which spans the particle's own Lagrangian cell (where its samples lie); the particle is
/// multi-stream when det J ≤ 0. (Also flagging the neighbours of such particles, or the corners
/// of a forward cell, flags about twice as many, 32 % instead of 14 % at z = 1 in
/// examples/sheet_vs_particles, and brings back their discreteness.) Policies
/// (source_options::policy): global_switch (default) deposits the particles alone once the
/// multi-stream fraction exceeds switch_threshold; blend deposits the n³ sheet samples of
/// single-stream particles and the multi-stream particles themselves, each particle carrying its
/// whole mass either way (exact mass conservation); sheet_everywhere never switches.
///
/// Interpolant (source_options::interpolant): `fourier` (default) as above, or `trilinear`:
/// x(q + dΔq) = Σ w_m x_m over the 8 particles at the corners of the Lagrangian cell holding
/// q + dΔq, with trilinear weights w_m ≥ 0. It is exact only for an affine sheet (second-order
/// error in Δq elsewhere), but every sample stays inside the element its corners span, folded or
/// not: it does not ring after shell crossing (the hexahedral analogue of the tetrahedra of Abel,
/// Hahn & Kaehler 2012). It interpolates Ψ (minimum image, continuous across the box), needs no
/// FFTs, and keeps one copy of Ψ (12 B per particle in float) instead of the Fourier fields.
///
/// Nyquist planes: the shifted transform of an even grid is not Hermitian on its Nyquist
/// planes; the c2r transform keeps their real part, as DISCO-DJ's irfftn does.
///
/// Cost per deposit: 3 forward and 3(n³ − 1) inverse FFTs of the Lagrangian grid and n³ (+1)
/// deposits. Preconditions: one position per particle of the box, in particle-id order (the
/// simulation keeps them so), displacements below L/2.

#include <omp.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <string_view>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/source/options.hpp"

namespace lagframe::source {

struct sheet {
  static constexpr std::string_view name = "sheet";

  template <mesh::mass_assignment Assignment, class Real>
  class depositor {
   public:
    depositor(const box& b, const source_options& o) : box_(b), opt_(o) {
      b.validate();
      o.validate();
      if (o.interpolant == sheet_interpolant::fourier) {
        // The Fourier shift's plan and fields (the trilinear interpolant needs neither).
        const std::size_t n = b.particles_1d;
        plan_ = fft::r2c_plan<Real>(n);
        for (auto& f : psi_) f = real_field<Real>(n, b.side_mpc_h);
        work_ = real_field<Real>(n, b.side_mpc_h);
      }
    }

    /// Adds the sheet's mass (mass per particle) to grid (see the file comment).
    void deposit(std::span<const vec3<Real>> x, Real mass, real_field<Real>& grid, const vec3<double>& shift) {
      const std::size_t np = box_.particle_count();
      require(x.size() == np, "sheet source: number of positions", x.size(),
              lagframe::detail::concat("one per particle of the ", box_.particles_1d,
                                       "^3 Lagrangian grid, in particle-id order"));
      flag_multistream(x);
      const std::size_t r = opt_.resample;
      bool use_sheet = r > 1;
      if (opt_.policy == multistream_policy::global_switch && multistream_fraction_ > opt_.switch_threshold) {
        use_sheet = false;
      }
      used_sheet_ = use_sheet;
      if (!use_sheet) {
        mesh::deposit<Assignment>(x, mass, grid, workspace_, shift);
        return;
      }
      const bool blend = opt_.policy == multistream_policy::blend;
      // Multi-stream particles (blend): the particle itself, with its whole mass.
      if (blend && multistream_count_ > 0) {
        samples_.clear();
        for (std::size_t i = 0; i < np; ++i)
          if (multistream_[i] != 0) samples_.push_back(x[i]);
        mesh::deposit<Assignment>(std::span<const vec3<Real>>(samples_), mass, grid, workspace_, shift);
      }
      prepare_displacements(x);
      const auto sample_mass = static_cast<Real>(static_cast<double>(mass) / static_cast<double>(r * r * r));
      for (std::size_t s = 0; s < r * r * r; ++s) {
        const auto d = sample_offset(s, r);
        make_samples(x, d, blend, true);
        mesh::deposit<Assignment>(std::span<const vec3<Real>>(samples_), sample_mass, grid, workspace_, shift);
      }
    }

    /// The deposit's sort buffers (scratch between deposits; force::particle_mesh lends them).
    mesh::deposit_workspace& workspace() { return workspace_; }

    /// The sheet at q + dΔq for every particle (d in units of the Lagrangian spacing, each
    /// component in [0, 1)), in particle-id order: the band-limited resampling the deposit uses,
    /// for analyses and tests. Valid until the next call.
    const std::vector<vec3<Real>>& sheet_at(std::span<const vec3<Real>> x, const std::array<double, 3>& d) {
      require(x.size() == box_.particle_count(), "sheet source: number of positions", x.size(),
              "one per particle of the Lagrangian grid, in particle-id order");
      prepare_displacements(x);
      multistream_count_ = 0;
      make_samples(x, d, false, true);
      return samples_;
    }

    /// A per-particle vector field (e.g. the momenta), given in particle-id order, interpolated
    /// band-limited to q + dΔq for every particle: the sheet's own value of the field there.
    /// Valid until the next call.
    const std::vector<vec3<Real>>& field_at(std::span<const vec3<Real>> values, const std::array<double, 3>& d) {
      require(values.size() == box_.particle_count(), "sheet source: number of values", values.size(),
              "one per particle of the Lagrangian grid, in particle-id order");
      const std::size_t n = box_.particles_1d;
      for (int c = 0; c < 3 && !trilinear(); ++c) {
        real_field<Real>& f = psi_[c];
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = 0; k < n; ++k) f(i, j, k) = values[(i * n + j) * n + k][c];
        plan_.forward(f);
      }
      multistream_count_ = 0;
      make_samples(values, d, false, false);
      return samples_;
    }

    /// Flag the multi-stream particles of `x` (the policy's criterion) without depositing.
    std::span<const std::uint8_t> classify(std::span<const vec3<Real>> x) {
      require(x.size() == box_.particle_count(), "sheet source: number of positions", x.size(),
              "one per particle of the Lagrangian grid, in particle-id order");
      flag_multistream(x);
      return multistream_;
    }

    /// Offset of sample s (of n³) from its particle, in Lagrangian spacings: the centres of the
    /// n³ sub-cells of the particle's own Lagrangian cell, (i + ½)/n − ½ per axis (±¼ for n = 2;
    /// 0 for n = 1: the particle itself).
    static std::array<double, 3> sample_offset(std::size_t s, std::size_t n) {
      const auto at = [n](std::size_t i) { return (static_cast<double>(i) + 0.5) / static_cast<double>(n) - 0.5; };
      return {at(s / (n * n)), at((s / n) % n), at(s % n)};
    }

    /// Fraction of the particles flagged multi-stream by the last deposit.
    [[nodiscard]] double multistream_fraction() const { return multistream_fraction_; }
    /// Whether the last deposit used the sheet (false after a global switch to particles).
    [[nodiscard]] bool used_sheet() const { return used_sheet_; }
    [[nodiscard]] std::span<const std::uint8_t> multistream_flags() const { return multistream_; }

   private:
    /// Minimum-image difference a − b of two coordinates.
    static double nearest(double a, double b, double side) {
      double d = a - b;
      d -= side * std::round(d / side);
      return d;
    }

    /// A coordinate in [−L, 2L) taken into [0, L) as Real (no libm call); a value that rounds
    /// to L becomes 0, as in wrap_periodic.
    static Real wrapped_once(double v, double side) {
      v += (v < 0.0 ? side : 0.0) - (v >= side ? side : 0.0);
      const auto r = static_cast<Real>(v);
      return r >= static_cast<Real>(side) ? Real(0) : r;
    }

    /// det(∂x/∂q) ≤ 0 at the particle or a neighbour → multi-stream (see the file comment).
    void flag_multistream(std::span<const vec3<Real>> x) {
      const auto n = static_cast<long>(box_.particles_1d);
      const std::size_t np = box_.particle_count();
      const double side = box_.side_mpc_h;
      const double inv_2dq = 0.5 / box_.lagrangian_spacing();
      crossed_.assign(np, 0);
      multistream_.assign(np, 0);
      const auto id = [n](long i, long j, long k) {
        const auto w = [n](long v) { return static_cast<std::size_t>(((v % n) + n) % n); };
        return (w(i) * static_cast<std::size_t>(n) + w(j)) * static_cast<std::size_t>(n) + w(k);
      };
      if (opt_.policy == multistream_policy::sheet_everywhere) {
        multistream_count_ = 0;
        multistream_fraction_ = 0;
        return;
      }
#pragma omp parallel for schedule(static)
      for (long i = 0; i < n; ++i)
        for (long j = 0; j < n; ++j)
          for (long k = 0; k < n; ++k) {
            double jac[3][3];
            const std::size_t plus[3] = {id(i + 1, j, k), id(i, j + 1, k), id(i, j, k + 1)};
            const std::size_t minus[3] = {id(i - 1, j, k), id(i, j - 1, k), id(i, j, k - 1)};
            for (int dir = 0; dir < 3; ++dir)
              for (int c = 0; c < 3; ++c)
                jac[c][dir] = nearest(static_cast<double>(x[plus[dir]][c]), static_cast<double>(x[minus[dir]][c]), side) *
                              inv_2dq;
            const double det = jac[0][0] * (jac[1][1] * jac[2][2] - jac[1][2] * jac[2][1]) -
                               jac[0][1] * (jac[1][0] * jac[2][2] - jac[1][2] * jac[2][0]) +
                               jac[0][2] * (jac[1][0] * jac[2][1] - jac[1][1] * jac[2][0]);
            crossed_[id(i, j, k)] = det <= 0.0 ? 1 : 0;
          }
      std::size_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count)
      for (long i = 0; i < n; ++i)
        for (long j = 0; j < n; ++j)
          for (long k = 0; k < n; ++k) {
            const std::uint8_t m = crossed_[id(i, j, k)];
            multistream_[id(i, j, k)] = m;
            count += m;
          }
      multistream_count_ = count;
      multistream_fraction_ = static_cast<double>(count) / static_cast<double>(np);
    }

    /// psi_[c] ← the Fourier modes of Ψ_c (minimum image), unnormalised.
    void transform_displacements(std::span<const vec3<Real>> x) {
      const std::size_t n = box_.particles_1d;
      const double side = box_.side_mpc_h;
      for (int c = 0; c < 3; ++c) {
        real_field<Real>& f = psi_[c];
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = 0; k < n; ++k) {
              const std::size_t p = (i * n + j) * n + k;
              const auto q = box_.lagrangian_position<double>(p);
              f(i, j, k) = static_cast<Real>(nearest(static_cast<double>(x[p][c]), q[c], side));
            }
        plan_.forward(f);
      }
    }

    /// What the interpolant reads: Ψ itself (trilinear) or its Fourier modes.
    void prepare_displacements(std::span<const vec3<Real>> x) {
      if (trilinear()) {
        unwrap_displacements(x);
      } else {
        transform_displacements(x);
      }
    }

    /// displacement_ ← Ψ = x − q of every particle, to the nearest periodic image (the field the
    /// trilinear sheet interpolates: continuous across the box, unlike x).
    void unwrap_displacements(std::span<const vec3<Real>> x) {
      const std::size_t n = box_.particles_1d;
      const double side = box_.side_mpc_h, dq = box_.lagrangian_spacing();
      displacement_.resize(box_.particle_count());
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < n; ++k) {
            const std::size_t p = (i * n + j) * n + k;
            const double q[3] = {static_cast<double>(i) * dq, static_cast<double>(j) * dq, static_cast<double>(k) * dq};
            for (int c = 0; c < 3; ++c)
              displacement_[p][c] = static_cast<Real>(nearest(static_cast<double>(x[p][c]), q[c], side));
          }
    }

    /// samples_ ← the trilinear sheet at q + dΔq for every single-stream particle (all with
    /// !blend): per axis the Lagrangian neighbours at ⌊d⌋ and ⌊d⌋ + 1 with weights 1 − t and t
    /// (t = d − ⌊d⌋), applied to the displacements (`positions`: displacement_ must hold them,
    /// unwrap_displacements; the sample is q + dΔq + Σ w Ψ, wrapped) or to the values `x` of a
    /// per-particle field.
    void make_trilinear_samples(std::span<const vec3<Real>> x, const std::array<double, 3>& d, bool blend, bool positions) {
      const std::size_t n = box_.particles_1d;
      const std::size_t np = box_.particle_count();
      const double side = box_.side_mpc_h, dq = box_.lagrangian_spacing();
      const std::span<const vec3<Real>> source = positions ? std::span<const vec3<Real>>(displacement_) : x;
      samples_.resize(np);
      // Per axis: the wrapped grid indices of the cell's corners at ⌊d⌋ and ⌊d⌋ + 1 from each
      // index (no division in the loop), and the weights 1 − t, t; the 8 corner weights.
      std::vector<std::size_t> corner_index[3][2];
      double weight[8];
      double t[3];
      for (int a = 0; a < 3; ++a) {
        const auto lo = static_cast<long>(std::floor(d[a]));
        t[a] = d[a] - static_cast<double>(lo);
        const auto ln = static_cast<long>(n);
        for (int c = 0; c < 2; ++c) {
          corner_index[a][c].resize(n);
          for (std::size_t i = 0; i < n; ++i)
            corner_index[a][c][i] = static_cast<std::size_t>((((static_cast<long>(i) + lo + c) % ln) + ln) % ln);
        }
      }
      for (int corner = 0; corner < 8; ++corner) {
        const int ci = (corner >> 2) & 1, cj = (corner >> 1) & 1, ck = corner & 1;
        weight[corner] = (ci ? t[0] : 1.0 - t[0]) * (cj ? t[1] : 1.0 - t[1]) * (ck ? t[2] : 1.0 - t[2]);
      }
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          const std::size_t plane[2] = {corner_index[0][0][i] * n * n, corner_index[0][1][i] * n * n};
          const std::size_t row[2] = {corner_index[1][0][j] * n, corner_index[1][1][j] * n};
          const double qx = (static_cast<double>(i) + d[0]) * dq, qy = (static_cast<double>(j) + d[1]) * dq;
          for (std::size_t k = 0; k < n; ++k) {
            const std::size_t p = (i * n + j) * n + k;
            const std::size_t column[2] = {corner_index[2][0][k], corner_index[2][1][k]};
            // Three scalar accumulators (an array here stays in memory and halves the speed).
            double ax = 0, ay = 0, az = 0;
            for (int corner = 0; corner < 8; ++corner) {
              const std::size_t m = plane[(corner >> 2) & 1] + row[(corner >> 1) & 1] + column[corner & 1];
              const double w = weight[corner];
              ax += w * static_cast<double>(source[m][0]);
              ay += w * static_cast<double>(source[m][1]);
              az += w * static_cast<double>(source[m][2]);
            }
            if (positions) {
              const double qz = (static_cast<double>(k) + d[2]) * dq;
              samples_[p] = {wrapped_once(qx + ax, side), wrapped_once(qy + ay, side), wrapped_once(qz + az, side)};
            } else {
              samples_[p] = {static_cast<Real>(ax), static_cast<Real>(ay), static_cast<Real>(az)};
            }
          }
        }
      if (blend && multistream_count_ > 0) keep_single_stream_samples();
    }

    /// Keep the single-stream particles' samples only, in particle order (deterministic).
    void keep_single_stream_samples() {
      const std::size_t np = samples_.size();
      std::size_t kept = 0;
      for (std::size_t p = 0; p < np; ++p) {
        samples_[kept] = samples_[p];
        kept += multistream_[p] == 0 ? 1 : 0;
      }
      samples_.resize(kept);
    }

    [[nodiscard]] bool trilinear() const { return opt_.interpolant == sheet_interpolant::trilinear; }

    /// samples_ ← the sheet at q + dΔq for every single-stream particle (all with !blend), with
    /// the options' interpolant.
    void make_samples(std::span<const vec3<Real>> x, const std::array<double, 3>& d, bool blend, bool positions) {
      if (trilinear()) {
        make_trilinear_samples(x, d, blend, positions);
      } else {
        make_fourier_samples(x, d, blend, positions);
      }
    }

    /// samples_ ← the band-limited sheet at q + dΔq for every single-stream particle (all with
    /// !blend): d = 0 the particles themselves, otherwise the band-limited shift of Ψ
    /// (positions) or of the transformed field itself (!positions: psi_ holds the field's modes).
    void make_fourier_samples(std::span<const vec3<Real>> x, const std::array<double, 3>& d, bool blend, bool positions) {
      const std::size_t n = box_.particles_1d;
      const std::size_t np = box_.particle_count();
      const auto side = static_cast<Real>(box_.side_mpc_h);
      const double dq = box_.lagrangian_spacing();
      samples_.resize(np);
      const bool origin = d[0] == 0.0 && d[1] == 0.0 && d[2] == 0.0;
      if (origin) {
#pragma omp parallel for schedule(static)
        for (std::size_t p = 0; p < np; ++p) samples_[p] = x[p];
      } else {
        // Per-axis phases e^{i k d Δq} = e^{2πi m d / N} of the signed frequency m.
        std::vector<std::complex<double>> phase[3];
        for (int a = 0; a < 3; ++a) {
          phase[a].resize(n);
          for (std::size_t i = 0; i < n; ++i)
            phase[a][i] = std::polar(1.0, 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) * d[a] /
                                              static_cast<double>(n));
        }
        const double norm = 1.0 / (static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n));
        for (int c = 0; c < 3; ++c) {
          const std::size_t nz = work_.complex_last();
#pragma omp parallel for schedule(static)
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              const std::complex<double> pij = phase[0][i] * phase[1][j] * norm;
              for (std::size_t l = 0; l < nz; ++l)
                work_.mode(i, j, l) = std::complex<Real>(std::complex<double>(psi_[c].mode(i, j, l)) * pij * phase[2][l]);
            }
          plan_.backward(work_);
#pragma omp parallel for schedule(static)
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
              for (std::size_t k = 0; k < n; ++k) {
                const std::size_t p = (i * n + j) * n + k;
                if (!positions) {
                  samples_[p][c] = work_(i, j, k);
                  continue;
                }
                const double q = static_cast<double>(c == 0 ? i : c == 1 ? j : k) * dq;
                samples_[p][c] = wrap_periodic(static_cast<Real>(q + d[c] * dq + static_cast<double>(work_(i, j, k))), side);
              }
        }
      }
      if (blend && multistream_count_ > 0) keep_single_stream_samples();
    }

    box box_;
    source_options opt_;
    fft::r2c_plan<Real> plan_;
    real_field<Real> psi_[3];
    real_field<Real> work_;
    std::vector<vec3<Real>> samples_;
    std::vector<vec3<Real>> displacement_;  // trilinear: Ψ of every particle (minimum image)
    std::vector<std::uint8_t> crossed_, multistream_;
    std::size_t multistream_count_ = 0;
    double multistream_fraction_ = 0;
    bool used_sheet_ = false;
    mesh::deposit_workspace workspace_;
  };
};

}  // namespace lagframe::source
