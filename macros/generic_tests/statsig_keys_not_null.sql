{#- Rows Statsig could not attribute: a null timestamp, or no unit id at all. With several unit types a
    row may lack some of them (a logged-out event has a stableID but no userID); with one, it is plain
    not-null. -#}
{% test statsig_keys_not_null(model) %}
    {%- if not execute -%}
        {{ return(statsig_sources._statsig_problem_rows([])) }}
    {%- endif -%}
    {%- set declaration = statsig_sources._statsig_tested_declaration() -%}
    {%- set unit_ids_null = [] -%}
    {%- for unit_id in declaration.unit_ids -%}
        {%- do unit_ids_null.append(statsig_sources._statsig_quoted(unit_id.column) ~ ' is null') -%}
    {%- endfor -%}
select *
from {{ model }}
where {{ statsig_sources._statsig_quoted('timestamp') }} is null
    or ({{ unit_ids_null | join(' and ') }})
{% endtest %}
