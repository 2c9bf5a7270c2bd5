"""The Statsig Console API client: requests, retries within deadlines, the rate-limit throttle, and the
shapes of the answers it reads."""
