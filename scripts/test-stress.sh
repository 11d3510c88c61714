#!/usr/bin/env bash
# npm run test:stress: the README's test command while every core is kept busy by scripts/cpu-burn.js,
# as on a busy laptop or a shared CI runner. A race in a test (or in the engine) that an idle machine
# hides shows up here. Arguments go to jest.
#   STRESS_PROCS        busy processes (default: one per core)
#   STRESS_MAX_SECONDS  the busy processes stop after this long whatever happens (default 7200)
set -uo pipefail
cd "$(dirname "$0")/.."
node scripts/cpu-burn.js "${STRESS_PROCS:-$(nproc)}" "${STRESS_MAX_SECONDS:-7200}" &
burn=$!
trap 'kill "$burn" 2>/dev/null; wait "$burn" 2>/dev/null' EXIT
# The load average, sampled every 30 s, for the closing report.
loads="$(mktemp)"
( while sleep 30; do cut -d' ' -f1 /proc/loadavg >>"$loads"; done ) &
sampler=$!
trap 'kill "$burn" "$sampler" 2>/dev/null; wait "$burn" 2>/dev/null; rm -f "$loads" "$out"' EXIT
out="$(mktemp)"
started=$(date +%s)
bash scripts/test.sh "$@" | tee "$out"
code=${PIPESTATUS[0]}
echo "under CPU pressure: $(( $(date +%s) - started )) s, load average $(sort -n "$loads" | awk 'NR==1{min=$1} {max=$1; s+=$1; n++} END {if (n) printf "%.1f-%.1f (mean %.1f)", min, max, s/n; else print "not sampled"}')"
tail -n 1 "$out"   # the closing "N passed, N failed" stays the last line
exit "$code"
