{#- A name (a database, a schema, a Databricks principal) quoted for this adapter, with every quote character inside it doubled
    (`"` on most warehouses, a backquote on BigQuery, Databricks and Spark: the contract's `access`
    quote), so no name can end the identifier early. `adapter.quote` does not escape. -#}
{% macro _statsig_quoted_name(name) %}
    {%- set adapters = statsig_sources._statsig_contract()['access']['adapters'] -%}
    {%- set quote = adapters.get(target.type, {}).get('quote', adapters['default']['quote']) -%}
    {{ return(quote ~ (name ~ '') | replace(quote, quote ~ quote) ~ quote) }}
{% endmacro %}
