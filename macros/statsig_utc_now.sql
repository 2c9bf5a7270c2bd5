{#- The current time as a naive UTC timestamp, comparable with a source's `timestamp`. -#}
{% macro statsig_utc_now() %}
    {{ return(adapter.dispatch('statsig_utc_now', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__statsig_utc_now() %}
    {{ return(dbt.current_timestamp_in_utc_backcompat()) }}
{% endmacro %}

{% macro duckdb__statsig_utc_now() %}
    {#- dbt-duckdb's current_timestamp_in_utc_backcompat casts now() in the session's time zone, which is
        not UTC when a profile sets TimeZone: https://github.com/duckdb/dbt-duckdb -#}
    {{ return("(current_timestamp at time zone 'UTC')") }}
{% endmacro %}

{% macro spark__statsig_utc_now() %}
    {#- dbt-spark's backcompat macro casts with `::`, which Spark 3 cannot parse. Spark's (and
        Databricks') TIMESTAMP is an instant, as a source's `timestamp` is there, so the two compare
        rightly in any session time zone. https://spark.apache.org/docs/latest/api/sql/index.html#current_timestamp -#}
    {{ return('current_timestamp()') }}
{% endmacro %}

{% macro snowflake__statsig_utc_now() %}
    {#- dbt-snowflake's backcompat macro casts current_timestamp to TIMESTAMP first, which an account's
        TIMESTAMP_TYPE_MAPPING decides; converting the TIMESTAMP_LTZ itself is exact.
        https://docs.snowflake.com/en/sql-reference/functions/current_timestamp -#}
    {{ return(statsig_sources.statsig_convert_to_utc('current_timestamp()')) }}
{% endmacro %}

{% macro trino__statsig_utc_now() %}
    {#- dbt-trino's backcompat macro emits `current_timestamp::timestamp`, and Trino has no `::` cast:
        https://trino.io/docs/current/functions/datetime.html#current_timestamp -#}
    {{ return(statsig_sources.statsig_convert_to_utc('current_timestamp')) }}
{% endmacro %}
