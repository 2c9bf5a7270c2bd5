{#- Used only when this package is the root project (the demo): dbt ignores a package's
    generate_schema_name, so a consumer adds its own override calling statsig_schema_name(). -#}
{% macro generate_schema_name(custom_schema_name, node) %}
    {{ return(statsig_sources.statsig_schema_name(custom_schema_name, node)) }}
{% endmacro %}
