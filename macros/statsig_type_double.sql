{#- A 64-bit float. Not dbt.type_float(): that is a 32-bit FLOAT on DuckDB. -#}
{% macro statsig_type_double() %}
    {{ return(adapter.dispatch('statsig_type_double', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__statsig_type_double() %}
    {#- The SQL standard's name; PostgreSQL, DuckDB, Redshift, Snowflake and Trino all accept it. -#}
    {{ return('double precision') }}
{% endmacro %}
