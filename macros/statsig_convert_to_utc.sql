{#- Converts an offset-aware timestamp expression to the naive timestamp of the same instant in UTC. -#}
{% macro statsig_convert_to_utc(expression) %}
    {{ return(adapter.dispatch('statsig_convert_to_utc', 'statsig_sources')(expression)) }}
{% endmacro %}

{% macro default__statsig_convert_to_utc(expression) %}
    {#- PostgreSQL, DuckDB and Redshift: `timestamptz AT TIME ZONE 'UTC'` yields the UTC wall-clock time. -#}
    {{ return(expression ~ " at time zone 'UTC'") }}
{% endmacro %}
