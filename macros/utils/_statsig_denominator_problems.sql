{#- A ratio's denominator: its keys, the keys its aggregation needs or leaves unused, and its criteria.
    Its source and columns belong to another declaration, so the CLI checks those. -#}
{% macro _statsig_denominator_problems(spec, problems, path, raw) %}
    {%- set rules = spec['metrics'] -%}
    {%- set denominator = statsig_sources._statsig_key_problems(spec, problems, path, raw, rules['denominator_keys']) -%}
    {%- do statsig_sources._statsig_needs_problems(spec, problems, path, raw, denominator, rules['denominator_needs']) -%}
    {%- for criterion in denominator.get('criteria') or [] -%}
        {%- do statsig_sources._statsig_criterion_problems(spec, problems, path ~ '.criteria[#' ~ loop.index ~ ']',
                                                          criterion, none) -%}
    {%- endfor -%}
{% endmacro %}
