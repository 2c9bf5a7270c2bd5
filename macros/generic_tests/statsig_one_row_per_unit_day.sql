{#- For a daily_aggregate source, each unit id that appears on more than one row of a day (one row per
    unit column, id and day). Other granularities pass: several rows per unit and day are normal there. -#}
{% test statsig_one_row_per_unit_day(model) %}
    {{ return(adapter.dispatch('test_statsig_one_row_per_unit_day', 'statsig_sources')(model)) }}
{% endtest %}

{#- Dispatched as dbt-utils' generic tests are, so that an adapter may override it:
    `<adapter>__test_statsig_one_row_per_unit_day`. -#}
{% macro default__test_statsig_one_row_per_unit_day(model) %}
    {%- if not execute -%}
        {{ return(statsig_sources._statsig_problem_rows([])) }}
    {%- endif -%}
    {%- set declaration = statsig_sources._statsig_tested_declaration() -%}
    {%- if declaration.granularity != 'daily_aggregate' -%}
        {{ return(statsig_sources._statsig_problem_rows([])) }}
    {%- endif -%}
    {%- set day = statsig_sources._statsig_quoted('timestamp') -%}
    {%- for unit_id in declaration.unit_ids %}
select
    {{ dbt.string_literal(unit_id.column) }} as unit_column,
    cast({{ statsig_sources._statsig_quoted(unit_id.column) }} as {{ dbt.type_string() }}) as unit_id,
    {{ day }} as unit_day,
    count(*) as row_count
from {{ model }}
where {{ statsig_sources._statsig_quoted(unit_id.column) }} is not null
group by {{ statsig_sources._statsig_quoted(unit_id.column) }}, {{ day }}
having count(*) > 1
    {{- '\nunion all' if not loop.last }}
    {%- endfor %}
{% endmacro %}
