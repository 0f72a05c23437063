#!/usr/bin/env bash
# Benchmark: generate synthetic incidents, then time sitrep's weekly-by-top-10-actor
# query from CSV and from the Parquet store, printing wall time and peak RSS.
#
#   bench/query.sh [ROWS...]        default: 1000000 10000000
#
# Where Python can install duckdb and polars from PyPI (into $BENCH_DIR/venv),
# the same query runs in them too, alternating with sitrep, and the ratios are
# printed; otherwise only sitrep's figures are.
#
# Data goes to $BENCH_DIR (default /tmp/sitrep-bench), outside the repository.
# Each figure is the median of $RUNS fresh processes (default 3). Uses
# $CARGO_TARGET_DIR when set. Peak RSS needs GNU time (/usr/bin/time); without
# it only wall time is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(1000000 10000000)
dir=${BENCH_DIR:-/tmp/sitrep-bench}
runs=${RUNS:-3}
mkdir -p "$dir"
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/sitrep"

have_time=0
[ -x /usr/bin/time ] && have_time=1

# Run a command N times; print "median_seconds peak_rss_mb".
measure() {
  local n=$1; shift
  local times=() rss=()
  for _ in $(seq "$n"); do
    if [ $have_time = 1 ]; then
      local out
      /usr/bin/time -f "%e %M" -o "$dir/.time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
      out=$(tail -n 1 "$dir/.time")
      times+=("${out% *}")
      rss+=("${out#* }")
    else
      local t0 t1
      t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N)
      times+=("$(echo "$t1 - $t0" | bc)")
      rss+=(0)
    fi
  done
  local mt mr
  mt=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p")
  mr=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
  printf '%s %s\n' "$mt" "$(( mr / 1024 ))"
}

py=""
if [ "${BENCH_COMPARE:-1}" = 1 ] && command -v python3 >/dev/null; then
  if [ -x "$dir/venv/bin/python" ] || { python3 -m venv "$dir/venv" && "$dir/venv/bin/pip" install -q duckdb polars; } >/dev/null 2>&1; then
    "$dir/venv/bin/python" -c "import duckdb, polars" 2>/dev/null && py="$dir/venv/bin/python"
  fi
fi
[ -n "$py" ] || echo "(duckdb/polars not available: printing sitrep's figures only)"

printf '%-10s %-34s %10s %12s\n' rows step "seconds" "peak MB"
for n in "${rows[@]}"; do
  csv="$dir/incidents_$n.csv"
  store="$dir/store_$n.parquet"
  if [ ! -s "$csv" ]; then
    "$bin" gen --rows "$n" --seed 42 --out "$csv"
  fi
  rm -f "$store"
  read -r t m < <(measure 1 "$bin" ingest "$csv" --store "$store" --quiet)
  printf '%-10s %-34s %10s %12s\n' "$n" "ingest CSV into store" "$t" "$m"
  q=(agg --every week --by actor --top 10 --metric incidents,fatalities --format csv)
  read -r t m < <(measure "$runs" "$bin" "${q[@]}" "$csv")
  printf '%-10s %-34s %10s %12s\n' "$n" "weekly top-10 actors, from CSV" "$t" "$m"
  read -r t m < <(measure "$runs" "$bin" "${q[@]}" --store "$store")
  printf '%-10s %-34s %10s %12s\n' "$n" "weekly top-10 actors, from store" "$t" "$m"
  if [ -n "$py" ]; then
    for src in "$csv" "$store"; do
      kind=CSV; [ "$src" = "$store" ] && kind=Parquet
      read -r ts ms < <(measure "$runs" "$bin" "${q[@]}" $([ "$src" = "$store" ] && echo --store) "$src")
      for engine in duckdb polars; do
        read -r te me < <(measure "$runs" "$py" bench/compare.py "$engine" "$src")
        ratio=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.2f", a / b }')
        printf '%-10s %-34s %10s %12s   sitrep/%s = %sx\n' "$n" "  $engine, from $kind" "$te" "$me" "$engine" "$ratio"
      done
    done
  fi
  printf '%-10s %-34s %10s\n' "$n" "CSV size (MB)" "$(( $(stat -c %s "$csv") / 1048576 ))"
  printf '%-10s %-34s %10s\n' "$n" "store size (MB)" "$(( $(stat -c %s "$store") / 1048576 ))"
done
