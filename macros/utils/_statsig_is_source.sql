{#- True when a node declares a metric source (config.meta.statsig). Works on a parsed node object as
    generate_schema_name receives it and on a node dict from the graph. -#}
{% macro _statsig_is_source(node) %}
    {%- set meta = node.config.meta -%}
    {{ return(meta is mapping and meta.get('statsig') is not none) }}
{% endmacro %}
