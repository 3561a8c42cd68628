"""A program of the portal's with its clock set: `python -m tests.at INSTANT PROGRAM ARGUMENTS...`
runs PROGRAM (gunicorn, or the portal command) with ARGUMENTS, its clock (and so its workers')
at INSTANT (ISO 8601 with an offset) and running on from there, as the tests' own clock does."""

import sys
import time
from datetime import datetime

import time_machine

PROGRAMS = {"gunicorn": "gunicorn.app.wsgiapp:run", "portal": "portal.cli:main"}

if __name__ == "__main__":
    instant, program, *arguments = sys.argv[1:]
    time_machine.travel(datetime.fromisoformat(instant), tick=True).start()
    time.time()  # the clock runs on from its first reading
    module, name = PROGRAMS[program].split(":")
    main = getattr(__import__(module, fromlist=[name]), name)
    sys.argv = [program, *arguments]
    sys.exit(main())
