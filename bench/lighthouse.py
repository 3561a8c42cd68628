"""Lighthouse over the pages a resident opens at a kiosk, on a tablet and on a phone.

    (cd bench && npm ci)                # Lighthouse 12.2.3, pinned in bench/package.json
    .venv/bin/python -m bench.lighthouse
    .venv/bin/python -m bench.lighthouse --tablet-only

Serves the portal with gunicorn on 127.0.0.1 over a fresh SQLite demo database, signs a resident
in at an enrolled kiosk before each run, and runs Lighthouse's performance and accessibility
categories on each page with that session's cookies. Writes the table to stdout and to
bench/lighthouse.md, keeps each report in instance/lighthouse/, and exits 1 when a page misses its
budget (performance ≥ 0.95, accessibility = 1).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from bench import run
from portal import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
REPORTS = PROJECT_ROOT / "instance" / "lighthouse"
PORTAL = str(Path(sys.executable).parent / "portal")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
# A kiosk tablet held in landscape; Lighthouse's default phone is the other form factor.
FORM_FACTORS = {
    "tablet": [
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        "--screenEmulation.width=1280",
        "--screenEmulation.height=800",
        "--screenEmulation.deviceScaleFactor=1",
    ],
    "phone": [],
}
# The kiosk home is /resident, where / sends a signed-in resident: Chromium builds a redirected
# request's Cookie header from its own cookie jar, without the cookies Lighthouse was given.
PAGES = ("resident home", "menu", "booking check", "help status", "activities")
BUDGET_PERFORMANCE = 0.95
BUDGET_ACCESSIBILITY = 1.0


def prepare(database_url: str) -> tuple[str, str, dict[str, str]]:
    """Build the demo into database_url and enrol a kiosk; return the kiosk's token, the code of
    the resident to sign in and that resident's pages (name → path)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "lighthouse-secret"}
    subprocess.run([PORTAL, "setup"], env=env, check=True, capture_output=True)
    subprocess.run([PORTAL, "demo"], env=env, check=True, capture_output=True)

    from sqlalchemy import select

    from bench import pages
    from portal import create_app
    from portal.accounts import services as accounts
    from portal.accounts.models import Person, Role, RoleGrant
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        [resident] = pages.plan(1)["residents"]
        person = db.session.get(Person, resident["id"])
        admin = db.session.scalar(
            select(Person).join(RoleGrant).where(RoleGrant.role == Role.ADMIN).limit(1)
        )
        _kiosk, token = accounts.enrol_kiosk(person.community, "Lighthouse", admin)
        paths = pages.resident_pages(resident)
        db.engine.dispose()
    return token, resident["code"], {name: paths[name] for name in PAGES}


def _csrf_token(response: requests.Response) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text).group(1)


def sign_in(url: str, kiosk_token: str, code: str, pin: str) -> str:
    """Sign the resident in at the kiosk by code and PIN; return the Cookie header it ends with."""
    browser = requests.Session()
    browser.cookies.set("linli_kiosk", kiosk_token)
    for path, field, value in (("/kiosk", "code", code), ("/kiosk/pin", "pin", pin)):
        form = browser.get(f"{url}{path}")
        sent = browser.post(f"{url}{path}", data={field: value, "csrf_token": _csrf_token(form)})
        sent.raise_for_status()
    assert sent.url == f"{url}/resident", f"signing in ended at {sent.url}"
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def lighthouse(url: str, cookie: str, form_factor: str, report: Path) -> dict:
    """Run Lighthouse on url with cookie; return its report (also written to report). Exits when
    the page Lighthouse measured is not url, such as the sign-in page."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
            "--output=json",
            f"--output-path={report}",
            *FORM_FACTORS[form_factor],
        ],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
    )
    result = json.loads(report.read_text())
    if result["finalDisplayedUrl"] != url:
        raise SystemExit(f"Lighthouse was sent from {url} to {result['finalDisplayedUrl']}")
    return result


def row(page: str, form_factor: str, report: dict) -> dict:
    audits, categories = report["audits"], report["categories"]
    return {
        "page": page,
        "device": form_factor,
        "performance": categories["performance"]["score"],
        "accessibility": categories["accessibility"]["score"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def misses(result: dict) -> list[str]:
    found = []
    if result["performance"] < BUDGET_PERFORMANCE:
        found.append(f"performance {result['performance']:.2f} < {BUDGET_PERFORMANCE}")
    if result["accessibility"] < BUDGET_ACCESSIBILITY:
        found.append(f"accessibility {result['accessibility']:.2f} < {BUDGET_ACCESSIBILITY}")
    return found


def table(results: list[dict]) -> str:
    lines = [
        "| page | device | performance | accessibility | FCP | LCP | TBT | CLS | transfer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['page']} | {r['device']} | {r['performance']:.2f} | {r['accessibility']:.2f} "
            f"| {r['fcp_ms'] / 1000:.2f} s | {r['lcp_ms'] / 1000:.2f} s | {r['tbt_ms']:.0f} ms "
            f"| {r['cls']:.3f} | {r['bytes'] / 1024:.1f} KB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tablet-only", action="store_true", help="skip the phone runs")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` in bench/ first")

    from portal.site.demo import DEMO_PIN

    REPORTS.mkdir(parents=True, exist_ok=True)
    form_factors = ["tablet"] if args.tablet_only else list(FORM_FACTORS)
    with tempfile.TemporaryDirectory(prefix="linli-lighthouse-") as workdir:
        database_url = f"sqlite:///{Path(workdir) / 'demo.sqlite'}"
        kiosk_token, code, paths = prepare(database_url)
        server = run.start_server(database_url, Path(workdir))
        url = server.url
        results = []
        try:
            for form_factor in form_factors:
                for page, path in paths.items():
                    # A fresh session for each run: Lighthouse keeps sending the cookie it was given.
                    cookie = sign_in(url, kiosk_token, code, DEMO_PIN)
                    report = REPORTS / f"{form_factor}-{page.replace(' ', '-')}.json"
                    results.append(
                        row(page, form_factor, lighthouse(url + path, cookie, form_factor, report))
                    )
        finally:
            server.stop()

    text = "\n".join(
        [
            "# Lighthouse: the resident's kiosk pages",
            "",
            f"Lighthouse 12.2.3, simulated throttling, demo data: `.venv/bin/python -m bench.lighthouse`. "
            f"Budgets: performance ≥ {BUDGET_PERFORMANCE}, accessibility = {BUDGET_ACCESSIBILITY:g}. "
            "Tablet: 1280 × 800 CSS px, touch, Lighthouse's mobile throttling; phone: Lighthouse's "
            "default mobile run.",
            "",
            table(results),
            "",
        ]
    )
    print(text)
    (BENCH / "lighthouse.md").write_text(text)
    failed = [f"{r['device']} {r['page']}: {', '.join(misses(r))}" for r in results if misses(r)]
    if failed:
        raise SystemExit("Over budget:\n" + "\n".join(failed))


if __name__ == "__main__":
    main()
