{#- The name a canonical column gets, exactly as the warehouse will report it (and so as Statsig must be
    told it). Declared names are lower-case; callers quote the result with adapter.quote(). -#}
{% macro statsig_column_name(name) %}
    {{ return(adapter.dispatch('statsig_column_name', 'statsig_sources')(name)) }}
{% endmacro %}

{% macro default__statsig_column_name(name) %}
    {{ return(name) }}
{% endmacro %}

{% macro snowflake__statsig_column_name(name) %}
    {#- Snowflake folds unquoted identifiers to upper case, so an upper-case name is what every reader
        sees: https://docs.snowflake.com/en/sql-reference/identifiers-syntax -#}
    {{ return(name | upper) }}
{% endmacro %}
