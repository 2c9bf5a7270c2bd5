{#- Rows whose `timestamp` lies further in the future than the tolerance (minutes; default the var
    statsig_future_tolerance_minutes): a sign of a wrong time zone or of bad data. -#}
{% test statsig_timestamp_not_in_future(model, tolerance_minutes=none) %}
    {%- set minutes = tolerance_minutes if tolerance_minutes is not none
                      else statsig_sources._statsig_setting('statsig_future_tolerance_minutes') -%}
select *
from {{ model }}
where {{ statsig_sources._statsig_quoted('timestamp') }}
    > {{ dbt.dateadd('minute', minutes | int, statsig_sources.statsig_utc_now()) }}
{% endtest %}
