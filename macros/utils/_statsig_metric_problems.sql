{#- Every problem of a declaration's `metrics:` list, after the rest of the declaration: each metric's
    keys, the keys its aggregation needs or leaves unused, its name (Statsig's rule, once per source),
    the columns it reads (this source's canonical columns and custom fields), its unit types (this
    source's), its tags, its criteria and its denominator. As the CLI's MetricChecks
    (src/statsig_sources/declaration/checker.py); a denominator's columns are the CLI's to check. -#}
{% macro _statsig_metric_problems(spec, problems, values) %}
    {%- set rules = spec['metrics'] -%}
    {%- set inputs = statsig_sources._statsig_metric_inputs(values) -%}
    {%- set seen = [] -%}
    {%- for item in values.get('metrics') or [] -%}
        {%- set name = item.get('name') if item is mapping else none -%}
        {%- set path = 'meta.statsig.metrics['
            ~ (name if statsig_sources._statsig_is_text(name) else '#' ~ loop.index) ~ ']' -%}
        {%- if item is not mapping -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'not_mapping', path,
                                                   {'type': statsig_sources._statsig_type_name(item)}) -%}
        {%- else -%}
            {%- set metric = statsig_sources._statsig_key_problems(spec, problems, path, item, rules['keys']) -%}
            {%- set metric_name = metric.get('name') -%}
            {%- if metric_name is not none -%}
                {%- if metric_name | length < rules['name_min_length'] or metric_name | length > rules['name_max_length']
                       or modules.re.fullmatch(rules['name_pattern'], metric_name) is none -%}
                    {%- do statsig_sources._statsig_problem(spec, problems, 'bad_metric_name', path ~ '.name',
                           {'value': metric_name, 'min': rules['name_min_length'], 'max': rules['name_max_length']}) -%}
                {%- elif (metric_name | lower) in seen -%}
                    {%- do statsig_sources._statsig_problem(spec, problems, 'duplicate_metric_name', path ~ '.name',
                                                           {'value': metric_name}) -%}
                {%- endif -%}
                {%- do seen.append(metric_name | lower) -%}
            {%- endif -%}
            {%- do statsig_sources._statsig_needs_problems(spec, problems, path, item, metric, rules['needs']) -%}
            {%- set read = [['value_column', metric['value_column']]] if 'value_column' in metric else [] -%}
            {%- for column in metric.get('dimensions') or [] -%}{%- do read.append(['dimensions', column]) -%}{%- endfor -%}
            {%- for key, column in read if column not in inputs['columns'] -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_a_column', path ~ '.' ~ key,
                                                       {'value': column, 'columns': inputs['columns'] | join(', ')}) -%}
            {%- endfor -%}
            {%- for unit_type in metric.get('unit_types') or [] if unit_type not in inputs['unit_types'] -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_source_unit_type', path ~ '.unit_types',
                                                       {'value': unit_type, 'known': inputs['unit_types'] | join(', ')}) -%}
            {%- endfor -%}
            {%- do statsig_sources._statsig_reserved_tag_problems(spec, problems, path ~ '.tags', metric.get('tags')) -%}
            {%- for criterion in metric.get('criteria') or [] -%}
                {%- do statsig_sources._statsig_criterion_problems(spec, problems, path ~ '.criteria[#' ~ loop.index ~ ']',
                                                                  criterion, inputs['columns']) -%}
            {%- endfor -%}
            {%- if 'denominator' in metric -%}
                {%- do statsig_sources._statsig_denominator_problems(spec, problems, path ~ '.denominator',
                                                                    metric['denominator']) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
