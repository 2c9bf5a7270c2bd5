"""The sqlglot dialect of each dbt adapter and how it quotes identifiers, known without loading sqlglot
(tests/python/test_sql_results.py holds the quotes to sqlglot's)."""

from __future__ import annotations

from statsig_sources.support.errors import SqlParseError

# dbt adapter type -> sqlglot dialect
DIALECTS: dict[str, str] = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "spark": "spark",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "redshift": "redshift",
    "trino": "trino",
}

# sqlglot dialect -> the character that opens and closes a quoted identifier
IDENTIFIER_QUOTES: dict[str, str] = {
    "duckdb": '"',
    "postgres": '"',
    "spark": "`",
    "snowflake": '"',
    "bigquery": "`",
    "databricks": "`",
    "redshift": '"',
    "trino": '"',
}


def dialect_for(adapter_type: str) -> str:
    """The sqlglot dialect for a dbt adapter, or an error naming the supported ones."""
    try:
        return DIALECTS[adapter_type]
    except KeyError:
        supported = ", ".join(sorted(DIALECTS))
        raise SqlParseError(
            f"adapter '{adapter_type}' is not supported for SQL checks (supported: {supported})"
        ) from None


def quote_identifier(name: str, dialect: str) -> str:
    """`name` quoted the way `dialect` quotes identifiers (a closing quote inside is doubled)."""
    quote = IDENTIFIER_QUOTES[dialect]
    return quote + name.replace(quote, quote + quote) + quote
