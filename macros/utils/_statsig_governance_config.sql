{#- Called while a metric-source model parses, so its governance travels with the macro rather than with
    every consumer's dbt_project.yml: select is granted to the Statsig role(s) and no one else (a model's
    own config() beats YAML and dbt_project.yml), and a post-hook grants USAGE on the schema, which dbt's
    relation-level grants never do. -#}
{% macro _statsig_governance_config() %}
    {%- do config(
        grants={'select': statsig_sources._statsig_setting('statsig_reader_roles')},
        post_hook=["{{ statsig_sources.grant_statsig_schema_usage() }}"]
    ) -%}
{% endmacro %}
