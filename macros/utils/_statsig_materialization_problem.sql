{#- Why a source materialized as `resolved` (dbt's config, from dbt_project.yml, a folder or the model)
    breaks its declaration, or none. dbt merges the YAML declaration only after a model's SQL has parsed,
    so the package cannot pick the materialization itself; it refuses a mismatch instead, with the fix.
    Worded from the contract, as the CLI's declaration.materialization_problem() words it. -#}
{% macro _statsig_materialization_problem(declared, resolved) %}
    {%- set contract = statsig_sources._statsig_contract() -%}
    {%- set spec = contract['materialization'] -%}
    {%- set allowed = contract['declaration']['keys']['materialized']['choices'] -%}
    {%- set wanted = declared or spec['default'] -%}
    {%- if resolved is none or resolved == wanted -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fields = {'wanted': wanted, 'resolved': resolved, 'declared': declared, 'allowed': allowed | join(', ')} -%}
    {%- if resolved not in allowed -%}
        {%- set code = 'not_allowed' -%}
    {%- elif declared is none -%}
        {%- set code = 'not_opted_in' -%}
    {%- else -%}
        {%- set code = 'mismatch' -%}
    {%- endif -%}
    {%- set words = namespace(message=spec['messages'][code]) -%}
    {%- do fields.update({'folder': spec['messages']['folder']}) -%}
    {%- for name in ['folder', 'wanted', 'resolved', 'declared', 'allowed'] -%}
        {%- set words.message = words.message | replace('{' ~ name ~ '}', fields[name] ~ '') -%}
    {%- endfor -%}
    {{ return(words.message) }}
{% endmacro %}
