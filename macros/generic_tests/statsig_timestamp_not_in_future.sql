{#- Rows whose `timestamp` lies further in the future than the tolerance (minutes; default the var
    statsig_future_tolerance_minutes): a sign of a wrong time zone or of bad data. -#}
{% test statsig_timestamp_not_in_future(model, tolerance_minutes=none) %}
    {{ return(adapter.dispatch('test_statsig_timestamp_not_in_future', 'statsig_sources')(model, tolerance_minutes)) }}
{% endtest %}

{#- Dispatched as dbt-utils' generic tests are, so that an adapter may override it:
    `<adapter>__test_statsig_timestamp_not_in_future`. -#}
{% macro default__test_statsig_timestamp_not_in_future(model, tolerance_minutes) %}
    {%- set minutes = tolerance_minutes if tolerance_minutes is not none
                      else statsig_sources._statsig_setting('statsig_future_tolerance_minutes') -%}
select *
from {{ model }}
where {{ statsig_sources._statsig_quoted('timestamp') }}
    > {{ dbt.dateadd('minute', minutes | int, statsig_sources.statsig_utc_now()) }}
{% endmacro %}
