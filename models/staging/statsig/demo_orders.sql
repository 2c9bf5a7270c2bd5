{{ statsig_sources.statsig_source(ref('demo_raw_orders')) }}
