"""Serve the Streamlit dashboard on localhost (the dashboard itself lives in dashboards/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from finance.access.auth import load_settings
from finance.domain import i18n

MAX_UPLOAD_MB = 50  # dashboards/ui/imports.py MAX_MB
LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")
#: dashboards/ sits beside finance/ both in a checkout and in site-packages (one wheel ships both).
APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


def command(port: int, address: str = "localhost") -> list[str]:
    """The `streamlit run` command line of the dashboard (the browser tests serve it the same)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",  # no "Deploy" button for a producer's dashboard
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),  # Streamlit refuses bigger uploads before our own check
        "--client.showErrorDetails",
        "none",  # never a traceback with the server's paths in a user's browser
    ]


def serve(db: Path, port: int, address: str = "localhost") -> None:
    """Run `streamlit run dashboards/app.py` against `db` until interrupted."""
    if address not in LOCAL_ADDRESSES and load_settings() is None:
        raise i18n.error("error.serve.needs_accounts", address=str(address))
    if not APP.exists():
        click.echo("(the dashboard is not part of this version yet: nothing to serve)")
        return
    env = {**os.environ, "CINELEDGER_DB": str(db.resolve())}
    cmd = command(port, address)
    lang = os.environ.get("CINELEDGER_LANG", "") or "fr"
    click.echo(i18n.text("cli.dashboard_on", lang, url=f"http://{address}:{port}"))
    try:
        subprocess.run(cmd, env=env, check=False)
    except FileNotFoundError as exc:
        raise i18n.error("error.serve.cannot_start", detail=str(exc)) from None
    except KeyboardInterrupt:
        pass
