// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file plan.hpp
/// RAII FFTW plans for in-place 3D real-to-complex transforms of a real_field, float or double,
/// threaded with FFTW's OpenMP backend.
///
/// Plans are made once (the planner is serialised by a process-wide mutex, as FFTW requires)
/// and executed any number of times on any real_field of the same size (fftw_execute_dft_r2c
/// with new arrays; every real_field is 64-byte aligned, so alignment always matches).
/// Transforms are unnormalised: backward(forward(f)) = N³·f.
///
/// Threading: forward()/backward() spawn FFTW's OpenMP threads (as many as
/// omp_get_max_threads() when the plan was made); do not call them inside a parallel region.

#include <fftw3.h>
#include <omp.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <type_traits>

#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"

namespace lagframe::fft {

/// How hard FFTW searches for a fast plan. `estimate` is instant (tests); `measure` takes
/// seconds to minutes at 256³ but runs about twice as fast (production; save the wisdom).
/// How FFTW finds a plan: estimate (instant, slower transforms), measure (times candidates,
/// 10–90 s at 256³, about 2× faster transforms; reuses imported wisdom instantly), or
/// wisdom_only (measure-quality plans from imported wisdom only: throws if the wisdom lacks
/// this transform, so a production run can insist on never re-planning).
enum class planning { estimate, measure, wisdom_only };

namespace detail {

inline std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

inline void init_threads_once() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    fftw_init_threads();
    fftwf_init_threads();
  });
}

template <class Real>
struct fftw_api;

template <>
struct fftw_api<double> {
  using plan = fftw_plan;
  using complex = fftw_complex;
  static plan r2c(int n, double* in, complex* out, unsigned flags) {
    return fftw_plan_dft_r2c_3d(n, n, n, in, out, flags);
  }
  static plan c2r(int n, complex* in, double* out, unsigned flags) {
    return fftw_plan_dft_c2r_3d(n, n, n, in, out, flags);
  }
  static void exec_r2c(plan p, double* in, complex* out) { fftw_execute_dft_r2c(p, in, out); }
  static void exec_c2r(plan p, complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
  static void nthreads(int n) { fftw_plan_with_nthreads(n); }
};

template <>
struct fftw_api<float> {
  using plan = fftwf_plan;
  using complex = fftwf_complex;
  static plan r2c(int n, float* in, complex* out, unsigned flags) {
    return fftwf_plan_dft_r2c_3d(n, n, n, in, out, flags);
  }
  static plan c2r(int n, complex* in, float* out, unsigned flags) {
    return fftwf_plan_dft_c2r_3d(n, n, n, in, out, flags);
  }
  static void exec_r2c(plan p, float* in, complex* out) { fftwf_execute_dft_r2c(p, in, out); }
  static void exec_c2r(plan p, complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
  static void nthreads(int n) { fftwf_plan_with_nthreads(n); }
};

}  // namespace detail

/// Forward (r2c) and backward (c2r) in-place plans for N³ real_field<Real>.
template <class Real>
class r2c_plan {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "lagframe::fft::r2c_plan: Real must be float or double");
  using api = detail::fftw_api<Real>;

