{#- Unit-id columns, measures and dimensions share one namespace of lower-case identifiers, none of them
    a name the package reserves for its own canonical columns. -#}
{% macro _statsig_output_name_problems(spec, problems, values) %}
    {%- set pattern = spec['output_name_pattern'] -%}
    {%- set keys = ['unit_ids'] -%}
    {%- for key, key_spec in spec['keys'].items() if key_spec.get('output_names') -%}
        {%- do keys.append(key) -%}
    {%- endfor -%}
    {%- set seen = [] -%}
    {%- for key in keys -%}
        {%- for name in values.get(key) or [] -%}
            {%- set path = 'meta.statsig.' ~ key ~ '.' ~ name -%}
            {%- if name is not string or modules.re.fullmatch(pattern, name) is none -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_output_name', path, {'pattern': pattern}) -%}
            {%- elif name in spec['reserved_output_names'] -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'reserved_output_name', path) -%}
            {%- elif name in seen -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'duplicate_output_name', path, {'value': name}) -%}
            {%- endif -%}
            {%- do seen.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}
