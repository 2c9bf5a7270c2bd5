{#- The data type the warehouse gives an expression over a relation, read without scanning data. The
    timestamp's conversion depends on it: an offset-aware value must be converted to UTC, and casting it
    straight to a naive timestamp would use the session's time zone instead. -#}
{% macro _statsig_expression_type(expression, relation) %}
    {%- set probe -%}
select {{ expression }} as statsig_sources_probe from {{ relation }}
    {%- endset -%}
    {%- set columns = get_column_schema_from_query(probe) -%}
    {{ return(columns[0].dtype) }}
{% endmacro %}
