{#- Converts an offset-aware timestamp expression to the naive timestamp of the same instant in UTC. -#}
{% macro statsig_convert_to_utc(expression) %}
    {{ return(adapter.dispatch('statsig_convert_to_utc', 'statsig_sources')(expression)) }}
{% endmacro %}

{% macro default__statsig_convert_to_utc(expression) %}
    {#- PostgreSQL, DuckDB and Redshift: `timestamptz AT TIME ZONE 'UTC'` yields the UTC wall-clock time. -#}
    {{ return(expression ~ " at time zone 'UTC'") }}
{% endmacro %}

{% macro snowflake__statsig_convert_to_utc(expression) %}
    {#- Snowflake has no AT TIME ZONE: convert_timezone() moves a TIMESTAMP_TZ/LTZ to UTC, and the cast
        drops the offset. https://docs.snowflake.com/en/sql-reference/functions/convert_timezone -#}
    {{ return("cast(convert_timezone('UTC', " ~ expression ~ ") as timestamp_ntz)") }}
{% endmacro %}

{% macro bigquery__statsig_convert_to_utc(expression) %}
    {#- A BigQuery TIMESTAMP is an instant and always UTC; an offset in a literal is applied when it is
        parsed. Nothing to convert: https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#timestamp_type -#}
    {{ return(expression) }}
{% endmacro %}

{% macro spark__statsig_convert_to_utc(expression) %}
    {#- Spark (and Databricks, which falls back to spark__) has no AT TIME ZONE. Its TIMESTAMP is an
        instant shown in the session's time zone; to_utc_timestamp() shifts it so that the session shows
        the UTC wall-clock time, whatever that zone is (the identity under the UTC session the package's
        targets use). https://spark.apache.org/docs/latest/api/sql/index.html#to_utc_timestamp -#}
    {{ return("to_utc_timestamp(" ~ expression ~ ", current_timezone())") }}
{% endmacro %}

{% macro trino__statsig_convert_to_utc(expression) %}
    {#- Trino's AT TIME ZONE keeps the time zone; the cast then drops it, leaving UTC wall-clock time.
        https://trino.io/docs/current/functions/datetime.html#time-zone-conversion -#}
    {{ return("cast(" ~ expression ~ " at time zone 'UTC' as timestamp)") }}
{% endmacro %}
