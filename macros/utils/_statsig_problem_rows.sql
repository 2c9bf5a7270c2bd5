{#- A query with one row per problem (a column named `problem`), and no rows when the list is empty: the
    shape of a dbt test that passes when empty. -#}
{% macro _statsig_problem_rows(problems) %}
    {%- if problems | length == 0 -%}
        {{ return('select cast(null as ' ~ dbt.type_string() ~ ') as problem where 1 = 0') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for problem in problems -%}
        {%- do rows.append('select ' ~ dbt.string_literal(problem) ~ ' as problem') -%}
    {%- endfor -%}
    {{ return(rows | join('\nunion all\n')) }}
{% endmacro %}
