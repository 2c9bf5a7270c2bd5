{#- Each unit id maps an output column to a Statsig unit type, or to {unit_type, expression}. Unit types
    are the built-in ones plus those the var statsig_custom_unit_types lists. -#}
{% macro _statsig_unit_id_problems(spec, problems, unit_ids) %}
    {%- set known = spec['built_in_unit_types'] + statsig_sources._statsig_setting('statsig_custom_unit_types') -%}
    {%- for column, target in (unit_ids or {}).items() -%}
        {%- set path = 'meta.statsig.unit_ids.' ~ column -%}
        {%- if target is mapping -%}
            {%- set unit_type = statsig_sources._statsig_key_problems(spec, problems, path, target,
                                                                      spec['unit_id_keys']).get('unit_type') -%}
        {%- elif statsig_sources._statsig_is_text(target) -%}
            {%- set unit_type = target -%}
        {%- else -%}
            {%- set unit_type = none -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'not_text', path,
                                                   {'type': statsig_sources._statsig_type_name(target)}) -%}
        {%- endif -%}
        {%- if unit_type is not none and unit_type not in known -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'unknown_unit_type', path,
                                                   {'value': unit_type, 'known': known | join(', ')}) -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
