#!/usr/bin/env python3
"""Issue 18: the statements `sitrep sql` prints, run on real engines.

For the bundled UCDP file and a 1M-row generated store, and for each query
shape below, runs the Spark SQL on Spark (pyspark, local[2], Java 17) and the
DuckDB SQL on DuckDB over the same Parquet, and the BigQuery SQL parsed by
sqlglot's BigQuery dialect, transpiled to DuckDB and run there. Each result
goes to `sitrep agg --aggregate`, whose output must be byte-identical to
sitrep's own run on the store; one chart's SVG and a whole report (through
`sitrep sql --config --into`) are compared the same way.

    python3 .ci/engines_check.py BIN

Installs pyspark, duckdb and sqlglot (pinned) into a venv under
${XDG_CACHE_HOME:-~/.cache}/sitrep-ci when missing, never into the
repository. Prints one timing line per engine; exits 1 on any difference.
"""

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
import time

PINS = {"pyspark": "4.3.0", "duckdb": "2.0.0", "sqlglot": "30.30.0"}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def venv_python():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    venv = os.path.join(cache, "sitrep-ci", "venv")
    py = os.path.join(venv, "bin", "python")
    want = [f"{k}=={v}" for k, v in PINS.items()]
    check = "import importlib.metadata as m, sys; " + "; ".join(
        f"sys.exit(1) if m.version({k!r}) != {v!r} else None" for k, v in PINS.items()
    )
    if not (os.path.exists(py) and subprocess.run([py, "-c", check], capture_output=True).returncode == 0):
        t0 = time.time()
        if not os.path.exists(py):
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", *want], check=True)
        print(f"installed {', '.join(want)} into {venv} in {time.time() - t0:.0f} s", flush=True)
    return py


