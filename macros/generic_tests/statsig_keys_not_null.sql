{#- Rows Statsig could not attribute: a null timestamp, or no unit id at all. With several unit types a
    row may lack some of them (a logged-out event has a stableID but no userID); with one, it is plain
    not-null. Each failing row says which column is null (`problem`), next to the row's keys. -#}
{% test statsig_keys_not_null(model) %}
    {{ return(adapter.dispatch('test_statsig_keys_not_null', 'statsig_sources')(model)) }}
{% endtest %}

{#- Dispatched as dbt-utils' generic tests are, so that an adapter may override it:
    `<adapter>__test_statsig_keys_not_null`. -#}
{% macro default__test_statsig_keys_not_null(model) %}
    {%- if not execute -%}
        {{ return(statsig_sources._statsig_problem_rows([])) }}
    {%- endif -%}
    {%- set declaration = statsig_sources._statsig_tested_declaration() -%}
    {%- set names = [] -%}
    {%- set keys = [] -%}
    {%- set unit_ids_null = [] -%}
    {%- for unit_id in declaration.unit_ids -%}
        {%- do names.append(statsig_sources.statsig_column_name(unit_id.column)) -%}
        {%- do keys.append(statsig_sources._statsig_quoted(unit_id.column)) -%}
        {%- do unit_ids_null.append(statsig_sources._statsig_quoted(unit_id.column) ~ ' is null') -%}
    {%- endfor -%}
    {%- set timestamp = statsig_sources._statsig_quoted('timestamp') -%}
    {%- do keys.append(timestamp) -%}
    {%- set no_unit_id = names[0] ~ ' is null' if names | length == 1
                         else names | join(', ') ~ ' are all null' -%}
select {{ dbt.string_literal(statsig_sources.statsig_column_name('timestamp') ~ ' is null') }} as problem, {{ keys | join(', ') }}
from {{ model }}
where {{ timestamp }} is null
union all
select {{ dbt.string_literal(no_unit_id) }} as problem, {{ keys | join(', ') }}
from {{ model }}
where {{ unit_ids_null | join(' and ') }}
{% endmacro %}
