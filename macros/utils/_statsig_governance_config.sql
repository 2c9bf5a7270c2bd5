{#- Called while a metric-source model parses (only then). Sets its grants, so they travel with the macro rather than
    with every consumer's dbt_project.yml: select to the roles this target grants and no one else (a
    model's own config() beats YAML and dbt_project.yml). Which roles a target grants is the contract's
    `target_grants`: Statsig's reader roles on a production target (statsig_production_targets), the var
    statsig_non_production_reader_roles (default none) on any other, so a developer's or a CI build gives
    Statsig nothing and needs no Statsig role to exist. An empty list is still set, so that no grantee can
    be added by configuration there either. Schema USAGE, which dbt's relation-level grants never give,
    comes from the package's on-run-end hook (grant_statsig_schema_usage); a per-model post-hook would
    make dbt rebuild each model's whole Jinja context when it applies YAML config, doubling parse time.
    On an adapter without GRANT (open-source Spark) no grants are set: dbt-spark would fail the build on
    them, and the rule is reported as unenforceable by the CLI instead.
    The privilege is the contract's read privilege for the adapter (`select`; BigQuery's
    `roles/bigquery.dataViewer`), and the roles were checked by _statsig_settings before any grant exists.
    It also records in the model's meta (under the contract's recorded.meta_key) the package's version,
    the target, the settings the package resolved for it (vars with env_var and --vars applied) and the
    roles it granted (target_grants.recorded_as; none where the adapter has no GRANT), so the CLI checks
    the manifest with exactly the values the package used, knows what the manifest's target grants, and
    refuses one written by another release of the package.
    It runs for every metric-source model on every parse, so it makes few macro calls (the settings in
    one); it does not run once dbt executes, when config() sets nothing. -#}
{% macro _statsig_governance_config() %}
    {%- set contract = statsig_sources._statsig_contract() -%}
    {%- set spec = contract['recorded'] -%}
    {%- set by_target = contract['target_grants'] -%}
    {%- set recorded = {spec['version_key']: spec['version'], 'target': target.name} -%}
    {%- do recorded.update(statsig_sources._statsig_settings(spec['settings'])) -%}
    {%- set roles = statsig_sources._statsig_granted_roles(recorded) -%}
    {%- if statsig_sources.statsig_supports_grants() -%}
        {%- set adapters = contract['access']['adapters'] -%}
        {%- set privilege = adapters.get(target.type, {}).get('read_privilege', adapters['default']['read_privilege']) -%}
        {%- do recorded.update({by_target['recorded_as']: roles}) -%}
        {%- do config(grants={privilege: roles}, meta={spec['meta_key']: recorded}) -%}
    {%- else -%}
        {%- do recorded.update({by_target['recorded_as']: []}) -%}
        {%- do config(meta={spec['meta_key']: recorded}) -%}
    {%- endif -%}
{% endmacro %}
