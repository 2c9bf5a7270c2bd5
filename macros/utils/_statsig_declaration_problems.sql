{#- Every problem with a raw declaration, as sentences naming the key; empty when it is valid.
    A key set to null counts as absent. -#}
{% macro _statsig_declaration_problems(raw) %}
    {%- set problems = [] -%}
    {%- set allowed = ['source_name', 'granularity', 'unit_ids', 'timestamp', 'value', 'measures',
                       'dimensions', 'filter', 'description', 'owner', 'tags', 'source_type', 'sql',
                       'custom_fields', 'timestamp_type', 'materialized'] -%}
    {%- for key in raw if key not in allowed -%}
        {%- do problems.append("unknown key meta.statsig." ~ key
                               ~ " (allowed: " ~ allowed | join(', ') ~ ")") -%}
    {%- endfor -%}
    {%- for key in ['granularity', 'unit_ids', 'timestamp'] if raw.get(key) is none -%}
        {%- do problems.append("missing required key meta.statsig." ~ key) -%}
    {%- endfor -%}
    {%- for key in ['source_name', 'timestamp', 'value', 'filter', 'description', 'owner', 'sql'] -%}
        {%- set value = raw.get(key) -%}
        {%- if value is not none and (value is not string or value | trim == '') -%}
            {%- do problems.append("meta.statsig." ~ key ~ " must be a non-empty string") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set choices = {'granularity': ['event_log', 'daily_fact', 'daily_aggregate'],
                       'source_type': ['query', 'table'],
                       'timestamp_type': ['offset_aware', 'naive', 'date'],
                       'materialized': statsig_sources._statsig_materializations()} -%}
    {%- for key, options in choices.items() if raw.get(key) is not none and raw.get(key) not in options -%}
        {%- do problems.append("meta.statsig." ~ key ~ " is '" ~ raw.get(key) ~ "', expected one of "
                               ~ options | join(', ')) -%}
    {%- endfor -%}
    {%- for key in ['tags', 'dimensions'] -%}
        {%- if raw.get(key) is not none and not statsig_sources._statsig_is_list_of_strings(raw.get(key)) -%}
            {%- do problems.append("meta.statsig." ~ key ~ " must be a list of strings") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in ['measures', 'custom_fields'] -%}
        {%- set value = raw.get(key) -%}
        {%- if value is not none and value is not mapping -%}
            {%- do problems.append("meta.statsig." ~ key ~ " must be a mapping of name to SQL expression") -%}
        {%- elif value is mapping -%}
            {%- for name, expression in value.items() if expression is not string or expression | trim == '' -%}
                {%- do problems.append("meta.statsig." ~ key ~ "." ~ name ~ " must be a SQL expression") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do problems.extend(statsig_sources._statsig_unit_id_problems(raw.get('unit_ids'))) -%}
    {%- do problems.extend(statsig_sources._statsig_column_name_problems(raw)) -%}
    {{ return(problems) }}
{% endmacro %}
