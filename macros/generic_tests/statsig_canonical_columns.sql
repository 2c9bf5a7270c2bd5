{#- Fails with one row per problem when the relation's columns are not exactly the declaration's
    canonical columns, in their types: unit ids strings, timestamp a naive (UTC) timestamp, value and
    measures 64-bit doubles, dimensions present. -#}
{% test statsig_canonical_columns(model) %}
    {{ return(adapter.dispatch('test_statsig_canonical_columns', 'statsig_sources')(model)) }}
{% endtest %}

{#- Dispatched as dbt-utils' generic tests are, so that an adapter may override it:
    `<adapter>__test_statsig_canonical_columns`. -#}
{% macro default__test_statsig_canonical_columns(model) %}
    {%- if not execute -%}
        {{ return(statsig_sources._statsig_problem_rows([])) }}
    {%- endif -%}
    {%- set expected = statsig_sources._statsig_canonical_columns(statsig_sources._statsig_tested_declaration()) -%}
    {%- set actual = {} -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- do actual.update({column.name: column.dtype}) -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- set wanted = [] -%}
    {%- for column in expected -%}
        {%- set name = statsig_sources.statsig_column_name(column.name) -%}
        {%- do wanted.append(name) -%}
        {%- if name not in actual -%}
            {%- do problems.append('missing column ' ~ name) -%}
        {%- elif column.family != 'dimension' and statsig_sources.statsig_type_family(actual[name]) != column.family -%}
            {%- do problems.append('column ' ~ name ~ ' is ' ~ actual[name] ~ ', expected a ' ~ column.family) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in actual if name not in wanted -%}
        {%- do problems.append('undeclared column ' ~ name) -%}
    {%- endfor -%}
    {{ statsig_sources._statsig_problem_rows(problems) }}
{% endmacro %}
