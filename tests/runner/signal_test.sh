#!/bin/sh
# Interrupt lagframe-run while it writes 4-file Gadget snapshots, ten times: 128^3 particles,
# outputs at z = 49 (the initial state), 1 and 0, each snapshot about 64 MB. Each run is sent
# SIGTERM (the last one SIGINT) at a random moment after the first temporary file of a snapshot
# appears. Checks: exit status 128 + signal, one line on stderr saying what was completed,
# every snapshot in the output folder whole (all 4 parts or none), no temporary file, and
# run_summary.txt marked interrupted.
#
#   signal_test.sh RUNNER CONFIG WORK
set -u
runner=$1
config=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
failed=0
during=0
i=0
while [ "$i" -lt 10 ]; do
  i=$((i + 1))
  out="$work/run$i"
  sig=TERM
  expect=143
  if [ "$i" -eq 10 ]; then
    sig=INT
    expect=130
  fi
  "$runner" "$config" --set box.particles_1d=128 --set force.grid_1d=128 --set stepper.steps=2 \
    --set 'output.redshifts=[49.0,1.0,0.0]' --set 'output.snapshot="gadget_hdf5"' --set output.snapshot_files=4 \
    --set output.power_spectrum=false --set output.slice=false --set output.plots=false \
    --set "output.directory=\"$out\"" >"$work/stdout$i" 2>"$work/stderr$i" &
  pid=$!
  # The first temporary of a snapshot, then a random delay of up to 0.06 s (a snapshot takes
  # 0.05-0.1 s to write here; later kills land in the following step).
  while ! ls "$out"/*.tmp >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
  done
  delay=$(awk -v seed="$$$i" 'BEGIN { srand(seed); printf "%.3f", rand() * 0.06 }')
  sleep "$delay"
  if ls "$out"/*.tmp >/dev/null 2>&1; then during=$((during + 1)); fi
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  problem=""
  if [ "$rc" -ne "$expect" ]; then
    problem="exit status $rc, expected $expect"
  elif [ "$(wc -l <"$work/stderr$i")" -ne 1 ] || ! grep -q "interrupted by signal .* after step [0-9]*/3; complete outputs: " "$work/stderr$i"; then
    problem="stderr is not one line saying what was completed"
  elif ls "$out" | grep -q '\.tmp$'; then
    problem="temporary files left: $(ls "$out" | grep '\.tmp$' | tr '\n' ' ')"
  elif ! grep -q "^# status: interrupted by signal" "$out/run_summary.txt"; then
    problem="run_summary.txt is not marked interrupted"
  else
    for z in z49.000 z1.000 z0.000; do
      parts=$(ls "$out" | grep -c "^snapshot_$z\.[0-3]\.hdf5$")
      if [ "$parts" -ne 0 ] && [ "$parts" -ne 4 ]; then
        problem="snapshot_$z has $parts of 4 parts"
      fi
      if [ "$parts" -eq 4 ] && ! grep -q "complete outputs: .*${z#z}" "$work/stderr$i"; then
        problem="snapshot_$z is whole but not reported as complete"
      fi
    done
  fi
  echo "run $i: SIG$sig after ${delay}s -> exit $rc: $(cat "$work/stderr$i")"
  if [ -n "$problem" ]; then
    echo "  FAIL: $problem"
    ls -la "$out"
    failed=1
  fi
done
echo "$during of 10 signals were sent while a snapshot temporary existed"
if [ "$during" -lt 3 ]; then
  echo "FAIL: too few signals arrived during snapshot writes to test them"
  failed=1
fi
exit "$failed"
