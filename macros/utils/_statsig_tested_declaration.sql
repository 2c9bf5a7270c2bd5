{#- Inside a generic test, the declaration of the model under test. The test's `model` argument is a
    relation; the test node itself (context['model']) names the model it depends on. -#}
{% macro _statsig_tested_declaration() %}
    {%- set test_node = context['model'] -%}
    {%- for unique_id in test_node.depends_on.nodes if unique_id in graph.nodes -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- if statsig_sources._statsig_is_source(node) -%}
            {{ return(statsig_sources._statsig_declaration(node)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("statsig_sources: test '" ~ test_node.name ~ "' ("
        ~ test_node.original_file_path ~ ") is applied to a model without config.meta.statsig") }}
{% endmacro %}
