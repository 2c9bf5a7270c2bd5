{#- (declaration key, upstream expression) for every input a declaration reads, in canonical order. -#}
{% macro _statsig_declared_inputs(declaration) %}
    {%- set inputs = [] -%}
    {%- for unit_id in declaration.unit_ids -%}
        {%- do inputs.append(('unit_ids.' ~ unit_id.column, unit_id.expression)) -%}
    {%- endfor -%}
    {%- do inputs.append(('timestamp', declaration.timestamp)) -%}
    {%- if declaration.value is not none -%}
        {%- do inputs.append(('value', declaration.value)) -%}
    {%- endif -%}
    {%- for measure in declaration.measures -%}
        {%- do inputs.append(('measures.' ~ measure.column, measure.expression)) -%}
    {%- endfor -%}
    {%- for dimension in declaration.dimensions -%}
        {%- do inputs.append(('dimensions', dimension)) -%}
    {%- endfor -%}
    {{ return(inputs) }}
{% endmacro %}
