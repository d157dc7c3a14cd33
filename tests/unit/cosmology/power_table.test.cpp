// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "support/temp_file.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include "lagframe/cosmology/power_table.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

namespace {
/// A file in a fresh per-test temporary directory (removed at exit).
/// Test files live in their own temporary folder.
struct temp_file : test::temp_file {
  temp_file(const std::string& name, const std::string& text) : test::temp_file("lagframe_power_table_test", name, text) {}
};
}  // namespace

TEST_CASE("P(k) files in CLASS and CAMB layouts are read column by column") {
  const temp_file cls("class_pk.dat",
                      "# Matter power spectrum P(k) at redshift z=0\n"
                      "# for k=1e-05 to 100 h/Mpc,\n"
                      "# 1:k (h/Mpc)              2:P (Mpc/h)^3\n"
                      "  1.000000000e-03   1.250000000e+04\n"
                      "\n"
                      "  1.000000000e-02   2.500000000e+04\r\n"
                      "  1.000000000e-01   5.000000000e+03\n"
                      "  1.000000000e+00   1.000000000e+02\n");
  const auto t = read_power_table(cls.str(), table_layout::class_pk);
  CHECK(t.layout == table_layout::class_pk);
  CHECK_FALSE(t.is_transfer());
  REQUIRE(t.k.size() == 4);
  CHECK(t.k[0] == 1e-3);
  CHECK(t.k[3] == 1.0);
  CHECK(t.value[1] == 2.5e4);
  CHECK(t.value[3] == 100.0);

  // CAMB matterpower: no header at all.
  const temp_file camb("camb_pk.dat", "   0.1000E-03   0.4000E+04\n   0.1000E-02   0.2000E+05\n"
                                      "   0.1000E-01   0.3000E+05\n   0.1000E+00   0.6000E+04\n");
  const auto c = read_power_table(camb.str(), table_layout::camb_pk);
  REQUIRE(c.k.size() == 4);
  CHECK(c.k[0] == 1e-4);
  CHECK(c.value[0] == 4000.0);
  CHECK(c.value[3] == 6000.0);
}

TEST_CASE("transfer files: CLASS d_tot found by its header name, CAMB total in column 7") {
  const temp_file cls("class_tk.dat",
                      "# Transfer functions T_i(k) for adiabatic (AD) mode (normalized to initial curvature=1)\n"
                      "# at redshift z=0\n"
                      "#    1:k (h/Mpc)              2:d_g                    3:d_b                    4:d_cdm"
                      "                  5:d_ur                   6:d_tot                  7:phi\n"
                      "1e-4 0 0 0 0 -2.0e-5 9\n"
                      "1e-3 0 0 0 0 -2.0e-3 9\n"
                      "1e-2 0 0 0 0 -1.9e-1 9\n"
                      "1e-1 0 0 0 0 -1.5e+1 9\n");
  const auto t = read_power_table(cls.str(), table_layout::class_tk);
  CHECK(t.is_transfer());
  REQUIRE(t.k.size() == 4);
  CHECK(t.value[0] == -2.0e-5);  // the sign is kept; only T² is used
  CHECK(t.value[3] == -15.0);

  const temp_file camb("camb_tk.dat",
                       "    k/h      CDM    baryon   photon    nu    mass_nu   total   no_nu  total_de   Weyl\n"
                       "1e-4 11 12 13 14 15 0.99 1 1 1\n"
                       "1e-3 11 12 13 14 15 0.98 1 1 1\n"
                       "1e-2 11 12 13 14 15 0.80 1 1 1\n"
                       "1e-1 11 12 13 14 15 0.20 1 1 1\n");
  // The CAMB column-title line is not a comment: it must be marked with '#' to be skipped.
  CHECK_THROWS_WITH_AS(read_power_table(camb.str(), table_layout::camb_tk), doctest::Contains("line 1: 'k/h'"),
                       io_error);
  const temp_file camb_ok("camb_tk_ok.dat",
                          "#    k/h      CDM    baryon   photon    nu    mass_nu   total   no_nu  total_de   Weyl\n"
                          "1e-4 11 12 13 14 15 0.99 1 1 1\n"
                          "1e-3 11 12 13 14 15 0.98 1 1 1\n"
                          "1e-2 11 12 13 14 15 0.80 1 1 1\n"
                          "1e-1 11 12 13 14 15 0.20 1 1 1\n");
  const auto c = read_power_table(camb_ok.str(), table_layout::camb_tk);
  REQUIRE(c.k.size() == 4);
  CHECK(c.value[0] == 0.99);
  CHECK(c.value[3] == 0.20);
}

