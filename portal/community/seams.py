"""Where other features meet the community's structure: what happens to a grid that they react to."""

from blinker import Namespace

_signals = Namespace()

# Two grids become one: sent with the grid that is merged away, into= the grid that stays and
# by= the admin. Each feature moves the rows that name the first grid to the second, in the
# caller's transaction (without committing), and returns {what: how many}.
grid_merging = _signals.signal("grid-merging")

# Asked before an empty grid is deleted: sent with the grid. Each feature returns how many of its
# rows name it; a grid that any row names keeps its history by being merged instead.
grid_records = _signals.signal("grid-records")
