{#- Classifies a warehouse data type name: string, double, date, timestamp (naive), timestamp_tz
    (offset-aware) or other. Used to convert timestamps and to check the canonical types. -#}
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
    {#- Names come from the catalog (`timestamp with time zone`) or, for an expression's probe, from the
        driver's type codes: psycopg2 calls timestamptz DATETIMETZ. -#}
    {%- elif 'with time zone' in base or base in ['timestamptz', 'timestamp_tz', 'timestamp_ltz', 'datetimetz'] -%}
        {{ return('timestamp_tz') }}
    {%- elif base.startswith('timestamp') or base == 'datetime' -%}
        {{ return('timestamp') }}
    {%- endif -%}
    {{ return('other') }}
{% endmacro %}
