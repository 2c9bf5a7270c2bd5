{#- A list whose every item is a non-empty, non-blank string (or, with `numbers`, a number too, never a
    boolean). -#}
{% macro _statsig_is_text_list(value, numbers=false) %}
    {%- if value is string or value is mapping or value is not iterable -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for item in value if not statsig_sources._statsig_is_text(item)
                            and not (numbers and item is number and item is not boolean) -%}
        {{ return(false) }}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
