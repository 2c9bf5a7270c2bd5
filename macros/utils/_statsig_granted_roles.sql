{#- The roles this target grants read access to the governed schema, from the package's resolved
    `settings` (which must hold the contract's target_grants vars and statsig_production_targets):
    Statsig's reader roles on a production target, statsig_non_production_reader_roles (default none)
    on any other. The CLI reads the answer the package recorded (declaration/settings.py). -#}
{% macro _statsig_granted_roles(settings) %}
    {%- set by_target = statsig_sources._statsig_contract()['target_grants'] -%}
    {%- set production = target.name in settings['statsig_production_targets'] -%}
    {{ return(settings[by_target['production'] if production else by_target['other_targets']]) }}
{% endmacro %}
