{#- Before the warehouse sees a source's SQL: its upstream relation must exist and have every declared
    input that is a plain column name (unit ids, timestamp, value, measures, dimensions), so a missing one
    is a compile error naming the model, the key and the upstream's columns instead of the warehouse's
    binder error. `building` is true under `dbt run`/`dbt build`; otherwise (a compile that must probe the
    timestamp's type) the way out also names timestamp_type, which lets `dbt compile` run offline. -#}
{% macro _statsig_check_upstream(declaration, upstream, building) %}
    {%- set relation = load_relation(upstream) -%}
    {%- if relation is none -%}
        {%- set way_out = "build it first (dbt build --select +" ~ declaration.model ~ ")" -%}
        {%- if not building -%}
            {%- set way_out = way_out ~ ", or declare meta.statsig.timestamp_type so that compiling the model asks the warehouse nothing" -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads " ~ upstream
            ~ ", which does not exist in the warehouse yet: " ~ way_out) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.append(column.name) -%}
    {%- endfor -%}
    {%- set known = names | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for key, expression in statsig_sources._statsig_declared_inputs(declaration) -%}
        {%- if statsig_sources._statsig_is_column_name(expression) and expression | lower not in known -%}
            {%- do missing.append(key ~ ": " ~ expression) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads columns that "
            ~ upstream ~ " does not have: " ~ missing | join(', ') ~ " (its columns: " ~ names | join(', ') ~ ")") }}
    {%- endif -%}
{% endmacro %}
