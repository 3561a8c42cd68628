"""The portal command with its clock set: `python -m tests.portal_at INSTANT ARGUMENTS...` runs
`portal ARGUMENTS`, its clock at INSTANT (ISO 8601 with an offset) and running on from there, as
the tests' own clock does."""

import sys
import time
from datetime import datetime

import time_machine

from portal.cli import main

if __name__ == "__main__":
    instant, *arguments = sys.argv[1:]
    time_machine.travel(datetime.fromisoformat(instant), tick=True).start()
    time.time()  # the clock runs on from its first reading
    sys.argv = ["portal", *arguments]
    sys.exit(main())
