{#- Why a source materialized as `resolved` (dbt's config, from dbt_project.yml, a folder or the model)
    breaks its declaration, or none. dbt merges the YAML declaration only after a model's SQL has parsed,
    so the package cannot pick the materialization itself; it refuses a mismatch instead, with the fix.
    The CLI's declaration.materialization_problem() says the same, word for word. -#}
{% macro _statsig_materialization_problem(declared, resolved) %}
    {%- set allowed = statsig_sources._statsig_materializations() -%}
    {%- set wanted = declared or 'view' -%}
    {%- if resolved == wanted -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set folder = "set `+materialized: " ~ wanted ~ "` on the folder of metric-source models in dbt_project.yml" -%}
    {%- if resolved not in allowed -%}
        {{ return("is materialized '" ~ resolved ~ "', which is not one of " ~ allowed | join(', ') ~ ": " ~ folder) }}
    {%- elif declared is none -%}
        {{ return("is materialized '" ~ resolved ~ "', but a metric source is a view unless its declaration opts in: "
                  ~ folder ~ ", or declare meta.statsig.materialized: " ~ resolved) }}
    {%- endif -%}
    {{ return("declares meta.statsig.materialized: " ~ declared ~ ", but is materialized '" ~ resolved
              ~ "': set `materialized: " ~ declared ~ "` in its config, or change the declaration") }}
{% endmacro %}
