{#- The timestamp's type family when the warehouse is not asked for it and `timestamp_type` does not
    declare it: `timestamp` (naive, taken as UTC already), with one warning naming the model and the
    fix, since an offset-aware input would be converted when dbt builds the model and not here. An
    ephemeral upstream (a CTE) cannot be asked at all: declaring the type is then the only way. -#}
{% macro _statsig_unprobed_timestamp(declaration, upstream) %}
    {%- set fix = "declare meta.statsig.timestamp_type (offset_aware, naive or date)" -%}
    {%- if upstream.is_cte -%}
        {#- dbt names an ephemeral model's CTE `__dbt__cte__<model>`. -#}
        {{ exceptions.raise_compiler_error("statsig_sources: " ~ declaration.where ~ " reads the ephemeral "
            ~ "model " ~ upstream.identifier | replace('__dbt__cte__', '') ~ ", whose timestamp type the "
            ~ "warehouse cannot be asked: " ~ fix) }}
    {%- endif -%}
    {%- do exceptions.warn("statsig_sources: " ~ declaration.where ~ " was compiled without asking the "
        ~ "warehouse its timestamp's type (only dbt run and dbt build ask), so its timestamp is taken as "
        ~ "naive UTC here; " ~ fix ~ " to compile it exactly as it builds") -%}
    {{ return('timestamp') }}
{% endmacro %}
