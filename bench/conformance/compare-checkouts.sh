#!/usr/bin/env bash
# The 100-gate run of bench/conformance-scale in two checkouts, alternating in fresh processes with
# the order swapped every round, so both meet the same load; each row is prefixed with its side
# and each run with the load average it started at. The code before and after a change, side by side:
#
#   bench/conformance/compare-checkouts.sh /tmp/base-checkout [rounds, default 3]
#
# MODES as bench/conformance-scale takes them (default in-process:16,worker:16). Each checkout needs
# its node_modules (a symlink to this one's will do).
set -euo pipefail
before=$(cd "${1:?usage: compare-checkouts.sh <checkout before> [rounds]}" && pwd)
after=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${2:-3}
modes=${MODES:-in-process:16,worker:16}
for round in $(seq 1 "$rounds"); do
  sides=(before after)
  if (( round % 2 == 0 )); then sides=(after before); fi
  for side in "${sides[@]}"; do
    dir=$([[ $side == before ]] && echo "$before" || echo "$after")
    echo "## round $round, $side ($dir), $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$dir" && MODES=$modes ROUNDS=1 npx tsx bench/conformance-scale/run.ts 100 2>/dev/null | grep '^| 100' | sed "s/^/$side /")
  done
done
echo "## done, $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
