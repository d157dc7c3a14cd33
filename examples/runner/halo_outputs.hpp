// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// [halos]: the haloes and galaxies of one output time (docs/mocks.md), written into that time's
// set of files (they appear with its P(k) table and slice, or not at all):
//   halos_z<z>.txt                FoF groups, one row each (halos/properties.hpp)
//   fof_subhalo_tab_z<z>.hdf5     the same as a Gadget-4 group catalogue (halos/catalogue_hdf5.hpp)
//   mass_function_z<z>.txt        dn/dlnM of the FoF (and M_200m) masses against Sheth & Tormen
//                                 (1999) and Tinker et al. (2008), both averaged over each bin
//   galaxies_z<z>.hdf5, hod_z<z>.txt   with hod = true: the HOD galaxies (real and redshift
//                                 space) and their mean occupation against the model
//   bias_z<z>.txt                 with bias = true: real-space P(k) of the haloes (and the
//                                 galaxies) and the matter, and b(k) = P_tm/P_mm
//   multipoles_z<z>.txt           with multipoles = true: redshift-space P0, P2, P4 of the matter
//                                 (and the galaxies) averaged over the three axes, against Kaiser
// then the pictures of those tables (scripts/plot_halos.py).

#include <string>
#include <vector>

#include <lagframe/io/atomic_file.hpp>
#include <lagframe/simulation.hpp>

#include "outputs.hpp"

namespace lagframe_run {

/// Finds the haloes of state `s` (momenta required) at output redshift z and writes the tables
/// and catalogues as temporaries of `set`; appends what it wrote to `written`.
void write_halo_outputs(run_context& ctx, const lf::snapshot_view<float>& s, double z, lf::io::atomic_file_set& set,
                        std::vector<std::string>& written);

/// The pictures of the committed tables of output redshift z.
void plot_halo_outputs(const run_context& ctx, double z);

/// [halos] with [lightcone], after the run: the haloes of every shell file together (an open
/// point set about the observer, halos/lightcone_halos.hpp) written as
///   lightcone_halos.txt, .png        one row per halo: its a, sky position and redshifts; the
///                                    haloes on the sky and a wedge (scripts/plot_halos.py)
///   lightcone_fof_subhalo_tab.hdf5   the same groups as a Gadget-4 group catalogue (IDs: the
///                                    particle ids of the crossings)
///   lightcone_galaxies.hdf5          with hod = true: the galaxies with RA, DEC, ZCos, ZObs
///   lightcone_nz.txt                 n(z) of the haloes (and galaxies) in bins of about 0.01
///   lightcone_mass_function.txt, .png  dn/dlnM of the haloes in the lightcone's volume against
///                                    the fits averaged over that volume
///   lightcone_multipoles.txt, .png   with hod and multipoles: the galaxies' P0, P2, P4 with the
///                                    local line of sight, in redshift and real space
/// each atomically.
void write_lightcone_halos(run_context& ctx);

}  // namespace lagframe_run
