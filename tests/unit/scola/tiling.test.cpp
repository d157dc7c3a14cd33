// SPDX-License-Identifier: BSD-3-Clause
// The Lagrangian tiling of sCOLA (scola/tiling.hpp): cores partition the particles, tiles and
// meshes have the stated geometry, and impossible tilings are refused by name.

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "lagframe/scola/tiling.hpp"

using namespace lagframe;

TEST_CASE("every particle belongs to exactly one core; tiles hold core + buffer") {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};
  const std::pair<std::size_t, double> cases[] = {{1, 0.0}, {2, 0.0}, {2, 4.0}, {2, 16.0}, {4, 4.0}, {4, 8.0}};
  for (const auto& [nt, buffer] : cases) {
    {
      scola::tiling tiles(b, {.tiles_per_side = nt, .buffer_mpc_h = buffer, .mesh_per_particle = 2, .shell_mpc_h = 0.0});
      std::vector<int> owners(b.particle_count(), 0);
      std::vector<std::size_t> ids;
      std::vector<std::uint8_t> core;
      for (std::size_t t = 0; t < tiles.tile_count(); ++t) {
        tiles.particles(t, ids, core);
        REQUIRE(ids.size() == tiles.tile_particles());
        std::size_t cores = 0;
        std::vector<int> seen(b.particle_count(), 0);
        for (std::size_t l = 0; l < ids.size(); ++l) {
          REQUIRE(ids[l] < b.particle_count());
          ++seen[ids[l]];
          if (core[l] == scola::tiling::core_particle) {
            ++owners[ids[l]];
            ++cores;
          }
        }
        CHECK(cores == tiles.core_particles());
        for (int s : seen) CHECK(s <= 1);  // a tile never holds a particle twice
      }
      for (int o : owners) CHECK(o == 1);
    }
  }
}

TEST_CASE("the LPT shell: two spacings by default, what fits, or as asked; roles are consistent") {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};  // Δq = 4
  scola::tiling automatic(b, {.tiles_per_side = 4, .buffer_mpc_h = 4.0});
  CHECK(automatic.shell_1d() == 2);
  CHECK(automatic.particles_1d() == 4 + 2 + 4);
  scola::tiling tight(b, {.tiles_per_side = 2, .buffer_mpc_h = 12.0});  // 8 + 6 = 14: room for 1
  CHECK(tight.shell_1d() == 1);
  scola::tiling none(b, {.tiles_per_side = 2, .buffer_mpc_h = 16.0});  // the whole box
  CHECK(none.shell_1d() == 0);
  scola::tiling asked(b, {.tiles_per_side = 4, .buffer_mpc_h = 4.0, .shell_mpc_h = 8.0});
  CHECK(asked.shell_1d() == 2);
  std::vector<std::size_t> ids;
  std::vector<std::uint8_t> role;
  automatic.particles(5, ids, role);
  std::size_t counts[3] = {0, 0, 0};
  for (auto r : role) ++counts[r];
  CHECK(counts[scola::tiling::core_particle] == 4 * 4 * 4);
  CHECK(counts[scola::tiling::buffer_particle] == 6 * 6 * 6 - 4 * 4 * 4);
  CHECK(counts[scola::tiling::shell_particle] == 10 * 10 * 10 - 6 * 6 * 6);
  CHECK(automatic.mesh(5).cells == 2 * 6 + 1);  // the mesh covers core + buffer only
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = 12.0, .shell_mpc_h = 8.0}),
                       doctest::Contains("scola.shell_mpc_h"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = 4.0, .shell_mpc_h = 2.0}),
                       doctest::Contains("whole number"), config_error);
}

TEST_CASE("tile mesh: symmetric about the tile, lattice midway between nodes") {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};  // Δq = 4
  scola::tiling tiles(b, {.tiles_per_side = 2, .buffer_mpc_h = 8.0, .mesh_per_particle = 2});
  CHECK(tiles.core_1d() == 8);
  CHECK(tiles.buffer_1d() == 2);
  CHECK(tiles.tile_1d() == 12);
  const auto m = tiles.mesh(3);  // tile (0, 1, 1)
  CHECK(m.spacing == doctest::Approx(2.0));
  CHECK(m.cells == 25);
  // First buffer particle of tile (0,1,1) at q = (−8, 24, 24); node 0 is 1.5 cells below it.
  CHECK(m.origin[0] == doctest::Approx(-8.0 - 3.0));
  CHECK(m.origin[1] == doctest::Approx(24.0 - 3.0));
  // Symmetric: the first and last particle layers (q0 = −8, q0 + 11Δq = 36) sit 1.5 cells inside
  // the first and last nodes.
  CHECK(m.origin[0] + m.cells * m.spacing - (-8.0 + 11 * 4.0) == doctest::Approx(1.5 * m.spacing));
  CHECK(m.mean_density == doctest::Approx(16.0 * 16 * 16 / (64.0 * 64 * 64)));
  CHECK(scola::tiling(b, {.tiles_per_side = 1, .buffer_mpc_h = 0.0}).is_periodic_box());
}

TEST_CASE("impossible tilings are refused, naming the value") {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 3}), doctest::Contains("tile side L_t"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = -4.0}),
                       doctest::Contains("d_b"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = 3.0}),
                       doctest::Contains("whole number of particle spacings"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = 20.0}),
                       doctest::Contains("fits in the box"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 2, .buffer_mpc_h = 4.0, .mesh_per_particle = 1}),
                       doctest::Contains("too coarse"), config_error);
  CHECK_THROWS_WITH_AS(scola::tiling(b, {.tiles_per_side = 0}), doctest::Contains("tiles_per_side"), config_error);
}
