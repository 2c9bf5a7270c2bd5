{#- `timestamp` in UTC, without a time zone. Offset-aware input is converted to UTC; naive input is taken
    as UTC already. A day grain is truncated to the UTC calendar day and typed as a timestamp at midnight,
    so every source's `timestamp` has the same type. -#}
{% macro _statsig_timestamp_sql(expression, family, timestamp_as_day) %}
    {%- set value = '(' ~ expression ~ ')' -%}
    {%- if family == 'timestamp_tz' -%}
        {%- set value = statsig_sources.statsig_convert_to_utc(value) -%}
    {%- endif -%}
    {%- if timestamp_as_day -%}
        {%- set value = 'cast(' ~ value ~ ' as date)' -%}
    {%- endif -%}
    {{ return('cast(' ~ value ~ ' as ' ~ statsig_sources.statsig_type_timestamp() ~ ')') }}
{% endmacro %}
