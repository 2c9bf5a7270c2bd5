{#- Classifies a warehouse data type name: string, double, date, timestamp (naive, or an instant already
    in UTC), timestamp_tz (offset-aware: must be converted) or other. Names come from the catalog
    (`timestamp with time zone`) or, for an expression's probe, from the driver's type codes. Used to
    convert timestamps and to check the canonical types. -#}
{% macro _statsig_type_family(data_type) %}
    {{ return(adapter.dispatch('_statsig_type_family', 'statsig_sources')(data_type)) }}
{% endmacro %}

{% macro default___statsig_type_family(data_type) %}
    {%- set name = data_type | lower | trim -%}
    {%- set base = name.split('(')[0] | trim -%}
    {%- if base in ['text', 'string', 'varchar', 'character varying', 'character', 'char', 'nvarchar'] -%}
        {{ return('string') }}
    {%- elif base in ['double precision', 'double', 'float8', 'float64'] -%}
        {{ return('double') }}
    {%- elif base == 'date' -%}
        {{ return('date') }}
    {#- psycopg2 calls timestamptz DATETIMETZ; Trino reports `timestamp(3) with time zone`, so the
        whole name is searched, not only what precedes the precision. -#}
    {%- elif 'with time zone' in name or base in ['timestamptz', 'timestamp_tz', 'timestamp_ltz', 'datetimetz'] -%}
        {{ return('timestamp_tz') }}
    {#- Spark's and Databricks' TIMESTAMP is an instant (shown in the session's time zone, UTC on the
        package's targets) and their TIMESTAMP_NTZ is naive: both need no conversion. -#}
    {%- elif base.startswith('timestamp') or base == 'datetime' -%}
        {{ return('timestamp') }}
    {%- endif -%}
    {{ return('other') }}
{% endmacro %}

{% macro snowflake___statsig_type_family(data_type) %}
    {#- Snowflake reports every float as FLOAT in its catalog (REAL from the connector's type codes) and
        all of them are 64-bit; TEXT and FIXED come from type codes too.
        https://docs.snowflake.com/en/sql-reference/data-types-numeric#data-types-for-floating-point-numbers -#}
    {%- set base = (data_type | lower | trim).split('(')[0] | trim -%}
    {%- if base in ['float', 'float4', 'real', 'double', 'double precision', 'float8'] -%}
        {{ return('double') }}
    {%- endif -%}
    {{ return(statsig_sources.default___statsig_type_family(data_type)) }}
{% endmacro %}

{% macro bigquery___statsig_type_family(data_type) %}
    {#- BigQuery's API names FLOAT64 `FLOAT` in table schemas; its TIMESTAMP is an instant in UTC and
        DATETIME is naive, so neither needs converting.
        https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema.FIELDS.type -#}
    {%- set base = (data_type | lower | trim).split('(')[0] | trim -%}
    {%- if base in ['float', 'float64'] -%}
        {{ return('double') }}
    {%- endif -%}
    {{ return(statsig_sources.default___statsig_type_family(data_type)) }}
{% endmacro %}
