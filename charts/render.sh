#!/usr/bin/env bash
# Render every chart kind on the bundled UCDP Syria data into charts/ (SVG and PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet || exit 1
bin="${CARGO_TARGET_DIR:-target}/release/sitrep"
S=data/ucdp_ged_syria_2016-2019.csv
A=(--annotations data/annotations.csv)
for fmt in svg png; do
  "$bin" chart $S --every month --by actor_parent --top 6 --kind stacked "${A[@]}" --out charts/ucdp_syria_monthly_stacked.$fmt
  "$bin" chart $S --every week --kind bar --from 2019-01-01 "${A[@]}" --title "UCDP-recorded events in Syria per week, 2019" --out charts/ucdp_syria_weekly_bar.$fmt
  "$bin" chart $S --every month --by actor_parent --top 5 --kind line "${A[@]}" --out charts/ucdp_syria_monthly_line.$fmt
  "$bin" chart $S --every week --by actor_parent --top 5 --kind cumulative --since 2019-01-01 --from 2018-10-01 "${A[@]}" --out charts/ucdp_syria_cumulative_2019.$fmt
  "$bin" chart $S --every month --by admin1 --top 12 --kind heatmap --out charts/ucdp_syria_admin1_heatmap.$fmt
  "$bin" chart $S --every quarter --by actor_parent --top 8 --kind small-multiples --out charts/ucdp_syria_quarterly_multiples.$fmt
done 2>/dev/null
ls -la charts
