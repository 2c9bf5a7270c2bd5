{#- A package setting: the consumer's var when it sets one under `vars:` in its own dbt_project.yml (the
    package's macros run in the consumer's context, so they read its vars), else the default the
    contract gives (src/statsig_sources/core/contract.json, which the CLI reads too). -#}
{% macro _statsig_setting(name) %}
    {%- set defaults = statsig_sources._statsig_contract()['settings'] -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("statsig_sources: unknown setting '" ~ name ~ "'") }}
    {%- endif -%}
    {%- set value = var(name, defaults[name]) -%}
    {%- if defaults[name] is iterable and defaults[name] is not string and value is string -%}
        {%- set value = [value] -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
