"""The PostgreSQL driver `audit` needs, which the CLI installs only with its `postgres` extra."""

from __future__ import annotations

from statsig_sources import __version__
from statsig_sources.support.errors import InputError

# The install line README.md gives for PostgreSQL (tests/python/test_audit_driver.py keeps them equal).
INSTALL_WITH_POSTGRES = (
    'pip install "statsig-sources[postgres] @ git+https://github.com/<your-org>/statsig-sources.git'
    f'@v{__version__}"'
)


def require_psycopg() -> None:
    """An input error (exit 2, one line) naming the extra to install when psycopg cannot be imported."""
    try:
        import psycopg  # noqa: F401
    except ImportError as error:
        missing = isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] == "psycopg"
        reason = "is not installed" if missing else f"cannot be loaded ({_first_line(error)})"
        raise InputError(
            f"audit needs the PostgreSQL driver psycopg, which {reason}: install the command line with its "
            f"postgres extra, {INSTALL_WITH_POSTGRES}"
        ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
