{#- The canonical columns of a declaration, in order: unit ids (string), timestamp, value and measures
    (double), dimensions (unchanged). Names are the declared lower-case names. -#}
{% macro _statsig_canonical_columns(declaration) %}
    {%- set columns = [] -%}
    {%- for unit_id in declaration.unit_ids -%}
        {%- do columns.append({'name': unit_id.column, 'family': 'string', 'expression': unit_id.expression}) -%}
    {%- endfor -%}
    {%- do columns.append({'name': 'timestamp', 'family': 'timestamp', 'expression': declaration.timestamp}) -%}
    {%- if declaration.value is not none -%}
        {%- do columns.append({'name': 'value', 'family': 'double', 'expression': declaration.value}) -%}
    {%- endif -%}
    {%- for measure in declaration.measures -%}
        {%- do columns.append({'name': measure.column, 'family': 'double', 'expression': measure.expression}) -%}
    {%- endfor -%}
    {%- for dimension in declaration.dimensions -%}
        {%- do columns.append({'name': dimension, 'family': 'dimension', 'expression': dimension}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
