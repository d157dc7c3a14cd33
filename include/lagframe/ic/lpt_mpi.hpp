// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lpt_mpi.hpp
/// The initial conditions of ic/gaussian_field.hpp and ic/lpt.hpp computed over MPI ranks with
/// FFTW's MPI transforms (slabs of the first axis), so the IC step scales past one machine:
/// white noise (the same seed → field contract, white_noise.hpp), δ0, ψ1 and ψ2 with the same
/// Fourier kernels (detail::lpt_kernels) and the same order of operations as the serial
/// generator; each rank holds one slab of every field (1/size of the memory of the transforms).
/// Needs <mpi.h> and <fftw3-mpi.h> (Debian: libopenmpi-dev, libfftw3-mpi-dev; CMake target
/// lagframe::fftw_mpi).
///
/// lpt_displacements_mpi() then gathers the fields onto every rank (sCOLA tiles need arbitrary
/// regions of them). Reproducibility: FFTW_ESTIMATE plans, one thread per rank. Measured
/// (tests/mpi/lpt_mpi.cpp, 1, 2 and 3 ranks, 17³ to 64³, float and double): bit-identical to
/// the serial generator and across rank counts (the one-dimensional transforms along each axis
/// are the same codelets whatever the slab sizes); the test tolerates rounding differences
/// (1e-12 double, 2e-6 float of the rms displacement) but requires identical fields across rank
/// counts.

#include <fftw3-mpi.h>
#include <mpi.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <mutex>
#include <numbers>
#include <type_traits>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/gaussian_field.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/ic/white_noise.hpp"

namespace lagframe::ic {

namespace detail {

template <class Real>
struct fftw_mpi_api;

template <>
struct fftw_mpi_api<double> {
  using plan = fftw_plan;
  using complex = fftw_complex;
  static void init() { fftw_mpi_init(); }
  static std::ptrdiff_t local_size(std::ptrdiff_t n, MPI_Comm comm, std::ptrdiff_t* n0, std::ptrdiff_t* start) {
    return fftw_mpi_local_size_3d(n, n, n / 2 + 1, comm, n0, start);
  }
  static plan r2c(std::ptrdiff_t n, double* in, complex* out, MPI_Comm comm) {
    return fftw_mpi_plan_dft_r2c_3d(n, n, n, in, out, comm, FFTW_ESTIMATE);
  }
  static plan c2r(std::ptrdiff_t n, complex* in, double* out, MPI_Comm comm) {
    return fftw_mpi_plan_dft_c2r_3d(n, n, n, in, out, comm, FFTW_ESTIMATE);
  }
  static void exec_r2c(plan p, double* in, complex* out) { fftw_mpi_execute_dft_r2c(p, in, out); }
  static void exec_c2r(plan p, complex* in, double* out) { fftw_mpi_execute_dft_c2r(p, in, out); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
  static void nthreads() { fftw_plan_with_nthreads(1); }
};

template <>
struct fftw_mpi_api<float> {
  using plan = fftwf_plan;
  using complex = fftwf_complex;
  static void init() { fftwf_mpi_init(); }
  static std::ptrdiff_t local_size(std::ptrdiff_t n, MPI_Comm comm, std::ptrdiff_t* n0, std::ptrdiff_t* start) {
    return fftwf_mpi_local_size_3d(n, n, n / 2 + 1, comm, n0, start);
  }
  static plan r2c(std::ptrdiff_t n, float* in, complex* out, MPI_Comm comm) {
    return fftwf_mpi_plan_dft_r2c_3d(n, n, n, in, out, comm, FFTW_ESTIMATE);
  }
  static plan c2r(std::ptrdiff_t n, complex* in, float* out, MPI_Comm comm) {
    return fftwf_mpi_plan_dft_c2r_3d(n, n, n, in, out, comm, FFTW_ESTIMATE);
  }
  static void exec_r2c(plan p, float* in, complex* out) { fftwf_mpi_execute_dft_r2c(p, in, out); }
  static void exec_c2r(plan p, complex* in, float* out) { fftwf_mpi_execute_dft_c2r(p, in, out); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
  static void nthreads() { fftwf_plan_with_nthreads(1); }
};

/// One rank's slab of an n³ field in FFTW's in-place r2c MPI layout: real node (i, j, k) of
/// the slab (global first index start + i) at (i·n + j)·2(n/2+1) + k; Fourier element
/// (i, j, k) at (i·n + j)·(n/2+1) + k of the complex view.
template <class Real>
struct mpi_slab {
  std::size_t n = 0, local_n0 = 0, start = 0;
  std::vector<Real> data;
  [[nodiscard]] std::size_t padded() const { return 2 * (n / 2 + 1); }
  [[nodiscard]] std::size_t complex_last() const { return n / 2 + 1; }
  Real& at(std::size_t i, std::size_t j, std::size_t k) { return data[(i * n + j) * padded() + k]; }
  std::complex<Real>* modes() { return reinterpret_cast<std::complex<Real>*>(data.data()); }
  const std::complex<Real>* modes() const { return reinterpret_cast<const std::complex<Real>*>(data.data()); }
};

/// The r2c/c2r MPI plans of one slab decomposition (made once, executed on any slab of it).
template <class Real>
class mpi_r2c_plan {
  using api = fftw_mpi_api<Real>;

