{#- Whether dbt can apply the `grants` config on this adapter. Where it cannot, the package sets no
    grants (so the build does not fail on them) and the CLI's `validate` reports the rule as
    unenforceable there. The adapters without grants are listed once, in the contract the CLI reads too.
    An extension point: a project on another adapter may override it (`<adapter>__statsig_supports_grants`). -#}
{% macro statsig_supports_grants() %}
    {{ return(adapter.dispatch('statsig_supports_grants', 'statsig_sources')()) }}
{% endmacro %}

{% macro default__statsig_supports_grants() %}
    {#- Open-source Spark's catalog has no GRANT (dbt-spark's `grant select` is refused: "Operation not
        allowed: grant"), DuckDB has no roles; Databricks, which dispatches through spark__, has Unity
        Catalog grants, and its adapter type is not in the list. -#}
    {{ return(target.type not in statsig_sources._statsig_contract()['warehouses']['without_grants']) }}
{% endmacro %}
