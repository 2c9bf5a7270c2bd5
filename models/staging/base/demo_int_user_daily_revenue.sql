-- Completed orders' revenue per user and UTC calendar day: the pre-aggregated input of a
-- daily_aggregate metric source.
with orders as (
    select * from {{ ref('demo_raw_orders') }}
),

completed as (
    select
        user_id,
        cast({{ statsig_sources.statsig_convert_to_utc('ordered_at') }} as date) as revenue_date,
        order_total_usd
    from orders
    where status = 'completed'
),

final as (
    select
        user_id,
        revenue_date,
        sum(order_total_usd) as revenue_usd,
        count(*) as order_count
    from completed
    group by user_id, revenue_date
)

select * from final