 public:
  mpi_r2c_plan(std::size_t n, MPI_Comm comm) : n_(n) {
    fft::detail::init_threads_once();
    std::lock_guard lock(fft::detail::planner_mutex());
    api::init();
    std::ptrdiff_t local_n0 = 0, start = 0;
    alloc_ = static_cast<std::size_t>(api::local_size(static_cast<std::ptrdiff_t>(n), comm, &local_n0, &start));
    local_n0_ = static_cast<std::size_t>(local_n0);
    start_ = static_cast<std::size_t>(start);
    std::vector<Real> scratch(2 * alloc_ + 2);
    api::nthreads();
    auto* cplx = reinterpret_cast<typename api::complex*>(scratch.data());
    forward_ = api::r2c(static_cast<std::ptrdiff_t>(n), scratch.data(), cplx, comm);
    backward_ = api::c2r(static_cast<std::ptrdiff_t>(n), cplx, scratch.data(), comm);
    if (forward_ == nullptr || backward_ == nullptr)
      throw error(lagframe::detail::concat("lagframe: FFTW could not plan an MPI ", n, "^3 transform"));
  }
  mpi_r2c_plan(const mpi_r2c_plan&) = delete;
  mpi_r2c_plan& operator=(const mpi_r2c_plan&) = delete;
  ~mpi_r2c_plan() {
    std::lock_guard lock(fft::detail::planner_mutex());
    if (forward_ != nullptr) api::destroy(forward_);
    if (backward_ != nullptr) api::destroy(backward_);
  }
  [[nodiscard]] mpi_slab<Real> make_slab() const {
    return {n_, local_n0_, start_, std::vector<Real>(2 * alloc_ + 2, Real(0))};
  }
  void forward(mpi_slab<Real>& s) const {
    api::exec_r2c(forward_, s.data.data(), reinterpret_cast<typename api::complex*>(s.data.data()));
  }
  void backward(mpi_slab<Real>& s) const {
    api::exec_c2r(backward_, reinterpret_cast<typename api::complex*>(s.data.data()), s.data.data());
  }

