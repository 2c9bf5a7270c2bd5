{#- Called while a metric-source model parses (only then). Sets its grants, so they travel with the macro rather than
    with every consumer's dbt_project.yml: select to the Statsig role(s) and no one else (a model's own
    config() beats YAML and dbt_project.yml). Schema USAGE, which dbt's relation-level grants never give,
    comes from the package's on-run-end hook (grant_statsig_schema_usage); a per-model post-hook would
    make dbt rebuild each model's whole Jinja context when it applies YAML config, doubling parse time.
    On an adapter without GRANT (open-source Spark) no grants are set: dbt-spark would fail the build on
    them, and the rule is reported as unenforceable by the CLI instead.
    The privilege is the contract's read privilege for the adapter (`select`; BigQuery's
    `roles/bigquery.dataViewer`), and the roles were checked by _statsig_settings before any grant exists.
    It also records in the model's meta (under the contract's recorded.meta_key) the package's version,
    the target and the settings the package resolved for it (vars with env_var and --vars applied), so
    the CLI checks the manifest with exactly the values the package used, and refuses one written by
    another release of the package.
    It runs for every metric-source model on every parse, so it makes few macro calls (the settings in
    one); it does not run once dbt executes, when config() sets nothing. -#}
{% macro _statsig_governance_config() %}
    {%- set contract = statsig_sources._statsig_contract() -%}
    {%- set spec = contract['recorded'] -%}
    {%- set recorded = {spec['version_key']: spec['version'], 'target': target.name} -%}
    {%- do recorded.update(statsig_sources._statsig_settings(spec['settings'])) -%}
    {%- if statsig_sources.statsig_supports_grants() -%}
        {%- set adapters = contract['access']['adapters'] -%}
        {%- set privilege = adapters.get(target.type, {}).get('read_privilege', adapters['default']['read_privilege']) -%}
        {%- do config(grants={privilege: recorded['statsig_reader_roles']}, meta={spec['meta_key']: recorded}) -%}
    {%- else -%}
        {%- do config(meta={spec['meta_key']: recorded}) -%}
    {%- endif -%}
{% endmacro %}
