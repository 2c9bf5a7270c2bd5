{#- Output column names are lower-case SQL identifiers, so that every warehouse reports them the same
    way (upper-cased on Snowflake) and none needs quoting to be read back. -#}
{% macro _statsig_is_identifier(name) %}
    {{ return(name is string and modules.re.fullmatch('[a-z_][a-z0-9_]*', name) is not none) }}
{% endmacro %}
