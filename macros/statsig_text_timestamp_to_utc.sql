{#- Converts a text expression holding an ISO 8601 date-time into the naive timestamp of the same instant
    in UTC: a value with a UTC offset (`Z`, `+05:30`, `-0800`, `+05`) is converted by its offset, a value
    without one (`2018-01-01T23:00:00`, `2018-01-01 23:00:00.5`, `2018-01-01`) is taken as UTC. Neither
    depends on the session's time zone, which for a view is whoever reads it (Statsig), not dbt. On
    BigQuery, Spark and Databricks, whose TIMESTAMP is an instant, the result is that instant.

    Dispatched. Returns none on an adapter for which the package knows no reliable ISO 8601 parser
    (default__): statsig_source() then refuses the text timestamp when dbt builds the model, naming the
    column, its type and the fix. A project on another adapter may implement
    `<adapter>__statsig_text_timestamp_to_utc`. -#}
{% macro statsig_text_timestamp_to_utc(expression) %}
    {%- set converted = adapter.dispatch('statsig_text_timestamp_to_utc', 'statsig_sources')(expression) -%}
    {%- if converted is none -%}
        {{ exceptions.raise_compiler_error("statsig_sources: statsig_text_timestamp_to_utc() has no ISO 8601 "
            ~ "text conversion for the " ~ target.type ~ " adapter: convert " ~ expression ~ " to a timestamp "
            ~ "type in SQL, or implement " ~ target.type ~ "__statsig_text_timestamp_to_utc") }}
    {%- endif -%}
    {{ return(converted) }}
{% endmacro %}

{#- The value, trimmed and upper-cased (`t` and `z` are ISO 8601's lower-case forms of `T` and `Z`). -#}
{% macro _statsig_iso8601_text(expression) %}
    {{ return('upper(trim(' ~ expression ~ '))') }}
{% endmacro %}

{#- Whether ISO 8601 text ends with a UTC offset after its time: `Z`, `±hh`, `±hh:mm` or `±hhmm`, right
    after the minutes, seconds or fraction (one space before it is tolerated, so that such a value is
    converted or refused, never read without its offset). A date alone (`2018-01-01`) has no offset.
    Plain POSIX classes, no backslashes: every warehouse's regular expressions and string literals read
    it alike. -#}
{% macro _statsig_iso8601_offset_pattern() %}
    {{ return(':[0-9]{2}([.][0-9]+)?[ ]?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
{% endmacro %}

{% macro default__statsig_text_timestamp_to_utc(expression) %}
    {#- No conversion the package has checked for this adapter's parser: none, so the model is refused. -#}
    {{ return(none) }}
{% endmacro %}

{% macro postgres__statsig_text_timestamp_to_utc(expression) %}
    {#- PostgreSQL (and Redshift, which dispatches here): a `timestamptz` cast honours the text's offset,
        but takes a value without one in the session's time zone, and a `timestamp` cast drops an offset
        silently; so each kind of value gets the cast that reads it right. `~` is a POSIX match. -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when " ~ text ~ " ~ '" ~ statsig_sources._statsig_iso8601_offset_pattern() ~ "' then "
        ~ statsig_sources.statsig_convert_to_utc("cast(" ~ text ~ " as timestamptz)")
        ~ " else cast(" ~ text ~ " as timestamp) end") }}
{% endmacro %}

{% macro duckdb__statsig_text_timestamp_to_utc(expression) %}
    {#- DuckDB casts as PostgreSQL does (a `timestamp` cast drops the offset), but its `~` matches the
        whole string, so the search is regexp_matches(). -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when regexp_matches(" ~ text ~ ", '" ~ statsig_sources._statsig_iso8601_offset_pattern()
        ~ "') then " ~ statsig_sources.statsig_convert_to_utc("cast(" ~ text ~ " as timestamptz)")
        ~ " else cast(" ~ text ~ " as timestamp) end") }}
{% endmacro %}

{% macro snowflake__statsig_text_timestamp_to_utc(expression) %}
    {#- Snowflake: REGEXP_LIKE matches the whole string, hence the leading `.*`. The format 'AUTO' is
        given outright, so an account's TIMESTAMP_INPUT_FORMAT cannot change how the text is read;
        TIMESTAMP_NTZ ignores the session's TIMEZONE.
        https://docs.snowflake.com/en/sql-reference/functions/to_timestamp -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when regexp_like(" ~ text ~ ", '.*" ~ statsig_sources._statsig_iso8601_offset_pattern()
        ~ "') then " ~ statsig_sources.statsig_convert_to_utc("to_timestamp_tz(" ~ text ~ ", 'AUTO')")
        ~ " else to_timestamp_ntz(" ~ text ~ ", 'AUTO') end") }}
{% endmacro %}

{% macro bigquery__statsig_text_timestamp_to_utc(expression) %}
    {#- BigQuery's TIMESTAMP() reads the offset in the text; a value without one is given UTC outright,
        whatever a script's @@time_zone says.
        https://cloud.google.com/bigquery/docs/reference/standard-sql/timestamp_functions#timestamp -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when regexp_contains(" ~ text ~ ", '" ~ statsig_sources._statsig_iso8601_offset_pattern()
        ~ "') then timestamp(" ~ text ~ ") else timestamp(" ~ text ~ ", 'UTC') end") }}
{% endmacro %}

{% macro spark__statsig_text_timestamp_to_utc(expression) %}
    {#- Spark (and Databricks, which dispatches here): a TIMESTAMP cast reads the text's offset into the
        instant it names, but reads a value without one in the session's time zone. Such a value is read
        as TIMESTAMP_NTZ (its wall-clock time, whatever its shape) and given `Z`, so it is the UTC instant
        in every session, daylight-saving gaps included. A value Spark cannot read is null (an error
        under ANSI mode), which the package's statsig_keys_not_null test reports. Spark 3.4 or newer. -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when " ~ text ~ " rlike '" ~ statsig_sources._statsig_iso8601_offset_pattern() ~ "' then cast("
        ~ text ~ " as timestamp) else cast(concat(cast(cast(" ~ text ~ " as timestamp_ntz) as string), 'Z') "
        ~ "as timestamp) end") }}
{% endmacro %}

{% macro trino__statsig_text_timestamp_to_utc(expression) %}
    {#- Trino: from_iso8601_timestamp() reads the offset, but needs the `T` separator and gives a value
        without an offset the session's time zone; a `timestamp` cast reads a value without one as it is,
        but needs a space separator. Millisecond precision, as the canonical timestamp(3).
        https://trino.io/docs/current/functions/datetime.html#from_iso8601_timestamp -#}
    {%- set text = statsig_sources._statsig_iso8601_text(expression) -%}
    {{ return("case when regexp_like(" ~ text ~ ", '" ~ statsig_sources._statsig_iso8601_offset_pattern()
        ~ "') then " ~ statsig_sources.statsig_convert_to_utc("from_iso8601_timestamp(replace(" ~ text
        ~ ", ' ', 'T'))") ~ " else cast(replace(" ~ text ~ ", 'T', ' ') as timestamp) end") }}
{% endmacro %}
