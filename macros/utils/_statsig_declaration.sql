{#- Reads a model's `config.meta.statsig` block, refuses anything wrong with one compile error that names
    the model, its files and every problem (worded as the CLI's `validate` words them), and returns the
    normalised declaration the other macros use. The keys are documented in docs/declaration.md. -#}
{% macro _statsig_declaration(node) %}
    {%- set meta = node.config.get('meta') or {} -%}
    {%- set raw = meta.get('statsig') if meta is mapping else none -%}
    {%- if raw is none and node.get('meta') is mapping -%}
        {%- set raw = node.meta.get('statsig') -%}
    {%- endif -%}
    {%- set files = [node.original_file_path] -%}
    {%- if node.get('patch_path') -%}
        {%- do files.append(node.patch_path.split('://')[-1]) -%}
    {%- endif -%}
    {%- set where = "model '" ~ node.name ~ "' (" ~ files | join(', ') ~ ")" -%}
    {%- set problems = statsig_sources._statsig_declaration_problems(raw, node.name) -%}
    {%- if problems -%}
        {%- set lines = [] -%}
        {%- for problem in problems -%}
            {%- do lines.append('  - ' ~ problem['message']) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ where
            ~ " has an invalid metric-source declaration (docs/declaration.md):\n" ~ lines | join('\n')) }}
    {%- endif -%}
    {%- set unit_ids = [] -%}
    {%- for column, target in raw['unit_ids'].items() -%}
        {%- if target is string -%}
            {%- do unit_ids.append({'column': column, 'unit_type': target, 'expression': column}) -%}
        {%- else -%}
            {%- do unit_ids.append({'column': column, 'unit_type': target['unit_type'],
                                    'expression': target.get('expression') or column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set measures = [] -%}
    {%- for column, expression in (raw.get('measures') or {}).items() -%}
        {%- do measures.append({'column': column, 'expression': expression}) -%}
    {%- endfor -%}
    {{ return({
        'model': node.name,
        'source_name': raw.get('source_name') or node.name,
        'granularity': raw['granularity'],
        'timestamp_as_day': raw['granularity'] != 'event_log',
        'unit_ids': unit_ids,
        'timestamp': raw['timestamp'],
        'value': raw.get('value'),
        'measures': measures,
        'dimensions': raw.get('dimensions') or [],
        'filter': raw.get('filter'),
        'timestamp_type': raw.get('timestamp_type'),
        'materialized': raw.get('materialized'),
        'where': where,
    }) }}
{% endmacro %}
