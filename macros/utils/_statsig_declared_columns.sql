{#- (declaration key, column) for every input a declaration reads that is a plain column name, which
    the upstream relation must have, in canonical order. Expressions such as `amount * 100`, literals and
    SQL's niladic functions (`current_date`) look like names or are not, but are not columns. -#}
{% macro _statsig_declared_columns(declaration) %}
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
    {%- set not_columns = ['current_date', 'current_time', 'current_timestamp', 'localtime',
                           'localtimestamp', 'null', 'true', 'false'] -%}
    {%- set columns = [] -%}
    {%- for key, expression in inputs if expression is string
            and modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', expression) is not none
            and expression | lower not in not_columns -%}
        {%- do columns.append((key, expression)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
