{#- In an on-run-end hook: the schemas in which this run built a metric source, each once. -#}
{% macro _statsig_built_schemas() %}
    {%- set schemas = [] -%}
    {%- if not execute or results is not defined -%}
        {{ return(schemas) }}
    {%- endif -%}
    {%- for result in results if result.status == 'success' and result.node.resource_type == 'model' -%}
        {%- if statsig_sources._statsig_is_source(result.node) and result.node.schema not in schemas -%}
            {%- do schemas.append(result.node.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(schemas) }}
{% endmacro %}
