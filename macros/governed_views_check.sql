{#- No run ends green with a governed view missing. PostgreSQL and Redshift replace a table (or a view)
    by dropping the old one with `cascade`, which silently drops every view over it: `dbt build --select
    customers` drops statsig_staging.statsig_customers and the run passes. The package's on-run-start
    hook records which relations each governed schema holds (one metadata query per governed schema);
    its on-run-end hook lists them again and fails the run, naming every one that is gone and the
    command that rebuilds it (docs/governance.md#partial-rebuilds-and-dropped-views). Only the commands
    that replace relations check; `parse`, `compile`, `docs generate` and `ls` run no hooks, and
    `dbt test` checks nothing. -#}

{#- Where the start hook leaves what it found, for the end hook of the same invocation. dbt renders each
    hook in a fresh context; the `graph` dict is the one object both share (the manifest's flat graph). -#}
{% macro _statsig_views_at_start_key() %}
    {{ return('statsig_sources_governed_relations_at_start') }}
{% endmacro %}

{#- True in a command that may replace relations: run, build, seed, snapshot (and their retry). -#}
{% macro _statsig_replacing_command() %}
    {{ return(execute and flags.WHICH in ['run', 'build', 'seed', 'snapshot', 'retry']) }}
{% endmacro %}

{#- on-run-start: records the relations in each governed schema. Returns no SQL. -#}
{% macro statsig_record_governed_views() %}
    {%- set key = statsig_sources._statsig_views_at_start_key() -%}
    {%- set recorded = graph.get(key) -%}
    {%- if statsig_sources._statsig_replacing_command()
          and (recorded is none or recorded.invocation_id != invocation_id) -%}
        {%- set schemas = [] -%}
        {%- for database, schema in statsig_sources._statsig_governed_schemas() -%}
            {%- set names = statsig_sources.statsig_governed_relation_names(database, schema) -%}
            {%- if names is not none -%}
                {%- do schemas.append({'database': database, 'schema': schema, 'names': names}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do graph.update({key: {'invocation_id': invocation_id, 'schemas': schemas, 'missing': none}}) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- on-run-end: a statement that fails, naming the governed relations that existed when the run started
    and are gone now, or '' when none is. -#}
{% macro statsig_check_governed_views() %}
    {%- set recorded = graph.get(statsig_sources._statsig_views_at_start_key()) -%}
    {%- if not statsig_sources._statsig_replacing_command() or results is not defined
          or recorded is none or recorded.invocation_id != invocation_id -%}
        {{ return('') }}
    {%- endif -%}
    {%- if recorded.missing is none -%}
        {#- Computed once: dbt may render a hook more than once. -#}
        {%- do recorded.update({'missing': statsig_sources._statsig_missing_relations(recorded.schemas)}) -%}
    {%- endif -%}
    {%- if not recorded.missing -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(statsig_sources.statsig_failing_statement(statsig_sources._statsig_missing_message(recorded.missing))) }}
{% endmacro %}

{#- Each governed relation the start hook saw that is gone now, described. Nothing is asked of the
    warehouse when the run replaced no relation: only a replaced relation can take a view with it. -#}
{% macro _statsig_missing_relations(schemas) %}
    {%- set statuses = {} -%}
    {%- for result in results if result.node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- for status in ['success', 'error', 'skipped'] if result.status == status -%}
            {%- do statuses.update({result.node.unique_id: status}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- if 'success' not in statuses.values() -%}
        {{ return(missing) }}
    {%- endif -%}
    {%- for entry in schemas -%}
        {%- set now = statsig_sources.statsig_governed_relation_names(entry.database, entry.schema) or [] -%}
        {#- dbt's own intermediate relations (`__dbt_tmp`, `__dbt_backup`, left by an interrupted run)
            come and go with any rebuild. -#}
        {%- for name in entry.names if name not in now and not name.endswith(('__dbt_tmp', '__dbt_backup')) -%}
            {%- do missing.append(statsig_sources._statsig_missing_relation(entry.database, entry.schema, name, statuses)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(missing) }}
{% endmacro %}

{#- One missing relation: its name, the model that builds it (none when no model does any more), why it
    is gone and the dbt selectors that rebuild it. -#}
{% macro _statsig_missing_relation(database, schema, name, statuses) %}
    {%- set relation = schema ~ '.' ~ name -%}
    {%- set node = statsig_sources._statsig_node_building(database, schema, name) -%}
    {%- if node is none -%}
        {{ return({'relation': relation, 'model': none, 'selectors': [],
                   'reason': 'no model of this project builds it any more (renamed or removed)'}) }}
    {%- endif -%}
    {%- set replaced = statsig_sources._statsig_replaced_upstream(node, statuses) -%}
    {%- set selectors = [] -%}
    {%- for parent in replaced -%}
        {%- do selectors.append(graph.nodes[parent].name ~ '+') -%}
    {%- endfor -%}
    {%- set names = selectors | map('replace', '+', '') | join(', ') -%}
    {%- set own = statuses.get(node.unique_id) -%}
    {%- if own in ['error', 'skipped'] -%}
        {%- set reason = 'its build ' ~ ('failed' if own == 'error' else 'was skipped') ~ ' in this run'
            ~ (', after the run replaced ' ~ names ~ ', which dropped it' if names else '') -%}
    {%- elif names -%}
        {%- set reason = 'dropped with ' ~ names ~ ', which the run replaced (' ~ target.type
            ~ ' drops the views over a relation it replaces)' -%}
    {%- else -%}
        {%- set reason = 'dropped during the run' -%}
    {%- endif -%}
    {{ return({'relation': relation, 'model': node.name, 'selectors': selectors or [node.name], 'reason': reason}) }}
{% endmacro %}

{#- The model (or seed, snapshot) that builds `database`.`schema`.`name`, or none. -#}
{% macro _statsig_node_building(database, schema, name) %}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- if (node.alias or node.name) | lower == name | lower and node.schema | lower == schema | lower
              and (node.database or '') | lower == (database or '') | lower -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{#- The nearest nodes upstream of `node` that the run rebuilt, through views and ephemeral models only: a
    relation that stores data (a table, an incremental model, a seed, a snapshot) and was not rebuilt
    holds its rows, and no drop reaches past it. The CLI's reload walks by the same rule
    (statsig_sources/artifacts/lineage.py). -#}
{% macro _statsig_replaced_upstream(node, statuses) %}
    {%- set found = [] -%}
    {%- set seen = [node.unique_id] -%}
    {%- set queue = node.depends_on.nodes | list -%}
    {%- for parent_id in queue if parent_id not in seen -%}
        {%- do seen.append(parent_id) -%}
        {%- set parent = graph.nodes.get(parent_id) -%}
        {%- if statuses.get(parent_id) == 'success' -%}
            {%- do found.append(parent_id) -%}
        {%- elif parent is not none and parent.resource_type == 'model'
              and parent.config.materialized in ['view', 'ephemeral'] -%}
            {%- do queue.extend(parent.depends_on.nodes) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | sort) }}
{% endmacro %}

{#- The hook's message: for people, each relation and why it is gone, and the command that rebuilds
    them; for `statsig-sources reload`, the last line, a marker it reads from run_results.json. -#}
{% macro _statsig_missing_message(missing) %}
    {%- set selectors = [] -%}
    {%- for item in missing -%}
        {%- for selector in item.selectors if selector not in selectors -%}
            {%- do selectors.append(selector) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set restore = 'dbt build --select ' ~ selectors | join(' ') ~ ' --target ' ~ target.name if selectors else '' -%}
    {%- set lines = ['statsig_sources: this run left ' ~ missing | length ~ ' governed relation(s) missing that'
        ~ ' existed when it started, and Statsig cannot read them until they are rebuilt:'] -%}
    {%- for item in missing -%}
        {%- do lines.append('  - ' ~ item.relation ~ ': ' ~ item.reason) -%}
    {%- endfor -%}
    {%- if restore -%}
        {%- do lines.append('Rebuild them: ' ~ restore) -%}
    {%- endif -%}
    {%- if missing | selectattr('model', 'none') | list -%}
        {%- do lines.append('A relation no model builds any more was the view of a source that was renamed or'
            ~ ' removed: if Statsig still reads it, register the source\'s new view (statsig-sources apply).') -%}
    {%- endif -%}
    {%- do lines.append('(docs/governance.md#partial-rebuilds-and-dropped-views)') -%}
    {%- set marker = {'views': missing | map(attribute='relation') | list, 'restore': restore} -%}
    {%- do lines.append('statsig_sources:missing_views=' ~ tojson(marker)) -%}
    {{ return(lines | join('\n')) }}
{% endmacro %}

{#- The (database, schema) of every metric source in the project, each once. -#}
{% macro _statsig_governed_schemas() %}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and statsig_sources._statsig_is_source(node) -%}
        {%- if (node.database, node.schema) not in schemas -%}
            {%- do schemas.append((node.database, node.schema)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(schemas) }}
{% endmacro %}

{#- The names (lower case) of the relations in a schema, in one metadata query; none where the package
    does not check, because the warehouse never drops a view when dbt replaces what it reads. An
    extension point (`<adapter>__statsig_governed_relation_names`). -#}
{% macro statsig_governed_relation_names(database, schema) %}
    {{ return(adapter.dispatch('statsig_governed_relation_names', 'statsig_sources')(database, schema)) }}
{% endmacro %}

{% macro default__statsig_governed_relation_names(database, schema) %}
    {#- Snowflake, Trino and others: the information schema. -#}
    {%- set query -%}
select table_name from {{ information_schema_name(database) }}.tables
where lower(table_schema) = lower({{ statsig_sources._statsig_string_literal(schema) }})
    {%- endset -%}
    {{ return(statsig_sources._statsig_first_column(query)) }}
{% endmacro %}

{% macro postgres__statsig_governed_relation_names(database, schema) %}
    {#- PostgreSQL and Redshift: the catalog lists every relation, whoever may read it, and Redshift's
        late-binding views too. -#}
    {%- set query -%}
select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = {{ statsig_sources._statsig_string_literal(schema) }} and c.relkind in ('r', 'v', 'm', 'p', 'f')
    {%- endset -%}
    {{ return(statsig_sources._statsig_first_column(query)) }}
{% endmacro %}

{% macro duckdb__statsig_governed_relation_names(database, schema) %}
    {#- DuckDB keeps a view when the table it reads is replaced: the check finds nothing missing. -#}
    {%- set query -%}
select table_name from information_schema.tables
where table_catalog = {{ statsig_sources._statsig_string_literal(database) }}
  and table_schema = {{ statsig_sources._statsig_string_literal(schema) }}
    {%- endset -%}
    {{ return(statsig_sources._statsig_first_column(query)) }}
{% endmacro %}

{% macro spark__statsig_governed_relation_names(database, schema) %}
    {#- Spark and Databricks replace a table in place (`create or replace`, or a drop that does not
        cascade): views over it stay. Not checked, so no query. -#}
    {{ return(none) }}
{% endmacro %}

{% macro bigquery__statsig_governed_relation_names(database, schema) %}
    {#- BigQuery replaces a table in place (`create or replace table`): views over it stay. -#}
    {{ return(none) }}
{% endmacro %}

{% macro _statsig_first_column(query) %}
    {%- set names = [] -%}
    {%- for row in run_query(query) -%}
        {%- do names.append(row[0] | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- A SQL string literal: quotes doubled. -#}
{% macro _statsig_string_literal(text) %}
    {{ return("'" ~ (text ~ '') | replace("'", "''") ~ "'") }}
{% endmacro %}

{#- A statement that fails with `message` as the warehouse's error, so dbt marks the hook as an error,
    the run exits 1, and run_results.json records the message. An extension point
    (`<adapter>__statsig_failing_statement`). -#}
{% macro statsig_failing_statement(message) %}
    {{ return(adapter.dispatch('statsig_failing_statement', 'statsig_sources')(message)) }}
{% endmacro %}

{% macro default__statsig_failing_statement(message) %}
    {#- Snowflake, Trino, Redshift: a failed cast quotes the whole text in its error. -#}
    {{ return('select cast(' ~ statsig_sources._statsig_string_literal(message) ~ ' as integer)') }}
{% endmacro %}

{% macro redshift__statsig_failing_statement(message) %}
    {{ return(statsig_sources.default__statsig_failing_statement(message)) }}
{% endmacro %}

{% macro postgres__statsig_failing_statement(message) %}
    {{ return('do $statsig_sources$ begin raise exception using message = '
              ~ statsig_sources._statsig_string_literal(message) ~ '; end $statsig_sources$') }}
{% endmacro %}

{% macro duckdb__statsig_failing_statement(message) %}
    {{ return('select error(' ~ statsig_sources._statsig_string_literal(message) ~ ')') }}
{% endmacro %}
