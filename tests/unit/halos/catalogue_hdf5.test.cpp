// SPDX-License-Identifier: BSD-3-Clause
// halos::write_fof_tab_hdf5 / read_fof_tab_hdf5 / write_galaxies_hdf5 / read_galaxies_hdf5: the
// Gadget-4 group-catalogue header and datasets (names, types, shapes, units, GroupOffsetType
// into /IDs/ID), a round trip, an empty catalogue, the galaxy file, atomic writes (a failed
// write leaves neither the file nor a temporary).
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "lagframe/halos/catalogue_hdf5.hpp"
#include "lagframe/halos/hod.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

namespace {

struct small_catalogue {
  double side = 40.0;
  std::vector<vec3<double>> x, p;
  halos::halo_finder_result found;
  small_catalogue() {
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> u(0.0, side);
    std::normal_distribution<double> g(0.0, 0.3);
    for (int c = 0; c < 12; ++c) {
      const vec3<double> centre{u(rng), u(rng), u(rng)};
      for (int k = 0; k < 30 + 20 * c; ++k) {
        x.push_back({wrap_periodic(centre[0] + g(rng), side), wrap_periodic(centre[1] + g(rng), side),
                     wrap_periodic(centre[2] + g(rng), side)});
        p.push_back({0.5, -0.25, 1.0});
      }
    }
    for (int k = 0; k < 3000; ++k) {
      x.push_back({u(rng), u(rng), u(rng)});
      p.push_back({0, 0, 0});
    }
    halos::halo_options opt;
    opt.a = 0.5;
    found = halos::find_halos<double>(x, p, side, {}, opt);
  }
};

/// HDF5 class and size of dataset `name` in `file`.
std::pair<H5T_class_t, std::size_t> dataset_type(const std::filesystem::path& file, const char* name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  const hid_t t = H5Dget_type(d);
  const auto out = std::make_pair(H5Tget_class(t), H5Tget_size(t));
  H5Tclose(t);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

}  // namespace

TEST_CASE("Gadget-4 group catalogue: layout, types, units and round trip" * doctest::test_suite("unit.halos")) {
  const small_catalogue s;
  const auto& cat = s.found.halos;
  REQUIRE(cat.size() == 12);
  lagframe::test::scratch_dir dir("fof_tab");
  const auto file = dir / "fof_subhalo_tab_000.hdf5";
  std::vector<std::uint64_t> ids(s.x.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 1000 + i;
  halos::write_fof_tab_hdf5(file, cat, s.found.groups, ids);
  CHECK(dir.entries() == std::vector<std::string>{"fof_subhalo_tab_000.hdf5"});
  const auto t = halos::read_fof_tab_hdf5(file);
  CHECK(t.ngroups == 12);
  CHECK(t.nsubhalos == 0);
  CHECK(t.nids == s.found.groups.members.size());
  CHECK(t.num_files == 1);
  CHECK(t.time == 0.5);
  CHECK(t.redshift == 1.0);
  CHECK(t.box_size == s.side);
  for (std::size_t g = 0; g < 12; ++g) {
    CHECK(t.length[g] == cat.length[g]);
    CHECK(t.offset[g] == static_cast<std::int64_t>(cat.offset[g]));
    CHECK(t.mass[g] == doctest::Approx(cat.mass[g]).epsilon(1e-6));  // float32 in 1e10 Msun/h
    for (int d = 0; d < 3; ++d) {
      CHECK(t.position[g][d] == doctest::Approx(cat.position[g][d]).epsilon(1e-6));
      CHECK(t.velocity[g][d] == doctest::Approx(0.5 * cat.velocity[g][d]).epsilon(1e-6));  // a·v_pec
    }
    CHECK(t.m200m[g] == doctest::Approx(cat.m200m[g]).epsilon(1e-6));
    // GroupOffsetType[1] and GroupLen select the group's ids in /IDs/ID.
    const auto members = s.found.groups.members_of(g);
    for (std::size_t k = 0; k < members.size(); ++k) CHECK(t.ids[t.offset[g] + k] == 1000 + members[k]);
  }
  // Gadget-4's types: GroupLen int32, GroupOffsetType int64 ×6, GroupMass/GroupPos float32.
  CHECK(dataset_type(file, "Group/GroupLen") == std::make_pair(H5T_INTEGER, std::size_t{4}));
  CHECK(dataset_type(file, "Group/GroupOffsetType") == std::make_pair(H5T_INTEGER, std::size_t{8}));
  CHECK(dataset_type(file, "Group/GroupMass") == std::make_pair(H5T_FLOAT, std::size_t{4}));
  CHECK(dataset_type(file, "Group/GroupPos") == std::make_pair(H5T_FLOAT, std::size_t{4}));
  CHECK(dataset_type(file, "Group/GroupLenType") == std::make_pair(H5T_INTEGER, std::size_t{4}));
  CHECK(dataset_type(file, "IDs/ID") == std::make_pair(H5T_INTEGER, std::size_t{8}));
  // Other units: lengths in kpc/h, masses in Msun/h.
  halos::write_fof_tab_hdf5(dir / "kpc.hdf5", cat, s.found.groups, {}, {.length_in_cm = 3.085678e21, .mass_in_g = 1.989e33});
  const auto k = halos::read_fof_tab_hdf5(dir / "kpc.hdf5");
  CHECK(k.position[0][0] == doctest::Approx(cat.position[0][0]).epsilon(1e-6));
  CHECK(k.mass[0] == doctest::Approx(cat.mass[0]).epsilon(1e-6));
  CHECK(k.ids[0] == s.found.groups.members[0]);
}

TEST_CASE("an empty catalogue has a header and no Group" * doctest::test_suite("unit.halos")) {
  std::vector<vec3<double>> x{{1, 1, 1}, {20, 20, 20}}, p(2, vec3<double>{0, 0, 0});
  const auto found = halos::find_halos<double>(x, p, 40.0, {}, {});
  lagframe::test::scratch_dir dir("fof_tab_empty");
  halos::write_fof_tab_hdf5(dir / "empty.hdf5", found.halos, found.groups);
  const auto t = halos::read_fof_tab_hdf5(dir / "empty.hdf5");
  CHECK(t.ngroups == 0);
  CHECK(t.length.empty());
  const hid_t f = H5Fopen((dir / "empty.hdf5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(H5Lexists(f, "Group", H5P_DEFAULT) == 0);
  H5Fclose(f);
}

TEST_CASE("galaxy file round trip and atomic failure" * doctest::test_suite("unit.halos")) {
  const small_catalogue s;
  std::vector<double> storage;
  const auto view = halos::hod_halos_of(s.found.halos, halos::hod_mass::fof, storage);
  const halos::hod_parameters hod{.log_m_min = 12.0, .sigma_log_m = 0.3, .log_m0 = 12.0, .log_m1 = 12.5, .alpha = 1.0};
  const auto gal = halos::populate_hod(view, hod, {.seed = 3}, 0.5, s.side);
  REQUIRE(gal.size() > 20);
  std::vector<vec3<double>> rsd(gal.position);
  for (auto& v : rsd) v[2] = wrap_periodic(v[2] + 1.0, s.side);
  lagframe::test::scratch_dir dir("galaxies");
  halos::write_galaxies_hdf5(dir / "galaxies.hdf5", gal, {.box_side = s.side, .a = 0.5, .hod = hod, .seed = 3, .line_of_sight_axis = 2}, rsd);
  std::vector<vec3<double>> rsd_back;
  const auto back = halos::read_galaxies_hdf5(dir / "galaxies.hdf5", &rsd_back);
  CHECK(back.position == gal.position);
  CHECK(back.velocity == gal.velocity);
  CHECK(back.halo == gal.halo);
  CHECK(back.central == gal.central);
  CHECK(rsd_back == rsd);
  // A write into a missing folder fails with io_error and leaves nothing behind.
  CHECK_THROWS_AS(halos::write_galaxies_hdf5(dir / "missing" / "g.hdf5", gal, {}), io_error);
  CHECK_THROWS_AS(halos::write_fof_tab_hdf5(dir / "missing" / "t.hdf5", s.found.halos, s.found.groups), io_error);
  CHECK(dir.entries() == std::vector<std::string>{"galaxies.hdf5"});
  // An interrupt request (a signal handler's io::request_interrupt) stops the write: nothing new.
  io::request_interrupt(15);
  CHECK_THROWS_AS(halos::write_fof_tab_hdf5(dir / "t.hdf5", s.found.halos, s.found.groups), io::interrupted);
  io::interrupt_signal.store(0);
  CHECK(dir.entries() == std::vector<std::string>{"galaxies.hdf5"});
  CHECK_THROWS_WITH_AS(halos::read_fof_tab_hdf5(dir / "none.hdf5"), doctest::Contains("not found"), io_error);
}