TEST_CASE("bad P(k) files are refused with the path, line and value named") {
  CHECK_THROWS_WITH_AS(read_power_table("/nonexistent/pk.dat", table_layout::class_pk),
                       doctest::Contains("/nonexistent/pk.dat"), io_error);

  const temp_file garbage("garbage.dat", "# k P\n0.1 100\n0.2 5O\n0.3 20\n0.4 10\n");
  const std::string garbage_message = garbage.str() + " line 3: '5O' is not a number";
  CHECK_THROWS_WITH_AS(read_power_table(garbage.str(), table_layout::class_pk),
                       doctest::Contains(garbage_message.c_str()), io_error);
  // Every token is parsed, including the columns a layout does not use.
  const temp_file garbage_unused("garbage_unused.dat", "0.1 100 x7\n0.2 50 1\n0.3 20 1\n0.4 10 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(garbage_unused.str(), table_layout::camb_pk),
                       doctest::Contains("line 1: 'x7'"), io_error);

  const temp_file unsorted("unsorted.dat", "0.1 100\n0.3 50\n0.2 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(unsorted.str(), table_layout::class_pk),
                       doctest::Contains("line 3: k = 0.2 does not increase (previous k = 0.3)"), io_error);
  const temp_file repeated("repeated.dat", "0.1 100\n0.2 50\n0.2 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(repeated.str(), table_layout::camb_pk),
                       doctest::Contains("line 3: k = 0.2 does not increase"), io_error);
  const temp_file negative_k("negative_k.dat", "-0.1 100\n0.2 50\n0.3 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(negative_k.str(), table_layout::class_pk),
                       doctest::Contains("line 1: k = -0.1 is not positive"), io_error);

  const temp_file negative("negative.dat", "0.1 100\n0.2 -5\n0.3 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(negative.str(), table_layout::camb_pk), doctest::Contains("line 2: P = -5"),
                       io_error);
  const temp_file zero("zero.dat", "0.1 100\n0.2 50\n0.3 0\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(zero.str(), table_layout::class_pk), doctest::Contains("line 3: P = 0"),
                       io_error);
  const temp_file not_finite("nan.dat", "0.1 100\n0.2 nan\n0.3 20\n0.4 10\n");
  CHECK_THROWS_WITH_AS(read_power_table(not_finite.str(), table_layout::class_pk), doctest::Contains("line 2: P = nan"),
                       io_error);
  const temp_file bad_t("bad_t.dat", "0.1 1 1 1 1 1 1\n0.2 1 1 1 1 1 inf\n0.3 1 1 1 1 1 1\n0.4 1 1 1 1 1 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(bad_t.str(), table_layout::camb_tk), doctest::Contains("line 2: T = inf"),
                       io_error);

  const temp_file no_dtot("nodtot.dat", "# 1:k 2:d_cdm\n0.1 1\n0.2 1\n0.3 1\n0.4 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(no_dtot.str(), table_layout::class_tk), doctest::Contains("'d_tot'"), io_error);
  const temp_file bad_label("badlabel.dat", "# 1:k 2:d_cdm x:d_tot\n0.1 1 1\n0.2 1 1\n0.3 1 1\n0.4 1 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(bad_label.str(), table_layout::class_tk), doctest::Contains("line 1"),
                       io_error);
  const temp_file too_few_columns("columns.dat", "0.1 1 1 1 1 1 1\n0.2 1 1 1 1 1\n0.3 1 1 1 1 1 1\n0.4 1 1 1 1 1 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(too_few_columns.str(), table_layout::camb_tk),
                       doctest::Contains("line 2: 6 columns, expected at least 7"), io_error);
  const temp_file short_file("short.dat", "0.1 1\n0.2 1\n");
  CHECK_THROWS_WITH_AS(read_power_table(short_file.str(), table_layout::class_pk), doctest::Contains("2 data rows"),
                       io_error);
}
