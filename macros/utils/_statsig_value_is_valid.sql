{#- Whether a value has its key's kind (text, choice, text_list, values, mappings, mapping, percentile,
    expressions, unit_ids); records the problem when it has not. -#}
{% macro _statsig_value_is_valid(spec, problems, path, value, key_spec) %}
    {%- set kind = key_spec['kind'] -%}
    {%- set type = statsig_sources._statsig_type_name(value) -%}
    {%- set bounds = spec['metrics']['percentile_bounds'] -%}
    {%- if kind == 'text' and not statsig_sources._statsig_is_text(value) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_text', path, {'type': type}) -%}
    {%- elif kind == 'choice' and value is string and value in key_spec.get('unsupported', []) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'unsupported_choice', path,
                                               {'value': value, 'choices': key_spec['choices'] | join(', ')}) -%}
    {%- elif kind == 'choice' and (value is not string or value not in key_spec['choices']) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_choice', path,
                                               {'choices': key_spec['choices'] | join(', '), 'value': value}) -%}
    {%- elif kind == 'text_list' and not statsig_sources._statsig_is_text_list(value) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_text_list', path, {'type': type}) -%}
    {%- elif kind == 'values' and not statsig_sources._statsig_is_text_list(value, numbers=true) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_values', path, {'type': type}) -%}
    {%- elif kind == 'mappings' and (value is string or value is mapping or value is not iterable) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_mappings', path, {'type': type}) -%}
    {%- elif kind == 'mapping' and value is not mapping -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_mapping', path, {'type': type}) -%}
    {%- elif kind == 'percentile' and (value is boolean or value is not number
                                       or not (value > bounds[0] and value < bounds[1])) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_percentile', path,
                                               {'low': bounds[0], 'high': bounds[1], 'value': value}) -%}
    {%- elif kind == 'expressions' and value is not mapping -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_expressions', path, {'type': type}) -%}
    {%- elif kind == 'expressions' -%}
        {%- set blank = [] -%}
        {%- for name, formula in value.items() if not statsig_sources._statsig_is_text(formula) -%}
            {%- do blank.append(name) -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'blank_expression', path ~ '.' ~ name,
                                                   {'type': statsig_sources._statsig_type_name(formula)}) -%}
        {%- endfor -%}
        {{ return(blank | length == 0) }}
    {%- elif kind == 'unit_ids' and (value is not mapping or value | length == 0) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'no_unit_ids', path) -%}
    {%- else -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(false) }}
{% endmacro %}
