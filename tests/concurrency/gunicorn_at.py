"""gunicorn with its clock set: `python -m tests.concurrency.gunicorn_at INSTANT ARGUMENTS...`
starts gunicorn with ARGUMENTS, its clock (and so its workers') at INSTANT (ISO 8601 with an
offset) and running on from there."""

import sys
import time
from datetime import datetime

import time_machine
from gunicorn.app.wsgiapp import run

if __name__ == "__main__":
    instant, *arguments = sys.argv[1:]
    time_machine.travel(datetime.fromisoformat(instant), tick=True).start()
    time.time()  # the clock runs on from its first reading
    sys.argv = ["gunicorn", *arguments]
    sys.exit(run())
