{#- Every problem with a raw declaration, as {code, path, message}; empty when it is valid. Walks the
    contract (_statsig_contract) in the same order, with the same messages, as the CLI's
    src/statsig_sources/declaration/checker.py, and tests/fixtures/contract/declaration_cases.yaml holds
    one table of cases both must agree on.
    A key set to null counts as absent. -#}
{% macro _statsig_declaration_problems(raw, model_name) %}
    {%- set spec = statsig_sources._statsig_contract()['declaration'] -%}
    {%- set problems = [] -%}
    {%- if raw is not mapping -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'not_mapping', 'meta.statsig',
                                               {'type': statsig_sources._statsig_type_name(raw)}) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- set values = statsig_sources._statsig_key_problems(spec, problems, 'meta.statsig', raw, spec['keys']) -%}
    {%- do statsig_sources._statsig_unit_id_problems(spec, problems, values.get('unit_ids')) -%}
    {%- do statsig_sources._statsig_output_name_problems(spec, problems, values) -%}
    {%- for rule in spec['exclusive'] if rule['key'] in values and raw.get(rule['other']) == rule['value'] -%}
        {%- do statsig_sources._statsig_problem(spec, problems, 'exclusive', 'meta.statsig.' ~ rule['key'],
                                               {'other': rule['other'], 'value': rule['value']}) -%}
    {%- endfor -%}
    {%- if raw.get('source_name') is none or 'source_name' in values -%}
        {%- set name = values.get('source_name') or model_name -%}
        {%- if name | length > spec['source_name_max_length']
               or modules.re.fullmatch(spec['source_name_pattern'], name) is none -%}
            {%- set hint = '' if 'source_name' in values else spec['messages']['model_name_hint'] -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'bad_source_name', 'meta.statsig.source_name',
                   {'value': name, 'max': spec['source_name_max_length'], 'hint': hint}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do statsig_sources._statsig_reserved_tag_problems(spec, problems, 'meta.statsig.tags', values.get('tags')) -%}
    {%- do statsig_sources._statsig_metric_problems(spec, problems, values) -%}
    {{ return(problems) }}
{% endmacro %}