 private:
  std::size_t n_ = 0, alloc_ = 0, local_n0_ = 0, start_ = 0;
  typename api::plan forward_ = nullptr;
  typename api::plan backward_ = nullptr;
};

}  // namespace detail

/// ψ1 (and ψ2 for order 2) of the linear field of `power` and `opt` on the grid of `b`, as
/// lpt_displacements(b, linear_density_modes(b, power, opt), order) but computed over the ranks
/// of `comm` with slab-decomposed MPI transforms, then gathered so every rank returns the full
/// fields. Collective: every rank of comm must call it with the same arguments.
template <class Real, class PowerSpectrum>
  requires power_spectrum_callable<PowerSpectrum>
[[nodiscard]] lpt_fields<Real> lpt_displacements_mpi(const box& b, const PowerSpectrum& power,
                                                     const field_options& opt, int order, MPI_Comm comm) {
  b.validate();
  require(order == 1 || order == 2, "LPT order", order, "1 or 2");
  const std::size_t n = b.particles_1d;
  const detail::mpi_r2c_plan<Real> plan(n, comm);
  const std::vector<double> amp = detail::amplitude_table(b, power);
  using idx3 = std::array<std::size_t, 3>;
  const detail::lpt_kernels kernels{n, 2.0 * std::numbers::pi / b.side_mpc_h,
                                    1.0 / static_cast<double>(b.particle_count())};

  // δ0: white noise on this rank's planes, r2c, scaled mode by mode (gaussian_field.hpp).
  auto delta = plan.make_slab();
  const std::size_t n0 = delta.local_n0, i0 = delta.start, nk = delta.complex_last();
  for (std::size_t i = 0; i < n0; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        delta.at(i, j, k) = static_cast<Real>(white_noise(opt.seed, ((i0 + i) * n + j) * n + k));
  plan.forward(delta);
  const double sqrt_cells = std::sqrt(static_cast<double>(b.particle_count()));
  const double sign = opt.inverted ? -1.0 : 1.0;
  {
    auto* m = delta.modes();
    for (std::size_t i = 0; i < n0; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < nk; ++k) {
          auto& v = m[(i * n + j) * nk + k];
          std::complex<double> w(static_cast<double>(v.real()), static_cast<double>(v.imag()));
          if (opt.mode == amplitude::fixed) {
            const double mag = std::abs(w);
            w = mag > 0.0 ? w * (sqrt_cells / mag) : std::complex<double>(sqrt_cells, 0.0);
          }
          w *= sign * amp[detail::mode_norm2(i0 + i, j, k, n)];
          v = std::complex<Real>(static_cast<Real>(w.real()), static_cast<Real>(w.imag()));
        }
  }
  // out = in · kernel(global index), as detail::multiply_modes.
  const auto multiply = [&](const detail::mpi_slab<Real>& in, detail::mpi_slab<Real>& out, const auto& kernel) {
    const auto* src = in.modes();
    auto* dst = out.modes();
    for (std::size_t i = 0; i < n0; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < nk; ++k) {
          const std::size_t e = (i * n + j) * nk + k;
          const std::complex<double> v =
              kernel(idx3{i0 + i, j, k}) * std::complex<double>(static_cast<double>(src[e].real()),
                                                                 static_cast<double>(src[e].imag()));
          dst[e] = std::complex<Real>(static_cast<Real>(v.real()), static_cast<Real>(v.imag()));
        }
  };
  const auto nodes = [&](detail::mpi_slab<Real>& a, detail::mpi_slab<Real>& bb, detail::mpi_slab<Real>& s,
                         const auto& op) {
    for (std::size_t i = 0; i < n0; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < n; ++k) op(a.at(i, j, k), bb.at(i, j, k), s.at(i, j, k));
  };
  std::vector<vec3<Real>> local1(n0 * n * n), local2(order == 2 ? n0 * n * n : 0);
  const auto scatter = [&](detail::mpi_slab<Real>& g, std::vector<vec3<Real>>& psi, std::size_t c) {
    for (std::size_t i = 0; i < n0; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < n; ++k) psi[(i * n + j) * n + k][c] = g.at(i, j, k);
  };
  auto work_a = plan.make_slab();
  for (std::size_t c = 0; c < 3; ++c) {
    multiply(delta, work_a, [&](const idx3& s) { return kernels.gradient_inverse_laplacian(s, c, 1.0); });
    plan.backward(work_a);
    scatter(work_a, local1, c);
  }
  if (order == 2) {
    auto work_b = plan.make_slab();
    auto source = plan.make_slab();
    const auto hessian = [&](std::size_t a, std::size_t c, detail::mpi_slab<Real>& dst) {
      multiply(delta, dst, [&](const idx3& s) { return kernels.hessian(s, a, c); });
      plan.backward(dst);
    };
    // S = φxx φyy + (φxx + φyy) φzz − φxy² − φxz² − φyz² (the serial generator's order).
    hessian(0, 0, work_a);
    hessian(1, 1, work_b);
    nodes(work_a, work_b, source, [](Real& xx, Real& yy, Real& s) {
      s = xx * yy;
      xx += yy;
    });
    hessian(2, 2, work_b);
    nodes(work_a, work_b, source, [](Real& sum, Real& zz, Real& s) { s += sum * zz; });
    for (const auto& [a, c] : {std::array<std::size_t, 2>{0, 1}, std::array<std::size_t, 2>{0, 2},
                               std::array<std::size_t, 2>{1, 2}}) {
      hessian(a, c, work_a);
      nodes(work_a, work_b, source, [](Real& off, Real& /*unused*/, Real& s) { s -= off * off; });
    }
    plan.forward(source);
    for (std::size_t c = 0; c < 3; ++c) {
      multiply(source, work_a, [&](const idx3& s) { return kernels.gradient_inverse_laplacian(s, c, -1.0); });
      plan.backward(work_a);
      scatter(work_a, local2, c);
    }
  }

  // Every rank gets the full fields (slabs are contiguous runs of particle ids).
  int size = 1;
  MPI_Comm_size(comm, &size);
  require(b.particle_count() <= 2147483647ull, "particles for the MPI gather", b.particle_count(), "at most 2^31 - 1");
  MPI_Datatype vec_type = MPI_DATATYPE_NULL;
  MPI_Type_contiguous(static_cast<int>(sizeof(vec3<Real>)), MPI_BYTE, &vec_type);
  MPI_Type_commit(&vec_type);
  std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
  const int mine = static_cast<int>(n0 * n * n);
  MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (std::size_t r = 1; r < counts.size(); ++r) displs[r] = displs[r - 1] + counts[r - 1];
  require(static_cast<std::size_t>(displs.back() + counts.back()) == b.particle_count(), "gathered LPT field nodes",
          displs.back() + counts.back(), "the whole grid");
  lpt_fields<Real> out;
  out.grid = b;
  out.order = order;
  out.psi1.resize(b.particle_count());
  out.psi2.assign(b.particle_count(), vec3<Real>{Real(0), Real(0), Real(0)});
  MPI_Allgatherv(local1.data(), mine, vec_type, out.psi1.data(), counts.data(), displs.data(), vec_type, comm);
  if (order == 2)
    MPI_Allgatherv(local2.data(), mine, vec_type, out.psi2.data(), counts.data(), displs.data(), vec_type, comm);
  MPI_Type_free(&vec_type);
  return out;
}

}  // namespace lagframe::ic
