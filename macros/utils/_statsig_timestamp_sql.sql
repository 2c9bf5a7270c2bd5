{#- `timestamp` in UTC, without a time zone. Offset-aware input is converted to UTC; naive input is taken
    as UTC already; text is parsed as ISO 8601, by its offset or as UTC without one (refused, naming the
    column, its type and the fix, on an adapter the package has no parser for). A day grain is truncated
    to the UTC calendar day and typed as a timestamp at midnight, so every source's `timestamp` has the
    same type. `type_name` is the warehouse's name for the input's type, when it was asked. -#}
{% macro _statsig_timestamp_sql(declaration, family, type_name) %}
    {%- set value = '(' ~ declaration.timestamp ~ ')' -%}
    {%- if family == 'timestamp_tz' -%}
        {%- set value = statsig_sources.statsig_convert_to_utc(value) -%}
    {%- elif family == 'string' -%}
        {%- set value = adapter.dispatch('statsig_text_timestamp_to_utc', 'statsig_sources')(value) -%}
        {%- if value is none -%}
            {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads its timestamp `"
                ~ declaration.timestamp ~ "` as text (type " ~ type_name ~ "), which the package cannot parse "
                ~ "reliably on " ~ target.type ~ ": convert it to a timestamp type in the upstream model (an "
                ~ "offset-aware one if the text carries UTC offsets), or implement " ~ target.type
                ~ "__statsig_text_timestamp_to_utc (docs/declaration.md#text-timestamps)") }}
        {%- endif -%}
    {%- endif -%}
    {%- if declaration.timestamp_as_day -%}
        {%- set value = 'cast(' ~ value ~ ' as date)' -%}
    {%- endif -%}
    {{ return('cast(' ~ value ~ ' as ' ~ statsig_sources.statsig_type_timestamp() ~ ')') }}
{% endmacro %}
