{{ statsig_sources.statsig_source(ref('demo_user_daily_revenue')) }}
