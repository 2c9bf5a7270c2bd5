{#- How a metric source may be materialized: a view unless its declaration opts in to another with
    `meta.statsig.materialized`. The CLI's declaration.MATERIALIZATIONS is the same list (one test
    compares them). -#}
{% macro _statsig_materializations() %}
    {{ return(['view', 'table', 'incremental']) }}
{% endmacro %}
