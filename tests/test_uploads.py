"""Uploads from the dashboard: names cannot leave their folder, size and type are limited."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dashboards.ui.imports import MAX_MB, safe_name, save_upload
from finance.access.serve import MAX_UPLOAD_MB


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\Windows\\win.ini.csv", "win.ini.csv"),
        ("/abs/path/devis.xlsx", "devis.xlsx"),
        ("..", "upload"),
        ("factures été 2026.csv", "factures été 2026.csv"),
        ("x<>:|?*.csv", "x______.csv"),
        ("a\x00b.csv", "a_b.csv"),
    ],
)
def test_upload_names_stay_in_their_folder(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_an_upload_lands_in_its_own_private_folder() -> None:
    first = save_upload("../../x.csv", b"date;supplier\n")
    second = save_upload("../../x.csv", b"other\n")
    assert first is not None and second is not None
    assert first.parent != second.parent, "two uploads never share a folder"
    assert first.read_bytes() == b"date;supplier\n"
    assert stat.S_IMODE(first.parent.stat().st_mode) == 0o700
    assert first.name == "x.csv"


def test_oversize_and_wrong_type_uploads_are_refused() -> None:
    assert save_upload("big.csv", b"x" * (MAX_MB * 1024 * 1024 + 1)) is None
    assert save_upload("script.py", b"print(1)") is None
    assert save_upload("invoice.xml", b"<Invoice/>") is not None
    assert save_upload("facture.pdf", b"%PDF-1.7") is not None, "a Factur-X PDF"
    assert MAX_UPLOAD_MB == MAX_MB, "Streamlit's own limit matches ours"


def test_the_upload_folder_is_under_the_temp_dir(tmp_path: Path) -> None:
    saved = save_upload("a.csv", b"x")
    assert saved is not None and saved.parent.name.startswith("cineledger-upload-")
