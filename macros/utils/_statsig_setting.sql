{#- One package setting (see _statsig_settings). -#}
{% macro _statsig_setting(name) %}
    {{ return(statsig_sources._statsig_settings([name])[name]) }}
{% endmacro %}
