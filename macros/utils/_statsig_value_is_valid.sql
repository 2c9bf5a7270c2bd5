{#- Whether a value has its key's kind (text, choice, text_list, values, mappings, mapping, percentile,
    expressions, unit_ids); records the problem when it has not. The value's type is named only in a
    problem's message, so it is worked out only then: this runs for every key of every source each
    time dbt compiles one, and nearly every value is valid. -#}
{% macro _statsig_value_is_valid(spec, problems, path, value, key_spec) %}
    {%- set kind = key_spec['kind'] -%}
    {%- set bounds = spec['metrics']['percentile_bounds'] -%}
    {%- set found = namespace(code=none, fields={}) -%}
    {%- if kind == 'text' and not statsig_sources._statsig_is_text(value) -%}
        {%- set found.code = 'not_text' -%}
    {%- elif kind == 'choice' and value is string and value in key_spec.get('unsupported', []) -%}
        {%- set found.code = 'unsupported_choice' -%}
        {%- set found.fields = {'value': value, 'choices': key_spec['choices'] | join(', ')} -%}
    {%- elif kind == 'choice' and (value is not string or value not in key_spec['choices']) -%}
        {%- set found.code = 'not_choice' -%}
        {%- set found.fields = {'choices': key_spec['choices'] | join(', '), 'value': value} -%}
    {%- elif kind == 'text_list' and not statsig_sources._statsig_is_text_list(value) -%}
        {%- set found.code = 'not_text_list' -%}
    {%- elif kind == 'values' and not statsig_sources._statsig_is_text_list(value, numbers=true) -%}
        {%- set found.code = 'not_values' -%}
    {%- elif kind == 'mappings' and (value is string or value is mapping or value is not iterable) -%}
        {%- set found.code = 'not_mappings' -%}
    {%- elif kind == 'mapping' and value is not mapping -%}
        {%- set found.code = 'not_mapping' -%}
    {%- elif kind == 'percentile' and (value is boolean or value is not number
                                       or not (value > bounds[0] and value < bounds[1])) -%}
        {%- set found.code = 'not_percentile' -%}
        {%- set found.fields = {'low': bounds[0], 'high': bounds[1], 'value': value} -%}
    {%- elif kind == 'expressions' and value is not mapping -%}
        {%- set found.code = 'not_expressions' -%}
    {%- elif kind == 'expressions' -%}
        {%- set blank = [] -%}
        {%- for name, formula in value.items() if not statsig_sources._statsig_is_text(formula) -%}
            {%- do blank.append(name) -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'blank_expression', path ~ '.' ~ name,
                                                   {'type': statsig_sources._statsig_type_name(formula)}) -%}
        {%- endfor -%}
        {{ return(blank | length == 0) }}
    {%- elif kind == 'unit_ids' and (value is not mapping or value | length == 0) -%}
        {%- set found.code = 'no_unit_ids' -%}
    {%- endif -%}
    {%- if found.code is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if 'type' not in found.fields -%}
        {%- do found.fields.update({'type': statsig_sources._statsig_type_name(value)}) -%}
    {%- endif -%}
    {%- do statsig_sources._statsig_problem(spec, problems, found.code, path, found.fields) -%}
    {{ return(false) }}
{% endmacro %}
