"""The benchmark query in DuckDB or polars-python, for side-by-side ratios.

usage: python compare.py duckdb|polars FILE.csv|FILE.parquet

Weekly (ISO, Monday start) incidents and fatalities by the 10 most frequent
actors plus "Other", counting incidents dated to the day or week, as
`sitrep agg --every week --by actor --top 10 --metric incidents,fatalities`
does. Prints the number of result rows (so the engines can be cross-checked).
"""
import sys


def run_polars(path):
    import polars as pl

    lf = pl.scan_csv(path, schema_overrides={"fatalities": pl.Int64}) if path.endswith(".csv") else pl.scan_parquet(path)
    lf = lf.filter(pl.col("date_precision").is_in(["day", "week"]) | pl.col("date_precision").is_null())
    if path.endswith(".csv"):
        lf = lf.with_columns(pl.col("date").str.to_date("%Y-%m-%d"))
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

    src = f"read_csv('{path}', header=true)" if path.endswith(".csv") else f"read_parquet('{path}')"
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


if __name__ == "__main__":
    engine, path = sys.argv[1], sys.argv[2]
    print({"polars": run_polars, "duckdb": run_duckdb}[engine](path))
