{% macro _statsig_is_list_of_strings(value) %}
    {%- if value is string or value is mapping or value is not iterable -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for item in value if item is not string -%}
        {{ return(false) }}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
