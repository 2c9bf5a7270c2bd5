{#- How a problem names a value's type, as the CLI names it. -#}
{% macro _statsig_type_name(value) %}
    {%- set names = statsig_sources._statsig_contract()['declaration']['type_names'] -%}
    {%- if value is none -%}
        {{ return(names['none']) }}
    {%- elif value is boolean -%}
        {{ return(names['boolean']) }}
    {%- elif value is number -%}
        {{ return(names['number']) }}
    {%- elif value is string -%}
        {{ return(names['blank'] if value | trim == '' else names['string']) }}
    {%- elif value is mapping -%}
        {{ return(names['mapping']) }}
    {%- elif value is iterable -%}
        {{ return(names['list']) }}
    {%- endif -%}
    {{ return(names['other']) }}
{% endmacro %}
