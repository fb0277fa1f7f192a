"""`casebook build` without site_url warns and names what that costs; with it, none is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.cli import main


def build(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    return capsys.readouterr().err


@pytest.mark.slow
def test_build_without_site_url_warns_and_with_it_fills_sitemap_and_citations(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project_copy / "mkdocs.yml"
    assert "site_url" not in config.read_text(encoding="utf-8")
    err = build(project_copy, capsys)
    warning = next(line for line in err.splitlines() if "site_url" in line)
    assert warning.startswith("mkdocs.yml: warning: site_url: not set")
    for cost in (
        "sitemap.xml lists no page",
        "no language alternates",
        "citations",
        "printed worksheets give no web address",
    ):
        assert cost in warning
    assert "'site_url: https://" in warning  # what to write
    site = project_copy / "site"
    assert "<loc>" not in (site / "sitemap.xml").read_text(encoding="utf-8")

    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "site_name: Casebook\n",
            "site_name: Casebook\nsite_url: https://casebook.example.org/\n",
        ),
        encoding="utf-8",
    )
    err = build(project_copy, capsys)
    assert "site_url" not in err
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://casebook.example.org/cases/odi-mexico/</loc>" in sitemap
    case = (site / "cases/odi-mexico/index.html").read_text(encoding="utf-8")
    assert "https://casebook.example.org/cases/odi-mexico/" in case


@pytest.mark.slow
def test_the_address_from_the_environment_rebuilds_what_shows_it(
    project_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project_copy, capsys)
    monkeypatch.setenv("CASEBOOK_SITE_URL", "https://pages.example.org/casebook/")
    err = build(project_copy, capsys)
    assert "site_url" not in err  # the address is known: no warning
    site = project_copy / "site"
    case = (site / "cases/odi-mexico/index.html").read_text(encoding="utf-8")
    assert "https://pages.example.org/casebook/cases/odi-mexico/" in case  # the citation
    assert 'hreflang="es" href="https://pages.example.org/casebook/es/cases/odi-mexico/"' in case
    sitemap = (site / "es/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://pages.example.org/casebook/es/cases/odi-mexico/</loc>" in sitemap
