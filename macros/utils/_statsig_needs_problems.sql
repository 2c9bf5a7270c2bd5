{#- Keys a chosen value requires and keys it leaves unused (`aggregation: sum` needs `value_column`), by
    the contract's `needs` rules, in order; a rule whose deciding key is itself unused decides nothing,
    and an unused key is named with the last deciding key that governs it. As the CLI's
    KeyChecker.needs (src/statsig_sources/declaration/checker.py). -#}
{% macro _statsig_needs_problems(spec, problems, path, raw, values, rules) %}
    {%- set needed = {} -%}
    {%- set governed = {} -%}
    {%- for rule in rules -%}
        {%- set decider = rule['key'] -%}
        {%- set chosen = values.get(decider) -%}
        {%- set listed = [] -%}
        {%- for keys in rule['keys'].values() -%}
            {%- for key in keys -%}
                {%- do listed.append(key) -%}
                {%- if key not in governed -%}{%- do governed.update({key: none}) -%}{%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if chosen is not none and not (decider in governed and decider not in needed) -%}
            {%- for key in rule['keys'][chosen] if key not in needed -%}
                {%- do needed.update({key: [decider, chosen]}) -%}
            {%- endfor -%}
            {%- for key in listed -%}{%- do governed.update({key: [decider, chosen]}) -%}{%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key, decided in governed.items() -%}
        {%- if key in needed and raw.get(key) is none -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'needed', path ~ '.' ~ key,
                                                   {'key': needed[key][0], 'value': needed[key][1]}) -%}
        {%- elif key not in needed and key in values and decided is not none -%}
            {%- do statsig_sources._statsig_problem(spec, problems, 'unused', path ~ '.' ~ key,
                                                   {'key': decided[0], 'value': decided[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
