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
    {#- The upstream's columns are checked whenever the warehouse is asked anyway: when dbt builds the
        model, or probes the timestamp's type. A compile with timestamp_type declared asks nothing. -#}
    {%- set building = flags.WHICH in ['run', 'build'] -%}
    {%- if (building or declaration.timestamp_type is none) and not upstream.is_cte -%}
        {%- do statsig_sources._statsig_check_upstream(declaration, upstream, building) -%}
    {%- endif -%}
    {#- The timestamp's type decides its conversion: declared (timestamp_type), or probed from the
        warehouse without scanning data. -#}
    {%- set declared = {'offset_aware': 'timestamp_tz', 'naive': 'timestamp', 'date': 'date'} -%}
    {%- if declaration.timestamp_type is not none -%}
        {%- set timestamp_family = declared[declaration.timestamp_type] -%}
    {%- else -%}
        {%- set timestamp_family = statsig_sources.statsig_type_family(
            statsig_sources._statsig_expression_type(declaration.timestamp, upstream)) -%}
    {%- endif -%}
select
    {%- for column in columns %}
    {% if column.family == 'string' -%}
        cast({{ column.expression }} as {{ dbt.type_string() }})
    {%- elif column.family == 'timestamp' -%}
        {{ statsig_sources._statsig_timestamp_sql(column.expression, timestamp_family, declaration.timestamp_as_day) }}
    {%- elif column.family == 'double' -%}
        cast({{ column.expression }} as {{ statsig_sources.statsig_type_double() }})
    {%- else -%}
        {{ column.expression }}
    {%- endif %} as {{ statsig_sources._statsig_quoted(column.name) }}
    {{- ',' if not loop.last }}
    {%- endfor %}
from {{ upstream }}
{%- if declaration.filter %}
where {{ declaration.filter }}
{%- endif %}
{% endmacro %}
