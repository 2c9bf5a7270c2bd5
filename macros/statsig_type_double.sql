{#- A 64-bit float. Not dbt.type_float(): that is a 32-bit FLOAT on DuckDB. -#}
{% macro statsig_type_double() %}
    {{ return(adapter.dispatch('statsig_type_double', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__statsig_type_double() %}
    {#- The SQL standard's name; PostgreSQL, DuckDB, Redshift and Snowflake accept it (Snowflake's
        DOUBLE PRECISION, like its FLOAT, is 64-bit). -#}
    {{ return('double precision') }}
{% endmacro %}

{% macro spark__statsig_type_double() %}
    {#- Spark SQL has no `double precision`, only DOUBLE (also used by Databricks, whose dispatch falls
        back to spark__): https://spark.apache.org/docs/latest/sql-ref-datatypes.html -#}
    {{ return('double') }}
{% endmacro %}

{% macro bigquery__statsig_type_double() %}
    {#- BigQuery's only floating-point type is FLOAT64:
        https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#floating_point_types -#}
    {{ return('float64') }}
{% endmacro %}

{% macro trino__statsig_type_double() %}
    {#- Trino names its 64-bit float DOUBLE: https://trino.io/docs/current/language/types.html#double -#}
    {{ return('double') }}
{% endmacro %}
