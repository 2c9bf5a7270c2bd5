{#- One place for every package setting's default. A consumer sets any of them under `vars:` in its own
    dbt_project.yml; the package's macros run in the consumer's context, so they read its vars. -#}
{% macro _statsig_setting(name) %}
    {%- set defaults = {
        'statsig_schema': 'statsig_staging',
        'statsig_production_targets': ['prod'],
        'statsig_reader_roles': ['statsig_reader'],
        'statsig_custom_unit_types': [],
        'statsig_future_tolerance_minutes': 60,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("statsig_sources: unknown setting '" ~ name ~ "'") }}
    {%- endif -%}
    {%- set value = var(name, defaults[name]) -%}
    {%- if defaults[name] is iterable and defaults[name] is not string and value is string -%}
        {%- set value = [value] -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
