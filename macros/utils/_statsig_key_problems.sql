{#- Checks a mapping's keys against their specs (unknown keys, then each known key in the contract's
    order) and returns the valid values by key. -#}
{% macro _statsig_key_problems(spec, problems, path, raw, specs) %}
    {%- set values = {} -%}
    {%- for key in raw if key not in specs -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'unknown_key', path ~ '.' ~ key,
                                               {'allowed': specs | list | join(', ')}) -%}
    {%- endfor -%}
    {%- for key, key_spec in specs.items() -%}
        {%- set value = raw.get(key) -%}
        {%- if value is none -%}
            {%- if key_spec.get('required') -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'missing', path ~ '.' ~ key) -%}
            {%- endif -%}
        {%- elif statsig_sources._statsig_value_is_valid(spec, problems, path ~ '.' ~ key, value, key_spec) -%}
            {%- do values.update({key: value}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
{% endmacro %}
