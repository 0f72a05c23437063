"""The benchmark queries in DuckDB or polars-python, for side-by-side ratios.

usage: python compare.py duckdb|polars weekly|grid FILE.csv|FILE.parquet

weekly: weekly (ISO, Monday start) incidents and fatalities by the 10 most
  frequent actors plus "Other", counting incidents dated to the day or week, as
  `sitrep agg --every week --by actor --top 10 --metric incidents,fatalities`.
grid: monthly incidents and fatalities by target_type x country, every month
  x every pair present, zero-filled, counting incidents dated to the day, week
  or month, as `sitrep agg --every month --by target_type,country --fill-zeros`.
  (sitrep also normalises target types with its taxonomy, which these do not.)
copy: the CSV into a Parquet file (DuckDB's COPY, polars' sink_parquet), beside
  `sitrep ingest`, which also validates, normalises and upserts.
Prints the number of result rows (so the engines can be cross-checked).
"""
import sys


def polars_base(path, precisions):
    """The incidents placeable at these precisions (unknown counts as day), dates parsed."""
    import polars as pl

    lf = pl.scan_csv(path, schema_overrides={"fatalities": pl.Int64}) if path.endswith(".csv") else pl.scan_parquet(path)
    lf = lf.filter(pl.col("date_precision").is_in(precisions) | pl.col("date_precision").is_null())
    if path.endswith(".csv"):
        lf = lf.with_columns(pl.col("date").str.to_date("%Y-%m-%d"))
    return lf


def duckdb_source(path):
    return f"read_csv('{path}', header=true)" if path.endswith(".csv") else f"read_parquet('{path}')"


def run_polars(path):
    import polars as pl

    lf = polars_base(path, ["day", "week"])
    lf = lf.select(["date", "actor", "fatalities"]).with_columns(pl.col("date").dt.truncate("1w").alias("week"))
    top = lf.group_by("actor").len().sort(["len", "actor"], descending=[True, False]).head(10).select(
        "actor", pl.lit(True).alias("keep")
    )
    out = (
        lf.join(top, on="actor", how="left")
        .with_columns(pl.when(pl.col("keep")).then(pl.col("actor")).otherwise(pl.lit("Other")).alias("grp"))
        .group_by(["week", "grp"])
        .agg(pl.len().alias("incidents"), pl.col("fatalities").sum())
        .sort(["week", "grp"])
        .collect()
    )
    return out.height


def run_duckdb(path):
    import duckdb

    src = duckdb_source(path)
    sql = f"""
        WITH base AS (
            SELECT CAST(date AS DATE) AS d, actor, fatalities FROM {src}
            WHERE date_precision IN ('day', 'week') OR date_precision IS NULL),
        top AS (SELECT actor FROM base GROUP BY actor ORDER BY count(*) DESC, actor LIMIT 10)
        SELECT date_trunc('week', d) AS wk,
               CASE WHEN actor IN (SELECT actor FROM top) THEN actor ELSE 'Other' END AS grp,
               count(*) AS incidents, sum(fatalities) AS fatalities
        FROM base GROUP BY ALL ORDER BY 1, 2"""
    return len(duckdb.sql(sql).fetchall())


def grid_polars(path):
    import polars as pl

    lf = polars_base(path, ["day", "week", "month"])
    lf = lf.select(["date", "target_type", "country", "fatalities"]).with_columns(
        pl.col("date").dt.truncate("1mo").alias("month")
    )
    counts = lf.group_by(["month", "target_type", "country"]).agg(pl.len().alias("incidents"), pl.col("fatalities").sum())
    bounds = lf.select(pl.col("month").min().alias("lo"), pl.col("month").max().alias("hi"))
    months = bounds.select(pl.date_ranges("lo", "hi", "1mo").alias("month")).explode("month")
    pairs = counts.select(["target_type", "country"]).unique()
    out = (
        months.join(pairs, how="cross")
        .join(counts, on=["month", "target_type", "country"], how="left", nulls_equal=True)
        .with_columns(pl.col("incidents").fill_null(0), pl.col("fatalities").fill_null(0))
        .sort(["month", "target_type", "country"])
        .collect()
    )
    return out.height


def grid_duckdb(path):
    import duckdb

    src = duckdb_source(path)
    sql = f"""
        WITH base AS (
            SELECT date_trunc('month', CAST(date AS DATE)) AS m, target_type, country, fatalities FROM {src}
            WHERE date_precision IN ('day', 'week', 'month') OR date_precision IS NULL),
        counts AS (SELECT m, target_type, country, count(*) AS n, sum(fatalities) AS f FROM base GROUP BY ALL),
        months AS (SELECT unnest(generate_series(min(m), max(m), INTERVAL 1 MONTH)) AS m FROM counts),
        pairs AS (SELECT DISTINCT target_type, country FROM counts)
        SELECT months.m, pairs.target_type, pairs.country, coalesce(n, 0), coalesce(f, 0)
        FROM months CROSS JOIN pairs
        LEFT JOIN counts ON counts.m = months.m
            AND counts.target_type IS NOT DISTINCT FROM pairs.target_type
            AND counts.country IS NOT DISTINCT FROM pairs.country
        ORDER BY 1, 2, 3"""
    return len(duckdb.sql(sql).fetchall())


def copy_duckdb(path):
    """The CSV into Parquet: what `sitrep ingest` is measured against (issue 17)."""
    import duckdb

    out = path + ".duckdb.parquet"
    duckdb.sql(f"COPY (FROM read_csv('{path}', header=true)) TO '{out}' (FORMAT parquet)")
    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}')").fetchall()[0][0]


def copy_polars(path):
    import polars as pl

    out = path + ".polars.parquet"
    pl.scan_csv(path, schema_overrides={"fatalities": pl.Int64}).sink_parquet(out)
    return pl.scan_parquet(out).select(pl.len()).collect().item()


if __name__ == "__main__":
    engine, query, path = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = {
        ("polars", "weekly"): run_polars,
        ("duckdb", "weekly"): run_duckdb,
        ("polars", "grid"): grid_polars,
        ("duckdb", "grid"): grid_duckdb,
        ("duckdb", "copy"): copy_duckdb,
        ("polars", "copy"): copy_polars,
    }
    print(runs[(engine, query)](path))
