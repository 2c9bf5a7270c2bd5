"""Which functions the SQL proof accepts, and why: the allow-lists and deny-list sql/parse.py applies.

The proof denies by default. A relation it can name is judged by the rules (user_sql, lineage); every
other way SQL can read data must be one the proof understands to read none:

- scalar and aggregate functions sqlglot knows are accepted, except those in REFUSED_FUNCTIONS, which
  reach outside the row (files, models, secrets);
- a function sqlglot does not know is refused unless HARMLESS_UNKNOWN_FUNCTIONS lists it for the dialect;
- a function in a table's place (`from f(...)`, `table(f(...))`, `lateral f(...)`) is refused unless
  TABLE_FUNCTIONS lists it: it turns a value of the row into rows and reads no relation.

Names are sqlglot's expression classes (sqlglot.exp) or, for functions it does not know, the name as
written, lower-cased. Every change here is a change of the proof: docs/rules.md lists what is tested.
"""

from __future__ import annotations

# sqlglot class -> why it reads no relation, in a table's place
TABLE_FUNCTIONS: dict[str, str] = {
    "Unnest": "rows from an array value",
    "Explode": "rows from an array or map value (Snowflake's `flatten`, Spark's `explode`)",
    "ExplodeOuter": "rows from an array or map value",
    "Posexplode": "rows from an array value, with positions",
    "PosexplodeOuter": "rows from an array value, with positions",
    "Inline": "rows from an array of structs",
    "GenerateSeries": "a series of numbers or dates",
    "ExplodingGenerateSeries": "a series of numbers or dates",
}

_FILES = "reads files, URLs or stages"
_MODEL = "runs a machine-learning or AI model, which reads data outside the row"
# sqlglot class -> what it reaches outside the row
REFUSED_FUNCTIONS: dict[str, str] = {
    "ReadCSV": _FILES,
    "ReadParquet": _FILES,
    "ToFile": _FILES,
    "Secret": "reads a secret",
    "Predict": _MODEL,
    "MLForecast": _MODEL,
    "MLTranslate": _MODEL,
    "AIForecast": _MODEL,
    "GenerateEmbedding": _MODEL,
    "GenerateTable": _MODEL,
    "GenerateText": _MODEL,
    "GenerateBool": _MODEL,
    "GenerateDouble": _MODEL,
    "GenerateInt": _MODEL,
    "AIAgg": _MODEL,
    "AIClassify": _MODEL,
    "AIEmbed": _MODEL,
    "AIGenerate": _MODEL,
    "AISimilarity": _MODEL,
    "AISummarizeAgg": _MODEL,
}

# dialect -> function sqlglot does not know there -> why it reads nothing but its arguments
_DATE_PART = "a field of a date or time value (the warehouse's own scalar function)"
HARMLESS_UNKNOWN_FUNCTIONS: dict[str, dict[str, str]] = {
    "duckdb": {"date_part": _DATE_PART},
    "postgres": {},
    "spark": {"date_part": _DATE_PART},
    "databricks": {"date_part": _DATE_PART},
    "snowflake": {},
    "bigquery": {},
    "redshift": {},
    "trino": {},
}
