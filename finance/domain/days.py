"""The days a production's manifest may name: a schedule ending in 9999 once made a report of
91 MB, a date in year 1 made week ranges of two thousand years. Every date of the manifest (the
schedule, signatures, windows, tranches) is between FIRST_DAY and LAST_DAY."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _sane(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return day


#: a date of the manifest, within FIRST_DAY and LAST_DAY
Day = Annotated[date, AfterValidator(_sane)]
