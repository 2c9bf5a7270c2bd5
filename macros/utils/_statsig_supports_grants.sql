{#- Whether dbt can apply the `grants` config on this adapter. Where it cannot, the package sets no
    grants (so the build does not fail on them) and the CLI's `validate` reports the rule as
    unenforceable there. -#}
{% macro _statsig_supports_grants() %}
    {{ return(adapter.dispatch('_statsig_supports_grants', 'statsig_sources')()) }}
{% endmacro %}

{% macro default___statsig_supports_grants() %}
    {{ return(true) }}
{% endmacro %}

{% macro spark___statsig_supports_grants() %}
    {#- Open-source Spark's catalog has no GRANT: dbt-spark's apply_grants runs `grant select on ...`,
        which Spark refuses ("Operation not allowed: grant"), so a metric source with grants would not build.
        https://spark.apache.org/docs/latest/sql-ref-syntax.html -#}
    {{ return(false) }}
{% endmacro %}

{% macro databricks___statsig_supports_grants() %}
    {#- Databricks falls back to spark__, but Unity Catalog has GRANT and dbt-databricks applies grants:
        https://docs.databricks.com/en/data-governance/unity-catalog/manage-privileges/ -#}
    {{ return(true) }}
{% endmacro %}
