// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file hdf5_detail.hpp
/// Small RAII layer over the HDF5 C API used by io/gadget_hdf5.hpp: owning handles, a guard
/// that silences HDF5's own error printing, and attribute / dataset helpers that turn every
/// failed HDF5 call into a lagframe::io_error naming the file and the object.
///
/// Requires the HDF5 C library (link lagframe::hdf5). The serial HDF5 library is not
/// thread-safe: call these functions from one thread at a time.

#include <hdf5.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lagframe/core/error.hpp"

namespace lagframe::io::detail {

/// Innermost description on the current HDF5 error stack ("" if none).
inline std::string hdf5_error_text() {
  std::string text;
  auto walk = [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
    if (n == 0 && e != nullptr && e->desc != nullptr) *static_cast<std::string*>(out) = e->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk, &text);
  return text;
}

/// Throws io_error "lagframe: HDF5 <operation> failed for <object> in <file> (<reason>)".
[[noreturn]] inline void hdf5_fail(const std::filesystem::path& file, std::string_view object,
                                   std::string_view operation) {
  const std::string reason = hdf5_error_text();
  throw io_error(lagframe::detail::concat("lagframe: HDF5 ", operation, " failed for '", object, "' in ",
                                          file.string(), reason.empty() ? "" : " (", reason,
                                          reason.empty() ? "" : ")"));
}

/// Turns HDF5's automatic error printing off for its lifetime (restored afterwards).
class hdf5_quiet {
 public:
  hdf5_quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~hdf5_quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  hdf5_quiet(const hdf5_quiet&) = delete;
  hdf5_quiet& operator=(const hdf5_quiet&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// Owning HDF5 identifier closed by `Close` (H5Fclose, H5Gclose, ...).
template <herr_t (*Close)(hid_t)>
class h5_handle {
 public:
  h5_handle() = default;
  explicit h5_handle(hid_t id) : id_(id) {}
  h5_handle(h5_handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  h5_handle& operator=(h5_handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  h5_handle(const h5_handle&) = delete;
  h5_handle& operator=(const h5_handle&) = delete;
  ~h5_handle() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0) Close(id_);
    id_ = H5I_INVALID_HID;
  }
  /// Close now and report a failed close (a file's data is flushed on close).
  [[nodiscard]] bool close() {
    if (id_ < 0) return true;
    const herr_t status = Close(id_);
    id_ = H5I_INVALID_HID;
    return status >= 0;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using h5_file = h5_handle<H5Fclose>;
using h5_group = h5_handle<H5Gclose>;
using h5_space = h5_handle<H5Sclose>;
using h5_attr = h5_handle<H5Aclose>;
using h5_dataset = h5_handle<H5Dclose>;
using h5_type = h5_handle<H5Tclose>;

/// Checks an id returned by an HDF5 call; throws io_error naming `file` and `object` if negative.
inline hid_t h5_check(hid_t id, const std::filesystem::path& file, std::string_view object,
                      std::string_view operation) {
  if (id < 0) hdf5_fail(file, object, operation);
  return id;
}
inline void h5_check_status(herr_t status, const std::filesystem::path& file, std::string_view object,
                            std::string_view operation) {
  if (status < 0) hdf5_fail(file, object, operation);
}

/// Native HDF5 memory type of an arithmetic C++ type.
template <class T>
hid_t h5_native_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  else static_assert(sizeof(T) == 0, "lagframe::io::detail::h5_native_type: unsupported type");
}

/// Writes attribute `name` on `loc` (scalar when `values.size() == 1` and `scalar`, else 1-d).
template <class T>
void write_attribute(hid_t loc, const std::filesystem::path& file, const std::string& where,
                     const char* name, const std::vector<T>& values, bool scalar) {
  const std::string object = where + "/" + name;
  const hsize_t dim = values.size();
  h5_space space(h5_check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, nullptr), file,
                          object, "dataspace creation"));
  h5_attr attr(h5_check(H5Acreate2(loc, name, h5_native_type<T>(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                        file, object, "attribute creation"));
  h5_check_status(H5Awrite(attr.get(), h5_native_type<T>(), values.data()), file, object, "attribute write");
}
template <class T>
void write_scalar_attribute(hid_t loc, const std::filesystem::path& file, const std::string& where,
                            const char* name, T value) {
  write_attribute<T>(loc, file, where, name, std::vector<T>{value}, true);
}
template <class T, std::size_t N>
void write_array_attribute(hid_t loc, const std::filesystem::path& file, const std::string& where,
                           const char* name, const std::array<T, N>& values) {
  write_attribute<T>(loc, file, where, name, std::vector<T>(values.begin(), values.end()), false);
}

[[nodiscard]] inline bool has_attribute(hid_t loc, const char* name) { return H5Aexists(loc, name) > 0; }

/// Reads attribute `name` of `loc` converted to T (HDF5 converts between numeric types).
/// Throws io_error if it is missing or its element count differs from `count`.
template <class T>
std::vector<T> read_attribute(hid_t loc, const std::filesystem::path& file, const std::string& where,
                              const char* name, std::size_t count) {
  const std::string object = where + "/" + name;
  if (!has_attribute(loc, name)) {
    throw io_error(lagframe::detail::concat("lagframe: missing HDF5 attribute '", object, "' in ", file.string()));
  }
  h5_attr attr(h5_check(H5Aopen(loc, name, H5P_DEFAULT), file, object, "attribute open"));
  h5_space space(h5_check(H5Aget_space(attr.get()), file, object, "attribute dataspace"));
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0 || static_cast<std::size_t>(n) != count) {
    throw io_error(lagframe::detail::concat("lagframe: HDF5 attribute '", object, "' in ", file.string(),
                                            " has ", n, " elements, expected ", count));
  }
  std::vector<T> values(count);
  h5_check_status(H5Aread(attr.get(), h5_native_type<T>(), values.data()), file, object, "attribute read");
  return values;
}

}  // namespace lagframe::io::detail
