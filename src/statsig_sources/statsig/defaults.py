"""The client's defaults, defined once: read by the client's settings and by the CLI's options.

Nothing but constants, so `statsig-sources --help` can show them without importing the client.
"""

DEFAULT_API_URL = "https://statsigapi.net/console/v1"
DEFAULT_PAGE_SIZE = 100  # items per page when listing
DEFAULT_READ_TIMEOUT = 10.0  # seconds per read, as the Terraform provider uses
DEFAULT_REQUEST_TIMEOUT = 60.0  # one request: every attempt and every wait between attempts
DEFAULT_COMMAND_TIMEOUT = 600.0  # a command's reads; apply and reload add what their writes need
DEFAULT_ATTEMPTS = 5  # tries of one request
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each one after it
DEFAULT_MAX_BACKOFF = 30.0  # the longest wait between two attempts (Retry-After aside)
