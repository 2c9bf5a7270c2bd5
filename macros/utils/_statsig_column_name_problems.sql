{#- Output names must be lower-case identifiers, must not take the reserved `timestamp` and `value`, and
    must be unique across unit ids, measures and dimensions. -#}
{% macro _statsig_column_name_problems(raw) %}
    {%- set problems = [] -%}
    {%- set named = [] -%}
    {%- for key in ['unit_ids', 'measures'] if raw.get(key) is mapping -%}
        {%- for name in raw.get(key) -%}
            {%- do named.append(('meta.statsig.' ~ key, name)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if statsig_sources._statsig_is_list_of_strings(raw.get('dimensions') or []) -%}
        {%- for name in raw.get('dimensions') or [] -%}
            {%- do named.append(('meta.statsig.dimensions', name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for key, name in named -%}
        {%- if not statsig_sources._statsig_is_identifier(name) -%}
            {%- do problems.append(key ~ ": '" ~ name ~ "' is not a lower-case identifier ([a-z_][a-z0-9_]*)") -%}
        {%- elif name in ['timestamp', 'value'] -%}
            {%- do problems.append(key ~ ": '" ~ name ~ "' is reserved for the canonical column of that name") -%}
        {%- elif name in seen -%}
            {%- do problems.append(key ~ ": column '" ~ name ~ "' is declared twice") -%}
        {%- endif -%}
        {%- do seen.append(name) -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
