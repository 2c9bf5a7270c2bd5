{#- unit_ids maps an output column to a Statsig unit type, or to {unit_type, expression}. Unit types are
    Statsig's built-in userID and stableID plus the custom ones the var statsig_custom_unit_types lists. -#}
{% macro _statsig_unit_id_problems(unit_ids) %}
    {%- set problems = [] -%}
    {%- if unit_ids is none -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- if unit_ids is not mapping or unit_ids | length == 0 -%}
        {{ return(["meta.statsig.unit_ids must map at least one column to a Statsig unit type"]) }}
    {%- endif -%}
    {%- set known = ['userID', 'stableID'] + statsig_sources._statsig_setting('statsig_custom_unit_types') -%}
    {%- for column, spec in unit_ids.items() -%}
        {%- set key = "meta.statsig.unit_ids." ~ column -%}
        {%- if spec is mapping -%}
            {%- for extra in spec if extra not in ['unit_type', 'expression'] -%}
                {%- do problems.append("unknown key " ~ key ~ "." ~ extra ~ " (allowed: unit_type, expression)") -%}
            {%- endfor -%}
            {%- if spec.get('expression') is not none and (spec.expression is not string or spec.expression | trim == '') -%}
                {%- do problems.append(key ~ ".expression must be a non-empty string") -%}
            {%- endif -%}
            {%- set unit_type = spec.get('unit_type') -%}
        {%- else -%}
            {%- set unit_type = spec -%}
        {%- endif -%}
        {%- if unit_type is none -%}
            {%- do problems.append("missing required key " ~ key ~ ".unit_type") -%}
        {%- elif unit_type not in known -%}
            {%- do problems.append(key ~ " has unknown unit type '" ~ unit_type ~ "' (known: "
                ~ known | join(', ') ~ "; list custom unit types in the var statsig_custom_unit_types)") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
