{#- The type of a source's canonical `timestamp`: a timestamp without time zone (dbt.type_timestamp()),
    except where that name means something else. -#}
{% macro statsig_type_timestamp() %}
    {{ return(adapter.dispatch('statsig_type_timestamp', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__statsig_type_timestamp() %}
    {{ return(dbt.type_timestamp()) }}
{% endmacro %}

{% macro snowflake__statsig_type_timestamp() %}
    {#- dbt-snowflake's type_timestamp() is TIMESTAMP, which an account's TIMESTAMP_TYPE_MAPPING may turn
        into TIMESTAMP_LTZ; the canonical column is naive UTC, so name TIMESTAMP_NTZ outright.
        https://docs.snowflake.com/en/sql-reference/parameters#timestamp-type-mapping -#}
    {{ return('timestamp_ntz') }}
{% endmacro %}
