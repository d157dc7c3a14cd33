// SPDX-License-Identifier: BSD-3-Clause
// lightcone::healpix_ring_index against healpy's vec2pix(nside, x, y, z, nest=False) (an
// independent implementation) on random directions and on the awkward ones: the poles, the
// boundaries of the polar caps (|cos θ| = 2/3), the meridians φ = kπ/4 and directions just
// beside them, for N_side from 1 to 8192. Needs /usr/bin/python3 with healpy
// (scripts/install-deps.sh installs python3-healpy).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "lagframe/io/healpix_map.hpp"
#include "lagframe/lightcone/healpix.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

TEST_CASE("HEALPix RING indices equal healpy's vec2pix" * doctest::test_suite("unit.lightcone")) {
  std::vector<std::array<double, 3>> dirs;
  std::mt19937_64 rng(21);
  std::normal_distribution<double> g;
  for (int i = 0; i < 20000; ++i) dirs.push_back({g(rng), g(rng), g(rng)});
  const double pi = std::numbers::pi;
  for (const double z : {1.0, -1.0, 2.0 / 3.0, -2.0 / 3.0, 2.0 / 3.0 + 1e-12, 2.0 / 3.0 - 1e-12, 0.0, 1e-14, 0.999999,
                         -0.999999, 0.5, -0.25})
    for (int k = 0; k < 16; ++k)
      for (const double eps : {0.0, 1e-10, -1e-10}) {
        const double phi = k * pi / 8 + eps;
        const double s = std::sqrt(std::max(0.0, 1 - z * z));
        dirs.push_back({s * std::cos(phi), s * std::sin(phi), z});
      }
  test::scratch_dir dir("healpix");
  const auto in = dir / "directions.txt", out = dir / "healpy.txt";
  {
    std::ofstream f(in);
    f.precision(17);
    for (const auto& d : dirs) f << d[0] << ' ' << d[1] << ' ' << d[2] << '\n';
  }
  const std::vector<long> nsides{1, 2, 4, 16, 256, 8192};
  const std::string script =
      "import sys, numpy as np, healpy as hp\n"
      "v = np.loadtxt(sys.argv[1])\n"
      "out = [hp.vec2pix(n, v[:,0], v[:,1], v[:,2], nest=False) for n in (1, 2, 4, 16, 256, 8192)]\n"
      "np.savetxt(sys.argv[2], np.array(out, dtype=np.int64).T, fmt='%d')\n";
  {
    std::ofstream f(dir / "vec2pix.py");
    f << script;
  }
  const std::string command = "/usr/bin/python3 " + (dir / "vec2pix.py").string() + " " + in.string() + " " + out.string();
  const int rc = std::system(command.c_str());
  REQUIRE_MESSAGE(rc == 0, "healpy is needed for this test: scripts/install-deps.sh installs python3-healpy");
  std::ifstream f(out);
  std::size_t mismatches = 0, compared = 0;
  for (const auto& d : dirs)
    for (const long nside : nsides) {
      long expected = -1;
      REQUIRE(static_cast<bool>(f >> expected));
      const auto got = lightcone::healpix_ring_index(nside, d[0], d[1], d[2]);
      ++compared;
      if (got != expected) {
        if (++mismatches <= 400)
          std::printf("N_side %ld, (%.17g, %.17g, %.17g): lagframe %lld, healpy %ld\n", nside, d[0], d[1], d[2],
                      static_cast<long long>(got), expected);
      }
    }
  std::printf("HEALPix: %zu directions x %zu N_side compared with healpy, %zu differ\n", dirs.size(), nsides.size(),
              mismatches);
  CHECK(compared == dirs.size() * nsides.size());
  CHECK(mismatches == 0);
}

TEST_CASE("HEALPix maps as .npy: counts and density contrast" * doctest::test_suite("unit.lightcone")) {
  test::scratch_dir dir("healpix_map");
  std::vector<std::uint32_t> counts(48, 2);
  counts[5] = 8;
  counts[40] = 0;
  io::write_healpix_map(dir / "counts.npy", counts);
  io::write_healpix_map(dir / "delta.npy", counts, true);
  const auto c = io::read_npy<double>(dir / "counts.npy");
  const auto d = io::read_npy<double>(dir / "delta.npy");
  REQUIRE(c.data.size() == 48);
  REQUIRE(d.data.size() == 48);
  CHECK(c.data[5] == 8.0);
  const double mean = (46.0 * 2.0 + 8.0) / 48.0;
  CHECK(d.data[5] == doctest::Approx(8.0 / mean - 1.0));
  CHECK(d.data[40] == doctest::Approx(-1.0));
  CHECK_THROWS_WITH_AS(io::write_healpix_map(dir / "bad.npy", std::vector<std::uint32_t>(50, 1)),
                       doctest::Contains("pixel count"), config_error);
  CHECK_THROWS_AS(io::write_healpix_map(dir / "empty.npy", std::vector<std::uint32_t>(12, 0), true), config_error);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.npy"));
}
