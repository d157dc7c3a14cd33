# The small haloes of a cut spectrum, counted on the particles and on the Lagrangian sheet
# (examples/sheet_fragmentation with N = 64, the default sheet source only; docs/physics.md
# §15.6). M_lim (Wang & White 2007) = 105 particle masses. Measured (groups of at least 20
# particle masses, below / at or above M_lim):
#   (2N)³ particles, found on its particles            17 / 19  (the converged count)
#   (2N)³ particles, found on its N³-grid particles     84 / 22
#   N³ particles, found on its particles / its sheet    88 / 24,  12 / 19
#   N³ sheet source, found on its particles / its sheet 82 / 24,  18 / 18
# Checked: found on the sheet (source::sheet_samples, 2³ points per cell), both N³ runs match the
# converged count below M_lim within a factor 1.5 and above it within 20 %; found on N³ particles,
# every run, the (2N)³ run included, has at least 3 times the converged count below M_lim (the
# excess is the finder's coarse sampling, not the dynamics). Usage: cmake -DPROGRAM=... -P ...
execute_process(COMMAND "${PROGRAM}" 64 2 128 default RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sheet_fragmentation failed (${rc}): ${err}")
endif()
function(counts row on)
  string(REGEX MATCH "groups ${row} / ${on}: below M_lim ([0-9]+), above ([0-9]+)" line "${out}")
  if(NOT line)
    message(FATAL_ERROR "no summary line for '${row} / ${on}'")
  endif()
  set(below ${CMAKE_MATCH_1} PARENT_SCOPE)
  set(above ${CMAKE_MATCH_2} PARENT_SCOPE)
endfunction()
counts("\\(2N\\)\\^3 particles" "particles")
set(ref_below ${below})
set(ref_above ${above})
if(ref_below LESS 10 OR ref_above LESS 10)
  message(FATAL_ERROR "the reference has too few groups to compare (${ref_below} / ${ref_above})")
endif()
math(EXPR coarse_limit "3 * ${ref_below}")
math(EXPR below_low "${ref_below} * 2 / 3")
math(EXPR below_high "${ref_below} * 3 / 2")
math(EXPR above_low "${ref_above} * 4 / 5")
math(EXPR above_high "${ref_above} * 6 / 5")
foreach(row "\\(2N\\)\\^3 particles / its N\\^3-grid particles" "N\\^3 particles / particles" "N\\^3 sheet \\(default\\) / particles")
  string(REGEX MATCH "groups ${row}: below M_lim ([0-9]+)" line "${out}")
  if(NOT line)
    message(FATAL_ERROR "no summary line for '${row}'")
  endif()
  if(CMAKE_MATCH_1 LESS coarse_limit)
    message(FATAL_ERROR "'${row}': ${CMAKE_MATCH_1} groups below M_lim, expected at least 3 x ${ref_below}: the finder's sampling no longer shows")
  endif()
endforeach()
foreach(row "N\\^3 particles" "N\\^3 sheet \\(default\\)")
  counts("${row}" "sheet")
  if(below LESS below_low OR below GREATER below_high)
    message(FATAL_ERROR "'${row}' found on its sheet: ${below} groups below M_lim, expected ${below_low}..${below_high} (reference ${ref_below})")
  endif()
  if(above LESS above_low OR above GREATER above_high)
    message(FATAL_ERROR "'${row}' found on its sheet: ${above} groups above M_lim, expected ${above_low}..${above_high} (reference ${ref_above})")
  endif()
endforeach()