# Query shapes: the flags both sides take, and shapes only the local side of
# sitrep applies (on the engine's result or on the incidents).
SHAPES = [
    ("weekly ISO", "--every week", "--fill-zeros"),
    ("weekly Saturday by actor", "--every week --week-start sat --by actor", "--top 5 --fill-zeros"),
    ("7-day windows anchored", "--every 7d --anchor 2019-01-03", "--rolling 4"),
    ("monthly by actor_parent", "--every month --by actor_parent", "--top 4 --compare"),
    ("quarterly", "--every quarter", "--cumulative"),
    ("yearly by two columns", "--every year --by actor_parent,country", ""),
    ("by actor, whole range", "--by actor", "--top 10"),
    ("weekly by two columns", "--every week --by country,target_type", "--top 6"),
    ("min precision week", "--every week --min-precision week", "--fill-zeros"),
    ("split actors", "--every month --by actor --split-actors", "--top 5"),
    ("split actors, one actor", "--every 14d --by actor_parent --split-actors --where actor=IS", ""),
    ("filters and dates", "--every month --where country=Syria --from 2017-01-01 --to 2018-06-30", "--fill-zeros"),
    ("Sunday weeks, week 53", "--every week --week-start sun --from 2020-12-01 --to 2021-01-31", "--fill-zeros"),
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def sitrep(binary, *args):
    p = run([binary, *args])
    if p.returncode != 0:
        raise RuntimeError(f"sitrep {' '.join(args)} failed: {p.stderr}")
    return p.stdout


# Canonical views: the same file loaded raw as the source table, the view
# over it against sitrep's own ingest of it. These columns must agree on
# every row; the others (names the alias table knows only by convention,
# GDELT's CAMEO codes, keyword categories in free text) are counted.
EXACT = ["incident_id", "date", "date_end", "date_precision", "country", "admin1", "location", "latitude",
         "longitude", "event_type", "fatalities", "fatalities_low", "fatalities_high", "source", "notes"]
GDELT_COLUMNS = (["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
                 + [f"{w}{p}" for w in ("Actor1", "Actor2") for p in (
                     "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                     "Religion2Code", "Type1Code", "Type2Code", "Type3Code")]
                 + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
                    "NumMentions", "NumSources", "NumArticles", "AvgTone"]
                 + [f"{g}_{p}" for g in ("Actor1Geo", "Actor2Geo", "ActionGeo") for p in (
                     "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")]
                 + ["DATEADDED", "SOURCEURL"])


def views(binary, work, failures):
    import duckdb
    import sqlglot
    files = [
        ("ucdp", os.path.join(REPO, "data", "ucdp_ged_syria_2016-2019.csv"), None),
        ("acled", os.path.join(REPO, "tests", "data", "acled_iraq_syria_yemen.csv"), None),
        ("gdelt", os.path.join(REPO, "tests", "data", "gdelt2_iraq_syria_yemen.export.CSV"), GDELT_COLUMNS),
    ]
    for preset, path, names in files:
        store = os.path.join(work, f"view-{preset}.parquet")
        sitrep(binary, "ingest", "--quiet", "--store", store, path)
        for dialect in ("duckdb", "spark", "bigquery"):
            con = duckdb.connect()
            if names:
                con.execute(f"CREATE TABLE src AS SELECT * FROM read_csv('{path}', all_varchar = true, "
                            f"header = false, delim = '\t', quote = '', names = {names!r})")
            else:
                con.execute(f"CREATE TABLE src AS SELECT * FROM read_csv('{path}', all_varchar = true, header = true)")
            texts = [sitrep(binary, "sql", "--mapping-table", "--dialect", dialect, "--table", "sitrep_mapping"),
                     sitrep(binary, "sql", "--view", "--preset", preset, "--dialect", dialect, "--table", "src",
                            "--name", "v")]
            for text in texts:
                statements = [text] if dialect == "duckdb" else sqlglot.transpile(text, read=dialect, write="duckdb")
                for st in statements:
                    con.execute(st)
            con.execute(f"CREATE VIEW local AS SELECT * FROM read_parquet('{store}')")
            rows = con.execute("SELECT count(*) FROM v").fetchone()[0]
            local = con.execute("SELECT count(*) FROM local").fetchone()[0]
            differ = {}
            for column in [r[0] for r in con.execute("DESCRIBE v").fetchall()]:
                differ[column] = con.execute(
                    f'SELECT count(*) FROM v JOIN local l USING (incident_id) '
                    f'WHERE v."{column}" IS DISTINCT FROM l."{column}"').fetchone()[0]
            bad = {c: n for c, n in differ.items() if c in EXACT and n}
            if rows != local or bad:
                failures.append(f"view {preset} ({dialect}): {rows} rows vs {local}; differ {bad}")
                print(f"FAIL view {preset} ({dialect}): {rows} rows vs {local} local; differ {bad}", flush=True)
            others = ", ".join(f"{c} {n}" for c, n in differ.items() if n and c not in EXACT) or "none"
            print(f"view {preset} ({dialect}): {rows} rows, {len(EXACT)} columns equal on every row; "
                  f"rows differing elsewhere: {others}", flush=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    py = venv_python()
    # The venv's python is a link to this one: compare the environments, not the files.
    if os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(py))):
        sys.exit(subprocess.run([py, os.path.abspath(__file__), binary]).returncode)

    import duckdb
    import sqlglot
    from pyspark.sql import SparkSession

    work = tempfile.mkdtemp(prefix="sitrep-engines-")
    failures = []
    timings = {"spark": [0.0, 0], "duckdb": [0.0, 0], "bigquery": [0.0, 0]}
    try:
        stores = {}
        ucdp = os.path.join(work, "ucdp")  # partitioned by year, as the Spark recipe makes it
        sitrep(binary, "ingest", "--quiet", "--partition", "year", "--store", ucdp,
               os.path.join(REPO, "data", "ucdp_ged_syria_2016-2019.csv"))
        stores["ucdp"] = ucdp
        gen_csv = os.path.join(work, "gen.csv")
        sitrep(binary, "gen", "--rows", os.environ.get("SITREP_ENGINES_ROWS", "1000000"), "--seed", "18",
               "--out", gen_csv)
        gen = os.path.join(work, "gen.parquet")
        sitrep(binary, "ingest", "--quiet", "--store", gen, gen_csv)
        os.remove(gen_csv)
        stores["gen"] = gen

        spark = (SparkSession.builder.master("local[2]").appName("sitrep-engines")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.session.timeZone", "UTC")
                 .config("spark.driver.memory", "2g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        con = duckdb.connect()

        def parquet_glob(path):
            return f"{path}/**/*.parquet" if os.path.isdir(path) else path

        def on_spark(sql, out):
            t0 = time.time()
            spark.sql(sql).coalesce(1).write.csv(out, header=True, escape='"', ignoreLeadingWhiteSpace=False,
                                                 ignoreTrailingWhiteSpace=False, dateFormat="yyyy-MM-dd")
            timings["spark"][0] += time.time() - t0
            timings["spark"][1] += 1

        def on_duckdb(sql, out, engine="duckdb"):
            t0 = time.time()
            con.execute(f"COPY ({sql}) TO '{out}' (HEADER)")
            timings[engine][0] += time.time() - t0
            timings[engine][1] += 1

        def bigquery_on_duckdb(sql, out):
            text = sqlglot.transpile(sql, read="bigquery", write="duckdb")
            assert len(text) == 1, text
            on_duckdb(text[0], out, "bigquery")

        def compare(what, local, remote):
            if local == remote:
                return
            diff = "".join(list(difflib.unified_diff(local.splitlines(True), remote.splitlines(True),
                                                     "local", "engine"))[:40])
            failures.append(f"{what}\n{diff}")
            print(f"FAIL {what}\n{diff}", flush=True)

        for name, store in stores.items():
            con.execute(f"CREATE OR REPLACE VIEW incidents AS SELECT * FROM read_parquet('{parquet_glob(store)}'"
                        f"{', hive_partitioning = true' if os.path.isdir(store) else ''})")
            for label, flags, shape in SHAPES:
                q = flags.split()
                local = sitrep(binary, "agg", "--format", "csv", "--store", store, *q, *shape.split())
                for engine, runner in (("spark", on_spark), ("duckdb", on_duckdb), ("bigquery", bigquery_on_duckdb)):
                    # Spark and DuckDB read the store's own path (a partitioned folder or a file);
                    # BigQuery names a table.
                    table = store if engine != "bigquery" else "sitrep.incidents"
                    sql = sitrep(binary, "sql", "--dialect", engine, "--table", table, *q)
                    if engine == "bigquery":
                        con.execute("CREATE SCHEMA IF NOT EXISTS sitrep")
                        con.execute("CREATE OR REPLACE VIEW sitrep.incidents AS SELECT * FROM main.incidents")
                    out = os.path.join(work, f"{name}-{engine}-{len(failures)}-{abs(hash(label))}")
                    out += "" if engine == "spark" else ".csv"
                    runner(sql, out)
                    remote = sitrep(binary, "agg", "--format", "csv", "--aggregate", out, *q, *shape.split())
                    compare(f"{name} / {label} / {engine}: {flags} {shape}", local, remote)
                    if engine == "spark" and label == "weekly Saturday by actor" and name == "ucdp":
                        svg_local, svg_remote = os.path.join(work, "l.svg"), os.path.join(work, "r.svg")
                        chart = ["chart", "--kind", "line", *q, *shape.split()]
                        sitrep(binary, *chart, "--store", store, "--out", svg_local)
                        sitrep(binary, *chart, "--aggregate", out, "--out", svg_remote)
                        with open(svg_local) as a, open(svg_remote) as b:
                            compare(f"chart from Spark: {flags} {shape}", a.read(), b.read())
            print(f"{name}: {len(SHAPES)} query shapes x 3 engines compared", flush=True)

        # The whole bundled report through Spark: one export per query, then report --aggregate.
        results = os.path.join(work, "results")
        script = run([binary, "sql", "--dialect", "spark", "--table", ucdp, "--into", results,
                      "--config", os.path.join(REPO, "sitrep.toml")])
        assert script.returncode == 0, script.stderr
        t0 = time.time()
        for statement in [s for s in script.stdout.split(";\n") if s.strip()]:
            spark.sql(statement)
        timings["spark"][0] += time.time() - t0
        local_dir, remote_dir = os.path.join(work, "report-local"), os.path.join(work, "report-engine")
        sitrep(binary, "report", "--quiet", "--config", os.path.join(REPO, "sitrep.toml"), "--out", local_dir)
        sitrep(binary, "report", "--quiet", "--config", os.path.join(REPO, "sitrep.toml"), "--out", remote_dir,
               "--aggregate", results)
        written = sorted(f for f in os.listdir(remote_dir) if f != "index.html")
        for f in written:
            with open(os.path.join(local_dir, f), "rb") as a, open(os.path.join(remote_dir, f), "rb") as b:
                if a.read() != b.read():
                    failures.append(f"report file {f} differs")
                    print(f"FAIL report file {f} differs", flush=True)
        print(f"report: {len(written)} files from Spark's results compared", flush=True)
        spark.stop()
        views(binary, work, failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for engine, (seconds, n) in timings.items():
        print(f"{engine}: {n} queries in {seconds:.1f} s")
    if failures:
        print(f"engines check: FAIL ({len(failures)} differences)")
        sys.exit(1)
    print("engines check: PASS")


if __name__ == "__main__":
    main()
