// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "lagframe/cosmology/linear_power.hpp"
#include "lagframe/cosmology/power_table.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("lagframe_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("P(k) tables in CLASS and CAMB layouts are read and interpolated log-log") {
  // P = 1000 k^-1 for k in [0.01, 10]: exactly linear in log–log, so interpolation is exact.
  std::string pk = "# k (h/Mpc)  P (Mpc/h)^3\n";
  for (double k = 0.01; k < 11; k *= 2) pk += std::to_string(k) + "  " + std::to_string(1000.0 / k) + "\n";
  const parameters p;
  for (auto layout : {table_layout::class_pk, table_layout::camb_pk}) {
    const auto power = linear_power::from_file(write_temp("pk.dat", pk), layout, p, false);
    CHECK(power(0.3) == doctest::Approx(1000.0 / 0.3).epsilon(1e-4));
    CHECK(power(0.05) == doctest::Approx(1000.0 / 0.05).epsilon(1e-4));
  }
  const auto renormalised = linear_power::from_file(write_temp("pk.dat", pk), table_layout::class_pk, p, true);
  CHECK(renormalised.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-6));
}

TEST_CASE("transfer-function tables build P = A k^n_s T^2 (CAMB) and A k^(n_s-4) d_tot^2 (CLASS)") {
  const parameters p;
  const auto eh = linear_power::from_eisenstein_hu(p);
  const eisenstein_hu t(p);
  std::string camb = "# k/h CDM baryon photon nu mnu total\n";
  std::string cls = "# some header\n#    1:k (h/Mpc)    2:d_g    3:d_b    4:d_cdm    5:d_tot    6:phi\n";
  for (double k = 1e-5; k < 120; k *= 1.05) {
    const double tk = t(k);
    char line[256];
    std::snprintf(line, sizeof line, "%.10e 1 1 1 1 1 %.10e\n", k, tk);
    camb += line;
    std::snprintf(line, sizeof line, "%.10e 0 0 0 %.10e 0\n", k, -3.0 * k * k * tk);
    cls += line;
  }
  const auto from_camb = linear_power::from_file(write_temp("tk_camb.dat", camb), table_layout::camb_tk, p, false);
  const auto from_class = linear_power::from_file(write_temp("tk_class.dat", cls), table_layout::class_tk, p, false);
  for (double k : {0.01, 0.1, 0.5}) {
    CAPTURE(k);
    // Log–log interpolation between table points 5 % apart in k.
    CHECK(from_camb(k) == doctest::Approx(eh(k)).epsilon(1e-3));
    CHECK(from_class(k) == doctest::Approx(eh(k)).epsilon(1e-3));
  }
}

TEST_CASE("bad P(k) files are refused with the path, line and value named") {
  const parameters p;
  CHECK_THROWS_WITH_AS(read_power_table("/nonexistent/pk.dat", table_layout::class_pk),
                       doctest::Contains("/nonexistent/pk.dat"), io_error);
  const auto garbage = write_temp("garbage.dat", "0.1 100\n0.2 5O\n0.3 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(garbage, table_layout::class_pk), doctest::Contains("line 2: '5O'"), io_error);
  const auto unsorted = write_temp("unsorted.dat", "0.1 100\n0.3 50\n0.2 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(unsorted, table_layout::class_pk), doctest::Contains("k = 0.2 does not increase"),
                       io_error);
  const auto negative = write_temp("negative.dat", "0.1 100\n0.2 -5\n0.3 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(negative, table_layout::camb_pk), doctest::Contains("P = -5"), io_error);
  const auto no_dtot = write_temp("nodtot.dat", "# 1:k 2:d_cdm\n0.1 1\n0.2 1\n0.3 1\n0.4 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(no_dtot, table_layout::class_tk), doctest::Contains("d_tot"), io_error);
  const auto short_file = write_temp("short.dat", "0.1 1\n0.2 1\n");
  CHECK_THROWS_AS(read_power_table(short_file, table_layout::class_pk), io_error);
}
