{#- Grants the Statsig role(s) USAGE on every schema this run built a metric source in. dbt's `grants`
    config acts on relations only, and on PostgreSQL a role holding SELECT on every view still gets
    "permission denied for schema" without this. The package's dbt_project.yml runs it on-run-end, and
    dbt runs an installed package's hooks in the consumer's runs too, so nothing needs configuring. -#}
{% macro grant_statsig_schema_usage() %}
    {{ return(adapter.dispatch('grant_statsig_schema_usage', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__grant_statsig_schema_usage() %}
    {%- set statements = [] -%}
    {%- for schema in statsig_sources._statsig_built_schemas() -%}
        {%- for role in statsig_sources._statsig_setting('statsig_reader_roles') -%}
            {%- do statements.append('grant usage on schema ' ~ adapter.quote(schema) ~ ' to ' ~ adapter.quote(role)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{% macro duckdb__grant_statsig_schema_usage() %}
    {#- DuckDB has no users, roles or GRANT: access to the governed schema is unenforceable there.
        https://duckdb.org/docs/sql/statements/overview -#}
    {{ return('') }}
{% endmacro %}

{% macro spark__grant_statsig_schema_usage() %}
    {#- Open-source Spark's catalog has no GRANT: access to the governed schema is unenforceable there. -#}
    {{ return('') }}
{% endmacro %}
