{#- When dbt builds a source, before the warehouse sees its SQL, in one metadata query: the upstream
    relation must exist and have every declared input that is a plain column name (unit ids, timestamp,
    value, measures, dimensions), so a missing one is a compile error naming the model, the key and the
    upstream's columns instead of the warehouse's binder error. The same query reads the timestamp's
    data type, which decides its conversion to UTC (with `timestamp_type`, whether it is text).

    The query is `select *` (plus the timestamp expression, when it is not a plain column) over the
    upstream, wrapped by dbt so that it scans no data; the relation's existence comes from dbt's relation
    cache, which a run fills before any model. Returns the timestamp's type name. -#}
{% macro _statsig_check_upstream(declaration, upstream) %}
    {%- if load_relation(upstream) is none -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads " ~ upstream
            ~ ", which does not exist in the warehouse yet: build it first (dbt build --select +"
            ~ declaration.model ~ ")") }}
    {%- endif -%}
    {%- set columns = statsig_sources._statsig_declared_columns(declaration) -%}
    {%- set probed = ('timestamp', declaration.timestamp) not in columns -%}
    {%- set probe -%}
select *{{ ', ' ~ declaration.timestamp ~ ' as statsig_sources_timestamp' if probed }} from {{ upstream }}
    {%- endset -%}
    {%- set types = {} -%}
    {%- set names = [] -%}
    {%- for column in get_column_schema_from_query(probe) -%}
        {%- do types.update({column.name | lower: column.dtype}) -%}
        {%- if not (probed and loop.last) -%}
            {%- do names.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for key, column in columns if column | lower not in types -%}
        {%- do missing.append(key ~ ": " ~ column) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads columns that "
            ~ upstream ~ " does not have: " ~ missing | join(', ') ~ " (its columns: " ~ names | join(', ') ~ ")") }}
    {%- endif -%}
    {{ return(types['statsig_sources_timestamp' if probed else declaration.timestamp | lower]) }}
{% endmacro %}
