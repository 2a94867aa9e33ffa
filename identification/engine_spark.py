"""Run the same rule steps on Spark: each DuckDB-dialect step is transpiled by SQLGlot to Spark SQL."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from identification.config import Rules
from identification.inputs import DATE_COLUMNS, file_format, parse_date_sql, quote_ident
from identification.rulesql import CLAIM_COLUMNS, ENGINE_OUTPUTS, MEMBER_COLUMNS, build_steps
from identification.validate import FileReport, trimmed_columns

# DuckDB's TRIM(x) strips the Unicode space separators (category Zs: U+0020, U+00A0, U+2000-U+200A, U+3000...);
# Spark's strips U+0020 only. Java's \p{Zs} is the same set, so a bare TRIM becomes this regular expression.
_TRIM_ZS = r"^\p{Zs}+|\p{Zs}+$"


def _trim_like_duckdb(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Trim) and node.args.get("expression") is None and node.args.get("position") is None:
        return exp.RegexpReplace(this=node.this, expression=exp.Literal.string(_TRIM_ZS),
                                 replacement=exp.Literal.string(""))
    return node


@lru_cache(maxsize=256)
def to_spark_sql(duckdb_sql: str) -> str:
    """Transpile one step from DuckDB's dialect to Spark SQL (TRIM keeps DuckDB's meaning)."""
    return sqlglot.parse_one(duckdb_sql, read="duckdb").transform(_trim_like_duckdb).sql(dialect="spark")


def spark_session(master: str | None = None) -> Any:
    """A Spark session for local or cluster runs; UTC so DATE values never shift."""
    from pyspark.sql import SparkSession  # PySpark is optional (the spark extra)

    builder = (SparkSession.builder.appName("calaim-identify")
               .master(master or os.environ.get("CALAIM_SPARK_MASTER", "local[*]"))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", os.environ.get("CALAIM_SPARK_PARTITIONS", "16"))
               .config("spark.driver.memory", os.environ.get("CALAIM_SPARK_DRIVER_MEMORY", "4g"))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    return builder.getOrCreate()


def read_text(spark: Any, report: FileReport, wanted: tuple[str, ...]) -> Any:
    """The file's wanted columns as the rules read them, read by Spark itself: strings, except dates as
    DATE (parsed from their text with the DuckDB engine's expression, transpiled); absent ones NULL."""
    from pyspark.sql import functions as F  # PySpark is optional
    from pyspark.sql.types import DateType  # PySpark is optional

    if file_format(report.path) == "csv":
        # Validation (in DuckDB) already proved the file is well-formed RFC 4180; multiLine keeps
        # quoted line breaks inside one record, as DuckDB reads them.
        df = spark.read.csv(report.path, header=True, inferSchema=False, multiLine=True, quote='"',
                            escape='"', encoding="UTF-8", mode="FAILFAST")
    else:
        df = spark.read.parquet(report.path)
    types = {f.name: f.dataType for f in df.schema.fields}
    cols = []
    for c in wanted:
        if c not in report.columns:
            cols.append(F.lit(None).cast("date" if c in DATE_COLUMNS else "string").alias(c))
        elif c in DATE_COLUMNS and isinstance(types.get(c), DateType):
            cols.append(F.col(f"`{c}`").alias(c))
        elif c in DATE_COLUMNS:
            text = to_spark_sql(f"SELECT {parse_date_sql(f'CAST({quote_ident(c)} AS VARCHAR)')}")[len("SELECT "):]
            cols.append(F.expr(text).alias(c))
        else:
            cols.append(F.col(f"`{c}`").cast("string").alias(c))
    return df.select(*cols)


def run_spark(rules: Rules, as_of: dt.date, members: FileReport, claims: FileReport,
              master: str | None = None, session: Any = None,
              progress: Callable[[str], None] = lambda _: None) -> dict[str, pa.Table]:
    """Evaluate every step on Spark and collect the (small) engine outputs to Arrow."""
    spark = session or spark_session(master)
    read_text(spark, members, MEMBER_COLUMNS).createOrReplaceTempView("members_raw")
    read_text(spark, claims, CLAIM_COLUMNS).createOrReplaceTempView("claims_raw")
    cached = []
    steps = build_steps(rules, as_of, trimmed=trimmed_columns(members, claims))
    for step in steps:
        progress(step.name)
        df = spark.sql(to_spark_sql(step.sql))
        if step.materialize:
            df = df.persist()
            cached.append(df)
        df.createOrReplaceTempView(step.name)
    try:
        return {name: _to_arrow(spark.table(name)) for name in ENGINE_OUTPUTS}
    finally:
        for df in cached:
            df.unpersist()
        # Views hold analyzed plans of every step; drop them so repeated runs in one session do not pile up.
        for name in [*(step.name for step in steps), "members_raw", "claims_raw"]:
            spark.catalog.dropTempView(name)


def _to_arrow(df: Any) -> pa.Table:
    """Collect a (small) DataFrame to Arrow through plain row collection.

    Spark's Arrow collection (`toArrow`) was seen to hang for good in `SocketAuthServer.getResult` after
    all batches had arrived; `collect()` has no such wait. The schema is the one `toArrow` would use.
    """
    from pyspark.sql.pandas.types import to_arrow_schema  # PySpark is optional

    large = bool(df.sparkSession._jconf.arrowUseLargeVarTypes())
    schema = to_arrow_schema(df.schema, timezone="UTC", prefers_large_types=large)
    return pa.Table.from_pylist([row.asDict() for row in df.collect()], schema=schema)
