{#- Package settings by name, in one call (a macro call is most of what a setting costs while dbt parses
    each model): the consumer's var when it sets one under `vars:` in its own dbt_project.yml (the
    package's macros run in the consumer's context, so they read its vars), else the default the
    contract gives (src/statsig_sources/core/contract.json, which the CLI reads too). A list setting given
    as one string is a list of that string. -#}
{% macro _statsig_settings(names) %}
    {%- set defaults = statsig_sources._statsig_contract()['settings'] -%}
    {%- set settings = {} -%}
    {%- for name in names -%}
        {%- if name not in defaults -%}
            {{ exceptions.raise_compiler_error("statsig_sources: unknown setting '" ~ name ~ "'") }}
        {%- endif -%}
        {%- set value = var(name, defaults[name]) -%}
        {%- if defaults[name] is iterable and defaults[name] is not string and value is string -%}
            {%- set value = [value] -%}
        {%- endif -%}
        {%- do settings.update({name: value}) -%}
    {%- endfor -%}
    {{ return(settings) }}
{% endmacro %}
