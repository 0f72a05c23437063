#!/usr/bin/env bash
# Benchmark: generate synthetic incidents, then time sitrep from CSV and from
# the Parquet store, printing wall time and peak RSS:
#   weekly  weekly incidents + fatalities by the top-10 actors + "Other"
#   grid    monthly target_type x country grid, zero-filled
#   report  a full `sitrep weekly` report (4 charts + summary) on the store
#   ingest  CSV into the store, beside DuckDB's COPY and polars' sink_parquet
#   check   `sitrep check` on the CSV, as a ratio to the weekly query on it
#
#   bench/query.sh [ROWS...]        default: 1000000 10000000
#   BENCH_50M=1 bench/query.sh      also a 50M-row Parquet store (generated
#                                   directly, ~1.7 GB), weekly query only
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

row() { printf '%-10s %-40s %10s %12s%s\n' "$1" "$2" "$3" "$4" "${5:-}"; }
row rows step seconds "peak MB"

# Time sitrep on one query and source, then DuckDB and polars on the same, with ratios.
compare() {
  local n=$1 name=$2 src=$3 kind=$4; shift 4
  local ts ms te me
  read -r ts ms < <(measure "$runs" "$bin" "$@")
  row "$n" "$name, from $kind" "$ts" "$ms"
  [ -n "$py" ] || return 0
  for engine in duckdb polars; do
    read -r te me < <(measure "$runs" "$py" bench/compare.py "$engine" "$name" "$src")
    row "$n" "  $engine" "$te" "$me" "   sitrep/$engine = $(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.2f", a / b }')x"
  done
}

weekly=(agg --every week --by actor --top 10 --metric incidents,fatalities --format csv)
grid=(agg --every month --by target_type,country --fill-zeros --metric incidents,fatalities --format csv)

for n in "${rows[@]}"; do
  csv="$dir/incidents_$n.csv"
  store="$dir/store_$n.parquet"
  [ -s "$csv" ] || "$bin" gen --rows "$n" --seed 42 --out "$csv"
  rm -f "$store"
  read -r t m < <(measure 1 "$bin" ingest "$csv" --store "$store" --quiet)
  row "$n" "ingest CSV into store" "$t" "$m"
  if [ -n "$py" ]; then
    for engine in duckdb polars; do
      read -r te me < <(measure 1 "$py" bench/compare.py "$engine" copy "$csv")
      row "$n" "  $engine CSV -> Parquet" "$te" "$me" "   ingest/$engine = $(awk -v a="$t" -v b="$te" 'BEGIN { printf "%.2f", a / b }')x"
    done
  fi
  # check costs no more than a query (target: <= 1.2x weekly from the CSV).
  read -r tc mc < <(measure "$runs" "$bin" check "$csv")
  read -r tw _ < <(measure "$runs" "$bin" "${weekly[@]}" "$csv")
  row "$n" "check CSV" "$tc" "$mc" "   check/weekly = $(awk -v a="$tc" -v b="$tw" 'BEGIN { printf "%.2f", a / b }')x"
  compare "$n" weekly "$csv" CSV "${weekly[@]}" "$csv"
  compare "$n" weekly "$store" store "${weekly[@]}" --store "$store"
  compare "$n" grid "$csv" CSV "${grid[@]}" "$csv"
  compare "$n" grid "$store" store "${grid[@]}" --store "$store"
  # A full weekly report over the store, against one weekly query on it.
  cfg="$dir/weekly_$n.toml"
  sed "s|@STORE@|$store|" bench/weekly.toml > "$cfg"
  read -r tq _ < <(measure "$runs" "$bin" "${weekly[@]}" --store "$store")
  read -r tr mr < <(measure "$runs" "$bin" weekly --config "$cfg" --as-of 2024-12-31 --out "$dir/reports" --quiet)
  row "$n" "weekly report (4 charts), from store" "$tr" "$mr" "   report/query = $(awk -v a="$tr" -v b="$tq" 'BEGIN { printf "%.2f", a / b }')x"
  row "$n" "CSV size (MB)" "$(( $(stat -c %s "$csv") / 1048576 ))" ""
  row "$n" "store size (MB)" "$(( $(stat -c %s "$store") / 1048576 ))" ""
done

if [ "${BENCH_50M:-0}" = 1 ]; then
  n=50000000
  store="$dir/store_$n.parquet"
  [ -s "$store" ] || "$bin" gen --rows "$n" --seed 42 --out "$store"
  compare "$n" weekly "$store" store "${weekly[@]}" --store "$store"
fi
