{#- The governed view of a metric source: from an upstream relation and the model's config.meta.statsig
    declaration, select exactly the canonical columns, typed (docs/declaration.md). -#}
{% macro statsig_source(upstream) %}
    {{ return(adapter.dispatch('statsig_source', 'statsig_sources')(upstream)) }}
{% endmacro %}

{% macro default__statsig_source(upstream) %}
    {%- if not execute -%}
        {#- At parse time the declaration from YAML is not merged into the config yet; only the ref()
            passed in and the governance config are recorded (config() sets nothing once dbt executes). -#}
        {%- do statsig_sources._statsig_governance_config() -%}
        {{ return('select 1 as statsig_sources_parse_placeholder') }}
    {%- endif -%}
    {%- if upstream is string or upstream.identifier is not defined -%}
        {{ exceptions.raise_compiler_error("statsig_sources: model '" ~ model.name ~ "' ("
            ~ model.original_file_path ~ ") must pass a relation to statsig_source(), such as ref('...')"
            ~ " or source('...', '...'), not " ~ upstream) }}
    {%- endif -%}
    {%- set declaration = statsig_sources._statsig_declaration(model) -%}
    {%- set columns = statsig_sources._statsig_canonical_columns(declaration) -%}
    {%- set materialization = statsig_sources._statsig_materialization_problem(
        declaration.materialized, config.get('materialized')) -%}
    {%- if materialization is not none -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " " ~ materialization) }}
    {%- endif -%}
    {#- The warehouse is asked about the upstream only when dbt builds the model (one metadata query:
        its columns and the timestamp's type). `dbt compile`, `docs generate`, `ls` and `parse` ask
        nothing, so they run offline; there a timestamp whose type is not declared is taken as naive. -#}
    {%- set declared = {'offset_aware': 'timestamp_tz', 'naive': 'timestamp', 'date': 'date'} -%}
    {%- set timestamp_family = declared.get(declaration.timestamp_type) -%}
    {%- set timestamp_type_name = none -%}
    {%- if flags.WHICH in ['run', 'build'] and not upstream.is_cte -%}
        {%- set timestamp_type_name = statsig_sources._statsig_check_upstream(declaration, upstream) -%}
        {%- set probed_family = statsig_sources.statsig_type_family(timestamp_type_name) -%}
        {#- Text is parsed whatever `timestamp_type` declares: a cast meant for a timestamp type would
            drop its offsets or fail (docs/declaration.md#text-timestamps). -#}
        {%- if timestamp_family is none or probed_family == 'string' -%}
            {%- set timestamp_family = probed_family -%}
        {%- endif -%}
    {%- elif timestamp_family is none -%}
        {%- set timestamp_family = statsig_sources._statsig_unprobed_timestamp(declaration, upstream) -%}
    {%- endif -%}
    {%- set timestamp_sql = statsig_sources._statsig_timestamp_sql(declaration, timestamp_family, timestamp_type_name) -%}
    {#- Each dispatch is resolved once, not once per column: dbt compiles every source on every run, and
        a dispatch lookup costs about as much as the rest of a column's SQL. -#}
    {%- set column_name = adapter.dispatch('statsig_column_name', 'statsig_sources') -%}
    {%- set string_type = dbt.type_string() -%}
    {%- set double_type = statsig_sources.statsig_type_double() -%}
select
    {%- for column in columns %}
    {% if column.family == 'string' -%}
        cast({{ column.expression }} as {{ string_type }})
    {%- elif column.family == 'timestamp' -%}
        {{ timestamp_sql }}
    {%- elif column.family == 'double' -%}
        cast({{ column.expression }} as {{ double_type }})
    {%- else -%}
        {{ column.expression }}
    {%- endif %} as {{ adapter.quote(column_name(column.name)) }}
    {{- ',' if not loop.last }}
    {%- endfor %}
from {{ upstream }}
{%- if declaration.filter %}
where {{ declaration.filter }}
{%- endif %}
{% endmacro %}
