#!/usr/bin/env bash
# The README's test command (npm test): jest with the real servers its global setup starts, then the
# closing line "N passed, N failed" as the very last line of output. Arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.."
summary="$(mktemp)"
OUTREACH_TEST_SUMMARY_FILE="$summary" npx jest "$@"
code=$?
if [ -s "$summary" ]; then
  echo
  cat "$summary"
else
  echo
  echo "0 passed, 1 failed"   # jest stopped before reporting (e.g. the global setup failed)
  [ "$code" -eq 0 ] && code=1
fi
rm -f "$summary"
exit "$code"