 public:
  r2c_plan() = default;
  explicit r2c_plan(std::size_t n, planning how = planning::estimate) : n_(n) {
    require(n >= 2, "FFT size", n, "at least 2");
    detail::init_threads_once();
    std::lock_guard lock(detail::planner_mutex());
    // Plan on scratch storage so a MEASURE search never overwrites user data.
    real_field<Real> scratch(n, 1.0);
    const unsigned flags = how == planning::estimate  ? FFTW_ESTIMATE
                           : how == planning::measure ? FFTW_MEASURE
                                                      : FFTW_MEASURE | FFTW_WISDOM_ONLY;
    api::nthreads(omp_get_max_threads());
    auto* real_ptr = scratch.data();
    auto* cplx_ptr = reinterpret_cast<typename api::complex*>(scratch.complex_data());
    forward_ = api::r2c(static_cast<int>(n), real_ptr, cplx_ptr, flags);
    backward_ = api::c2r(static_cast<int>(n), cplx_ptr, real_ptr, flags);
    if (forward_ == nullptr || backward_ == nullptr) {
      if (forward_ != nullptr) api::destroy(forward_);
      if (backward_ != nullptr) api::destroy(backward_);
      forward_ = backward_ = nullptr;
      if (how == planning::wisdom_only) {
        throw config_error(lagframe::detail::concat(
            "lagframe: FFT planning = wisdom_only, but the imported wisdom has no ", n, "^3 ",
            std::is_same_v<Real, float> ? "float" : "double", " transform for ", omp_get_max_threads(),
            " threads: plan once with planning = measure and export the wisdom"));
      }
      throw error(lagframe::detail::concat("lagframe: FFTW could not plan a ", n, "^3 transform"));
    }
  }
  r2c_plan(const r2c_plan&) = delete;
  r2c_plan& operator=(const r2c_plan&) = delete;
  r2c_plan(r2c_plan&& other) noexcept { swap(other); }
  r2c_plan& operator=(r2c_plan&& other) noexcept {
    swap(other);
    return *this;
  }
  ~r2c_plan() {
    if (forward_ != nullptr || backward_ != nullptr) {
      std::lock_guard lock(detail::planner_mutex());
      if (forward_ != nullptr) api::destroy(forward_);
      if (backward_ != nullptr) api::destroy(backward_);
    }
  }

  [[nodiscard]] std::size_t size_1d() const { return n_; }

  /// In place: real-space values → half-complex modes, δ_k = Σ_x δ(x) e^{−ik·x} (unnormalised).
  void forward(real_field<Real>& f) const {
    check(f);
    api::exec_r2c(forward_, f.data(), reinterpret_cast<typename api::complex*>(f.complex_data()));
  }
  /// In place: half-complex modes → real-space values, Σ_k δ_k e^{+ik·x} (unnormalised).
  void backward(real_field<Real>& f) const {
    check(f);
    api::exec_c2r(backward_, reinterpret_cast<typename api::complex*>(f.complex_data()), f.data());
  }

 private:
  void check(const real_field<Real>& f) const {
    if (f.size_1d() != n_) {
      throw config_error(lagframe::detail::concat("lagframe: FFT plan for ", n_,
                                                  "^3 applied to a field of size ", f.size_1d(),
                                                  "^3"));
    }
  }
  void swap(r2c_plan& o) noexcept {
    std::swap(n_, o.n_);
    std::swap(forward_, o.forward_);
    std::swap(backward_, o.backward_);
  }

  std::size_t n_ = 0;
  typename api::plan forward_ = nullptr;
  typename api::plan backward_ = nullptr;
};

/// Load FFTW wisdom (float and double) from `path_prefix` + ".f"/".d"; missing files are fine.
/// FFTW's threads are initialised first: wisdom holds plans for a thread count, and importing
/// it before fftw_init_threads fails. Returns whether any wisdom was read.
inline bool import_wisdom(const std::string& path_prefix) {
  detail::init_threads_once();
  std::lock_guard lock(detail::planner_mutex());
  const int d = fftw_import_wisdom_from_filename((path_prefix + ".d").c_str());
  const int f = fftwf_import_wisdom_from_filename((path_prefix + ".f").c_str());
  return d != 0 || f != 0;
}

/// Forget all FFTW wisdom in memory (float and double).
inline void forget_wisdom() {
  std::lock_guard lock(detail::planner_mutex());
  fftw_forget_wisdom();
  fftwf_forget_wisdom();
}

/// Save FFTW wisdom to `path_prefix` + ".f"/".d" (written to a temporary name, then renamed).
inline void export_wisdom(const std::string& path_prefix) {
  detail::init_threads_once();
  std::lock_guard lock(detail::planner_mutex());
  for (const char* suffix : {".d", ".f"}) {
    const std::string final_name = path_prefix + suffix;
    const std::string tmp = final_name + ".tmp";
    const int ok = (suffix[1] == 'd') ? fftw_export_wisdom_to_filename(tmp.c_str())
                                      : fftwf_export_wisdom_to_filename(tmp.c_str());
    if (ok == 0 || std::rename(tmp.c_str(), final_name.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw io_error(lagframe::detail::concat("lagframe: cannot write FFTW wisdom to ", final_name));
    }
  }
}

}  // namespace lagframe::fft
