{#- Classifies a warehouse data type name: string, double, date, timestamp (naive, or an instant already
    in UTC), timestamp_tz (offset-aware: must be converted) or other. Names come from the catalog
    (`timestamp with time zone`) or, for an expression's probe, from the driver's type codes. Used to
    convert timestamps and to check the canonical types. The names are listed once, in the contract the
    CLI classifies catalog types with too. An extension point: a project on another adapter may
    override it (`<adapter>__statsig_type_family`). -#}
{% macro statsig_type_family(data_type) %}
    {{ return(adapter.dispatch('statsig_type_family', 'statsig_sources')(data_type)) }}
{% endmacro %}

{% macro default__statsig_type_family(data_type) %}
    {#- Snowflake reports every float as FLOAT (REAL from the connector's type codes), all 64-bit
        (https://docs.snowflake.com/en/sql-reference/data-types-numeric#data-types-for-floating-point-numbers);
        BigQuery's API names FLOAT64 `FLOAT` (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables):
        the contract's extra_doubles. psycopg2 calls timestamptz DATETIMETZ; Trino reports
        `timestamp(3) with time zone`, so the whole name is searched for the marker. Spark's and Databricks'
        TIMESTAMP is an instant and BigQuery's TIMESTAMP is UTC: both are `timestamp`, needing no conversion. -#}
    {%- set warehouses = statsig_sources._statsig_contract()['warehouses'] -%}
    {%- set families = warehouses['type_families'] -%}
    {%- set name = data_type | lower | trim -%}
    {%- set base = name.split('(')[0] | trim -%}
    {%- if base in families['string'] -%}
        {{ return('string') }}
    {%- elif base in families['double'] + warehouses['extra_doubles'].get(target.type, []) -%}
        {{ return('double') }}
    {%- elif base in families['date'] -%}
        {{ return('date') }}
    {%- elif warehouses['timestamp_tz_marker'] in name or base in families['timestamp_tz'] -%}
        {{ return('timestamp_tz') }}
    {%- elif base.startswith(warehouses['timestamp_prefix']) or base in families['timestamp'] -%}
        {{ return('timestamp') }}
    {%- endif -%}
    {{ return('other') }}
{% endmacro %}
