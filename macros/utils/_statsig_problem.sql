{#- Appends one problem to `problems`, worded by the contract's message for `code`. -#}
{% macro _statsig_problem(spec, problems, code, path, fields={}) %}
    {%- set words = namespace(message=spec['messages'][code] | replace('{path}', path)) -%}
    {%- for name, value in fields.items() -%}
        {%- set words.message = words.message | replace('{' ~ name ~ '}', value ~ '') -%}
    {%- endfor -%}
    {%- do problems.append({'code': code, 'path': path, 'message': words.message}) -%}
{% endmacro %}
