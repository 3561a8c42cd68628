#!/usr/bin/env bash
# Runs the tests that read the calendar once at each instant of tests/clock_sweep.py (each
# weekday, a month's and a year's last day, the minutes around Shanghai's and UTC's midnights),
# two instants at a time, on SQLite. Prints each instant's closing line; exits 1 if any failed or
# ran no test. Extra arguments go to pytest; CLOCK_SWEEP_SKIP names instants to leave out
# (`.ci/run` runs the whole suite on PostgreSQL at the month-end one), CLOCK_SWEEP_ONLY the one
# instant to run (`.ci/run` runs each as a job of its own).
set -uo pipefail
cd "$(dirname "$0")/.."

# The tests that read no date, whose outcome is the same at any hour, are left out: conventions,
# lint and migrations; the accessibility matrix and transfer sizes (the same pages' markup and
# bytes); photos, serving, back-ups, assets, preferences, formatting of fixed dates; and the
# sign-in journeys, whose only timers (lock-outs, idle sign-out) run relative to the clock; and
# the hostile-input walk, whose answers depend on the values sent, not on the day.
UNDATED=(--ignore=tests/browser/test_accessibility.py --ignore=tests/browser/test_transfer.py
  --ignore=tests/browser/test_journeys.py --ignore=tests/views/test_sign_in.py
  --ignore=tests/unit/test_gunicorn_config.py --ignore=tests/unit/test_backups.py
  --ignore=tests/unit/test_canteen_photos.py --ignore=tests/views/test_canteen_photo_views.py
  --ignore=tests/views/test_assets.py --ignore=tests/views/test_smoke.py
  --ignore=tests/views/test_htmx_helper.py --ignore=tests/unit/test_preferences.py
  --ignore=tests/unit/test_formatting.py --ignore=tests/views/test_hostile_input.py)

# The browser journeys and the races against gunicorn take half of an instant's time. They run at
# the instants where a date turns (Monday's midnight, UTC's date still yesterday's on Tuesday, the
# week's last minute on Sunday; `.ci/run` adds month-end on PostgreSQL); elsewhere (Wednesday to
# Friday, the year's last day at noon, and Saturday's minutes before midnight, which Sunday's last
# minute stands for) the service and view tests, which read the same clock, stand for them. So
# does the HTML validity check, which renders every page in three languages: there the view tests
# render the same pages.
DATE_TURNS=(Monday Tuesday Sunday)
AT_DATE_TURNS=(tests/concurrency tests/browser)
AT_ORDINARY_HOURS=(--ignore=tests/views/test_html_validity.py)

logs=$(mktemp -d /tmp/linli-clock-sweep.XXXXXX)
mapfile -t instants < <(.venv/bin/python -m tests.clock_sweep |
  grep -vwF -e "${CLOCK_SWEEP_SKIP:-(none)}" |
  awk -v only="${CLOCK_SWEEP_ONLY:-}" 'only == "" || $1 == only')
[ ${#instants[@]} -gt 0 ] || { echo "clock sweep: no instants"; exit 1; }

run() {
  local label=$1 instant=$2 folders=(tests/unit tests/views)
  if [[ " ${DATE_TURNS[*]} " == *" $label "* ]]; then
    folders+=("${AT_DATE_TURNS[@]}")
  else
    folders+=("${AT_ORDINARY_HOURS[@]}")
  fi
  env -u DATABASE_URL LINLI_TEST_CLOCK="$instant" .venv/bin/pytest -q -p no:cacheprovider \
    --basetemp="$logs/$label" "${folders[@]}" "${UNDATED[@]}" "${@:3}" >"$logs/$label.log" 2>&1
  echo $? >"$logs/$label.rc"
}

running=0
for line in "${instants[@]}"; do
  read -r label instant <<<"$line"
  run "$label" "$instant" "$@" &
  running=$((running + 1))
  if [ $running -ge 2 ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
for line in "${instants[@]}"; do
  read -r label instant <<<"$line"
  rc=$(cat "$logs/$label.rc")
  echo "clock at $instant ($label): $(tail -n 1 "$logs/$label.log")"
  if [ "$rc" != 0 ]; then
    failed=1
    grep -E "^(FAILED|ERROR) " "$logs/$label.log" || tail -n 40 "$logs/$label.log"
  fi
done
[ $failed = 0 ] && rm -rf "$logs" || echo "clock sweep logs: $logs"
exit $failed
