{#- Every problem with package vars that reach SQL or a grants config (`values`: name -> value as the
    package resolved it), on this target's adapter, by the contract's `access` rules (`spec`): a role
    that names everyone, a name that does not match the adapter's pattern, a value of the wrong kind.
    Worded and ordered exactly as the CLI's declaration/access.py (a role list given as one string is a list of
    it, as _statsig_settings reads it). It runs on the parse of every metric source,
    so it calls no other macro unless it has a problem to word. -#}
{% macro _statsig_setting_problems(values, spec) %}
    {%- set problems = [] -%}
    {%- set own = spec['adapters'].get(target.type, {}) -%}
    {%- set default = spec['adapters']['default'] -%}
    {%- for name, value in values.items() -%}
        {%- set path = 'the var ' ~ name -%}
        {%- if name in spec['whole_numbers'] -%}
            {%- if not modules.re.fullmatch(spec['whole_number_pattern'], value ~ '') -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_whole_number', path, {'value': tojson(value)}) -%}
            {%- endif -%}
        {%- elif name in spec['settings'] -%}
            {%- set kind = spec['settings'][name] -%}
            {%- set rule = own.get(kind, default[kind]) -%}
            {%- set everyone = own.get('everyone', []) + default['everyone'] if kind == 'role' else [] -%}
            {%- set items = [] -%}
            {%- if kind == 'schema' and not (value is string and value | trim != '') -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_text', path, {'type': statsig_sources._statsig_type_name(value)}) -%}
            {%- elif kind == 'schema' -%}
                {%- do items.append((path, value)) -%}
            {%- elif value is string -%}
                {%- do items.append((path ~ '[0]', value)) -%}
            {%- elif value is mapping or value is not iterable -%}
                {%- do statsig_sources._statsig_problem(spec, problems, 'not_text_list', path, {'type': statsig_sources._statsig_type_name(value)}) -%}
            {%- else -%}
                {%- for item in value -%}
                    {%- do items.append((path ~ '[' ~ loop.index0 ~ ']', item)) -%}
                {%- endfor -%}
            {%- endif -%}
            {%- for item_path, item in items -%}
                {%- set found = namespace(who=none) -%}
                {%- if item is string -%}
                    {%- for entry in everyone if found.who is none and modules.re.fullmatch(entry['pattern'], item | lower) -%}
                        {%- set found.who = entry['who'] -%}
                    {%- endfor -%}
                {%- endif -%}
                {%- if not (item is string and item | trim != '') -%}
                    {%- do statsig_sources._statsig_problem(spec, problems, 'not_text', item_path, {'type': statsig_sources._statsig_type_name(item)}) -%}
                {%- elif found.who is not none -%}
                    {%- do statsig_sources._statsig_problem(spec, problems, 'everyone', path, {'adapter': target.type, 'who': found.who, 'value': tojson(item)}) -%}
                {%- elif not modules.re.fullmatch(rule['pattern'], item) -%}
                    {%- do statsig_sources._statsig_problem(spec, problems, 'bad_name', path, {'kind': kind, 'adapter': target.type, 'rule': rule['rule'], 'value': tojson(item)}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems | map(attribute='message') | list) }}
{% endmacro %}
