{#- A list whose every item is a non-empty, non-blank string. -#}
{% macro _statsig_is_text_list(value) %}
    {%- if value is string or value is mapping or value is not iterable -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for item in value if not statsig_sources._statsig_is_text(item) -%}
        {{ return(false) }}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
