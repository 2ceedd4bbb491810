#!/usr/bin/env bash
# Regenerates the headline table of scenarios/README.md from real runs:
#   scenarios/table.sh > /tmp/table.md
# Each bundled scenario is run with its own seed and replications (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
metrics="service_level fcr repeat_contacts_per_issue resolved_share satisfaction_mean csat_surveyed cost_per_resolved"
printf '| file |'
for m in $metrics; do printf ' %s |' "$m"; done
printf '\n|---|'
for _ in $metrics; do printf -- '---|'; done
printf '\n'
for f in scenarios/*.toml; do
  name=$(basename "$f" .toml)
  ./target/release/ccsim run "$f" --out "$out/$name" --quiet
  printf '| `%s` |' "$(basename "$f")"
  for m in $metrics; do
    v=$(awk -F, -v m="$m" '$2 == m && $3 != "" { printf "%.3g", $3 }' "$out/$name/summary.csv")
    printf ' %s |' "${v:--}"
  done
  printf '\n'
done
