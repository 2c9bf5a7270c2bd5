{#- Whether a declared expression is a plain column name, which the upstream relation must have. SQL's
    niladic functions and literals look like names but are not columns. -#}
{% macro _statsig_is_column_name(expression) %}
    {%- set not_columns = ['current_date', 'current_time', 'current_timestamp', 'localtime',
                           'localtimestamp', 'null', 'true', 'false'] -%}
    {{ return(expression is string
              and modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', expression) is not none
              and expression | lower not in not_columns) }}
{% endmacro %}
