{#- The schema a model lands in. A metric-source model (one with config.meta.statsig) lands in the
    governed schema: named exactly by the var statsig_schema on a production target (listed by the var
    statsig_production_targets), and with dbt's usual `<target schema>_` prefix on any other target, so a
    developer's or a pull request's build never replaces what Statsig reads. Any other model gets dbt's
    default. dbt only calls the root project's generate_schema_name, so a consumer calls this from its
    own override (docs/governance.md). -#}
{% macro statsig_schema_name(custom_schema_name, node) %}
    {{ return(adapter.dispatch('statsig_schema_name', 'statsig_sources')(custom_schema_name, node)) }}
{% endmacro %}

{% macro default__statsig_schema_name(custom_schema_name, node) %}
    {%- if not statsig_sources._statsig_is_source(node) -%}
        {{ return(default__generate_schema_name(custom_schema_name, node)) }}
    {%- endif -%}
    {%- set settings = statsig_sources._statsig_settings(['statsig_schema', 'statsig_production_targets']) -%}
    {%- if target.name in settings['statsig_production_targets'] -%}
        {{ return(settings['statsig_schema']) }}
    {%- endif -%}
    {{ return(default__generate_schema_name(settings['statsig_schema'], node)) }}
{% endmacro %}
