{#- Called while a metric-source model parses, so its grants travel with the macro rather than with
    every consumer's dbt_project.yml: select to the Statsig role(s) and no one else (a model's own
    config() beats YAML and dbt_project.yml). Schema USAGE, which dbt's relation-level grants never give,
    comes from the package's on-run-end hook (grant_statsig_schema_usage); a per-model post-hook would
    make dbt rebuild each model's whole Jinja context when it applies YAML config, doubling parse time.
    On an adapter without GRANT (open-source Spark) no grants are set: dbt-spark would fail the build on
    them, and the rule is reported as unenforceable by the CLI instead. -#}
{% macro _statsig_governance_config() %}
    {%- if statsig_sources._statsig_supports_grants() -%}
        {%- do config(grants={'select': statsig_sources._statsig_setting('statsig_reader_roles')}) -%}
    {%- endif -%}
{% endmacro %}
