{#- Package settings by name, in one call (a macro call is most of what a setting costs while dbt parses
    each model): the consumer's var when it sets one under `vars:` in its own dbt_project.yml (the
    package's macros run in the consumer's context, so they read its vars), else the default the
    contract gives (src/statsig_sources/declaration/contract.json, which the CLI reads too). A list setting given
    as one string is a list of that string.
    Vars are data, never SQL: a value that reaches a statement or a grants config (the governed schema,
    the Statsig roles, the test's tolerance) is checked here, before any caller builds SQL from it, and a
    bad one fails the parse with one compile error naming every var, value and rule. -#}
{% macro _statsig_settings(names) %}
    {%- set contract = statsig_sources._statsig_contract() -%}
    {%- set defaults = contract['settings'] -%}
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
    {%- set problems = statsig_sources._statsig_setting_problems(settings, contract['access']) -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("statsig_sources: refused package vars on the " ~ target.type
            ~ " target '" ~ target.name ~ "' (docs/governance.md#what-the-vars-may-hold):\n  - "
            ~ problems | join('\n  - ')) }}
    {%- endif -%}
    {{ return(settings) }}
{% endmacro %}
