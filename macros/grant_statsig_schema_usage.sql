{#- Grants the roles this target grants (Statsig's reader roles on a production target, the var
    statsig_non_production_reader_roles, default none, on any other: _statsig_granted_roles) USAGE on
    every schema this run built a metric source in. dbt's `grants` config acts on relations only, and
    on PostgreSQL a role holding SELECT on every view still gets "permission denied for schema" without
    this. The package's dbt_project.yml runs it on-run-end, and
    dbt runs an installed package's hooks in the consumer's runs too, so nothing needs configuring.
    `schemas` (default: those the run built, from the on-run-end results) lets it be called directly. -#}
{% macro grant_statsig_schema_usage(schemas=none) %}
    {%- set by_target = statsig_sources._statsig_contract()['target_grants'] -%}
    {%- set settings = statsig_sources._statsig_settings(
        ['statsig_production_targets', by_target['production'], by_target['other_targets']]) -%}
    {%- set statements = [] -%}
    {%- for schema in (statsig_sources._statsig_built_schemas() if schemas is none else schemas) -%}
        {%- for role in statsig_sources._statsig_granted_roles(settings) -%}
            {%- set statement = statsig_sources.statsig_schema_usage_statement(schema, role) -%}
            {%- if statement -%}
                {%- do statements.append(statement) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{#- The statement that lets `role` see into `schema`, or '' where the warehouse has none. An extension
    point: a project on another adapter may override it (`<adapter>__statsig_schema_usage_statement`). -#}
{% macro statsig_schema_usage_statement(schema, role) %}
    {{ return(adapter.dispatch('statsig_schema_usage_statement', 'statsig_sources')(schema, role)) }}
{% endmacro %}

{% macro default__statsig_schema_usage_statement(schema, role) %}
    {#- PostgreSQL, and Redshift (whose dispatch falls back to postgres__, then here). The role is written
        as dbt's grants config writes it, unquoted, so both name the same role; the package's settings
        allow only a lower-case identifier there (with Redshift's `group `/`role ` prefix). The schema,
        which may come from a consumer's own generate_schema_name, is quoted with quotes escaped. -#}
    {{ return('grant usage on schema ' ~ statsig_sources._statsig_quoted_name(schema) ~ ' to ' ~ role) }}
{% endmacro %}

{% macro snowflake__statsig_schema_usage_statement(schema, role) %}
    {#- Snowflake grants to a ROLE, and names the schema with its database. A plain identifier is quoted
        only as the project's quoting config quotes it, so it resolves to the schema dbt created; any
        other name is quoted with quotes escaped. The role, which the package's settings allow only as an
        unquoted identifier, is written as dbt's grants config writes it.
        https://docs.snowflake.com/en/sql-reference/sql/grant-privilege -#}
    {%- set plain = statsig_sources._statsig_contract()['access']['adapters']['snowflake']['schema']['pattern'] -%}
    {%- set names = [] -%}
    {%- for name, kind in [(target.database, 'database'), (schema, 'schema')] -%}
        {%- if modules.re.fullmatch(plain, name ~ '') -%}
            {%- do names.append(adapter.quote_as_configured(name, kind)) -%}
        {%- else -%}
            {%- do names.append(statsig_sources._statsig_quoted_name(name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('grant usage on schema ' ~ names | join('.') ~ ' to role ' ~ role) }}
{% endmacro %}

{% macro databricks__statsig_schema_usage_statement(schema, role) %}
    {#- Unity Catalog's privilege is USE SCHEMA, on `catalog`.`schema`; principals (emails, group names
        with spaces) are backquoted. Every name is quoted with backquotes doubled: dbt-databricks's
        adapter.quote leaves a name holding a backquote unquoted.
        https://docs.databricks.com/en/sql/language-manual/security-grant.html -#}
    {{ return('grant use schema on schema ' ~ statsig_sources._statsig_quoted_name(target.database) ~ '.'
              ~ statsig_sources._statsig_quoted_name(schema) ~ ' to ' ~ statsig_sources._statsig_quoted_name(role)) }}
{% endmacro %}

{% macro duckdb__statsig_schema_usage_statement(schema, role) %}
    {#- DuckDB has no users, roles or GRANT: access to the governed schema is unenforceable there.
        https://duckdb.org/docs/sql/statements/overview -#}
    {{ return('') }}
{% endmacro %}

{% macro spark__statsig_schema_usage_statement(schema, role) %}
    {#- Open-source Spark's catalog has no GRANT: access to the governed schema is unenforceable there.
        https://spark.apache.org/docs/latest/sql-ref-syntax.html -#}
    {{ return('') }}
{% endmacro %}

{% macro bigquery__statsig_schema_usage_statement(schema, role) %}
    {#- BigQuery has no schema-level USAGE: reading a dataset's views takes a dataset role or authorized
        views, set through IAM rather than SQL (docs/governance.md).
        https://cloud.google.com/bigquery/docs/access-control -#}
    {{ return('') }}
{% endmacro %}

{% macro trino__statsig_schema_usage_statement(schema, role) %}
    {#- Trino has no schema USAGE privilege; access control is the connector's or the system's
        (file-based or Ranger rules), outside SQL. https://trino.io/docs/current/security/built-in-system-access-control.html -#}
    {{ return('') }}
{% endmacro %}
