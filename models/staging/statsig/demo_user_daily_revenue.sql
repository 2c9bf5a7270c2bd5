{{ statsig_sources.statsig_source(ref('demo_int_user_daily_revenue')) }}
