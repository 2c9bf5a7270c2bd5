"""Writes that are not safe to repeat: whether an attempt may have reached Statsig, and how to find out
whether it took effect before sending it again (transport.py asks; a caller such as `load_pulse`
gives the `Recheck`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statsig_sources.statsig.answers import Transient
from statsig_sources.support.errors import RemoteError

# Reads whether a write whose answer was lost took effect: the answer to stand for it, or None.
Recheck = Callable[[], dict[str, Any] | None]


class AnswerOverdue(RemoteError):
    """No complete answer within the deadline: the request may have taken effect."""


class Unsure:
    """Whether the last attempt of a request may have reached Statsig, and how to find out whether it
    took effect (`recheck`: a write not safe to repeat)."""

    def __init__(self, target: str, recheck: Recheck | None) -> None:
        self.target = target
        self.recheck = recheck
        self.reached = False

    def watch(self, attempt: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The attempt's answer; a failure that may have reached Statsig is noted first."""
        try:
            return attempt()
        except Transient as failure:
            self.reached = failure.reached
            raise
        except AnswerOverdue:
            self.reached = True
            raise

    def settled(self) -> dict[str, Any] | None:
        """What `recheck` answers when the last attempt may have reached Statsig; None otherwise, and
        None when it says the attempt did not take effect."""
        if self.recheck is None or not self.reached:
            return None
        self.reached = False
        try:
            return self.recheck()
        except RemoteError as error:
            raise RemoteError(
                f"The answer to {self.target} was lost, and reading whether Statsig recorded it failed: "
                f"{error}"
            ) from None
