{#- One metric filter: its keys, the keys its condition needs or leaves unused, and its column among
    `columns` (none: another source's columns, which the CLI checks). -#}
{% macro _statsig_criterion_problems(spec, problems, path, raw, columns) %}
    {%- if raw is not mapping -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_mapping', path,
                                               {'type': statsig_sources._statsig_type_name(raw)}) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set criterion = statsig_sources._statsig_key_problems(spec, problems, path, raw,
                                                              spec['metrics']['criterion_keys']) -%}
    {%- do statsig_sources._statsig_needs_problems(spec, problems, path, raw, criterion,
                                                  spec['metrics']['criterion_needs']) -%}
    {%- if columns is not none and 'column' in criterion and criterion['column'] not in columns -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_a_column', path ~ '.column',
                                               {'value': criterion['column'], 'columns': columns | join(', ')}) -%}
    {%- endif -%}
{% endmacro %}
