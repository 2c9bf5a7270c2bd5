{#- Tags that look like an ownership marker: the contract's reserved prefix, in any case. -#}
{% macro _statsig_reserved_tag_problems(spec, problems, path, tags) %}
    {%- for tag in tags or [] if (tag | trim | lower).startswith(spec['reserved_tag_prefix'] | lower) -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'reserved_tag', path,
                                               {'value': tag, 'prefix': spec['reserved_tag_prefix']}) -%}
    {%- endfor -%}
{% endmacro %}
