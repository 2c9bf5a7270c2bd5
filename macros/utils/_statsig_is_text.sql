{#- A non-empty, non-blank string. -#}
{% macro _statsig_is_text(value) %}
    {{ return(value is string and value | trim != '') }}
{% endmacro %}
