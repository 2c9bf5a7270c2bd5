{#- A canonical column's name as it appears in SQL: warehouse case, quoted. -#}
{% macro _statsig_quoted(name) %}
    {{ return(adapter.quote(statsig_sources.statsig_column_name(name))) }}
{% endmacro %}
