"""Registration with Statsig: payloads built from the project, the files `render` writes, the plan, its
impact on live metrics, and `apply`."""
