"""The one clock the tests move by hand, so expiry and revocation are tested without sleeping."""

from __future__ import annotations

import time

T0 = 1_700_000_000.0


class ManualClock:
    """Callable like `time.time`; returns `now` until a test moves it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    @classmethod
    def from_wall_time(cls) -> ManualClock:
        """A clock that starts at the wall time (for stores whose neighbours read real time)."""
        return cls(time.time())

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        self.now += seconds
