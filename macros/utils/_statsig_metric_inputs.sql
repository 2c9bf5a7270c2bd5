{#- What a source offers its metrics, from the declaration's valid values: `columns` (the canonical
    columns as declared, then the custom fields) and `unit_types` (those its unit ids map to). -#}
{% macro _statsig_metric_inputs(values) %}
    {%- set columns = [] -%}
    {%- for column in values.get('unit_ids') or {} -%}{%- do columns.append(column ~ '') -%}{%- endfor -%}
    {%- do columns.append('timestamp') -%}
    {%- if 'value' in values -%}{%- do columns.append('value') -%}{%- endif -%}
    {%- for key in ['measures', 'dimensions', 'custom_fields'] -%}
        {%- for column in values.get(key) or [] -%}{%- do columns.append(column ~ '') -%}{%- endfor -%}
    {%- endfor -%}
    {%- set unit_types = [] -%}
    {%- for target in (values.get('unit_ids') or {}).values() -%}
        {%- set unit_type = target.get('unit_type') if target is mapping else target -%}
        {%- if statsig_sources._statsig_is_text(unit_type) and unit_type not in unit_types -%}
            {%- do unit_types.append(unit_type) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'columns': columns, 'unit_types': unit_types}) }}
{% endmacro %}
