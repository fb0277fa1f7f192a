"""The web editor's configuration comes from the case model and the vocabularies, and /admin/
is served from the site itself, kept out of search and the sitemap, under its own policy."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.editor.cms import (
    CmsSettings,
    admin_page,
    bundle_tarball,
    cms_config,
    local_editor_config,
    repository_warning,
    retired_key_warning,
)
from casebook.pipeline.builder import read_config
from casebook.sources.dates import parse_partial
from casebook.sources.model import CaseFrontMatter
from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    library = check_project(Project(REPO)).library
    return cms_config(library, CmsSettings(repo="example/casebook"))


def collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


def fields_by_path(fields: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for field in fields:
        path = f"{prefix}{field['name']}"
        found[path] = field
        found.update(fields_by_path(field.get("fields", []), f"{path}."))
    return found


def test_every_vocabulary_field_is_a_select_of_its_values_with_labels(
    config: dict[str, Any],
) -> None:
    library = check_project(Project(REPO)).library
    fields = fields_by_path(collection(config, "cases")["fields"])
    controlled = library.vocabularies.controlling()
    assert len(controlled) >= 8
    for vocabulary in controlled:
        assert vocabulary.field is not None
        field = fields[vocabulary.field]
        assert field["widget"] == "select", vocabulary.field
        assert field["options"] == [
            {"label": term.label, "value": term.id} for term in vocabulary.terms.values()
        ]
    assert fields["settings"]["multiple"] is True
    assert "multiple" not in fields["knowledge_type"]
    assert fields["translations"]["options"] == [
        {"label": "Español (es)", "value": "es"},
        {"label": "Français (fr)", "value": "fr"},
    ]
    countries = fields["countries"]["options"]
    assert {"label": "Kenya (KE)", "value": "KE"} in countries and len(countries) > 200


def test_required_fields_are_required_and_optional_ones_are_not(config: dict[str, Any]) -> None:
    fields = fields_by_path(collection(config, "cases")["fields"])
    for name, info in CaseFrontMatter.model_fields.items():
        if name in ("translation_of", "translated_version", "language"):
            assert name == "language" or name not in fields
            continue
        expected = info.is_required() or name == "id"  # the id names the file
        assert fields[name]["required"] is expected, name
    assert fields["organisation.name"]["required"] is True
    assert fields["organisation.short_name"]["required"] is False
    # Decap refuses an empty list only when it has a maximum as well as a minimum.
    assert (fields["sources"]["min"], fields["sources"]["max"]) == (1, 1000)
    assert (fields["outcomes.chain"]["min"], fields["outcomes.chain"]["max"]) == (1, 1000)
    assert (fields["settings"]["min"], fields["settings"]["multiple"]) == (1, True)
    assert (fields["status"]["options"], fields["status"]["default"]) == (
        ["draft", "published"],
        "draft",
    )
    assert fields["language"] == {
        "name": "language",
        "label": "Language",
        "widget": "hidden",
        "default": "en",
    }


def test_hints_name_what_the_form_shows_not_files(config: dict[str, Any]) -> None:
    hints = {
        f"{c['name']}:{path}": field.get("hint", "")
        for c in config["collections"]
        for path, field in fields_by_path(c["fields"]).items()
    }
    assert len([h for h in hints.values() if h]) > 40
    for where, hint in hints.items():
        assert not re.search(r"\.ya?ml\b|\.md\b|vocabularies/|case_studies/|\[", hint), where
    assert hints["cases:settings"] == (
        "Choose one or more from the list. If the one you need is not there, ask an editor to "
        "add it."
    )
    assert hints["cases:reach"].startswith("How far the work extends (one country, several, ")
    assert "Case id field" in hints["questions:case"]


def test_source_dates_are_checked_in_the_form_as_the_check_checks_them(
    config: dict[str, Any],
) -> None:
    date = fields_by_path(collection(config, "cases")["fields"])["sources.date"]
    pattern, message = date["pattern"]
    assert date["widget"] == "string" and "2024-07" in message
    samples = ["2024", "2024-07", "2024-07-31", "2024-02-29", "2000-02-29", "2022-31-12"]
    samples += ["2023-02-29", "1900-02-29", "2024-00", "2024-04-31", "0000", "24-07", "2024-7"]
    for year in ("1999", "2024"):
        samples += [f"{year}-{m:02d}-{d:02d}" for m in range(0, 14) for d in range(0, 33)]
    agree = [
        (s, re.fullmatch(pattern, s) is not None, parse_partial(s) is not None) for s in samples
    ]
    assert [s for s, form, check in agree if form != check] == []
    assert [s for s, form, _ in agree[:6] if form] == samples[:5]  # 2022-31-12 is refused


def test_the_body_starts_with_the_required_sections(config: dict[str, Any]) -> None:
    body = collection(config, "cases")["fields"][-1]
    assert body["name"] == "body" and body["widget"] == "markdown"
    headings = re.findall(r"^## (.+)$", body["default"], re.M)
    assert headings == ["Context", "What was learned", "Action", "Reflection"]
    # Left as it is, each TODO is caught by `casebook check`.
    assert body["default"].count("TODO: ") == 4


def test_the_questions_file_is_edited_beside_the_case(config: dict[str, Any]) -> None:
    cases, questions = collection(config, "cases"), collection(config, "questions")
    assert (cases["folder"], cases["slug"]) == ("case_studies", "{{fields.id}}")
    assert (questions["folder"], questions["slug"]) == (
        "reflective_questions/cases",
        "{{fields.case}}",
    )
    names = [f["name"] for f in questions["fields"]]
    # in the order of the audiences' files: practitioners first
    assert names == ["case", "practitioners", "lawyers-advocates-policy", "overall"]
    assert all(f["widget"] == "list" for f in questions["fields"][1:])


def test_backend_is_github_with_editorial_workflow_and_open_authoring(
    config: dict[str, Any],
) -> None:
    assert config["backend"]["name"] == "github"
    assert config["backend"]["repo"] == "example/casebook"
    assert config["backend"]["open_authoring"] is True
    assert config["publish_mode"] == "editorial_workflow"
    settings = CmsSettings.from_config(
        {
            "repo_url": "https://github.com/someone/cases",
            "extra": {"casebook": {"cms": {"base_url": "https://auth.example.org"}}},
        }
    )
    assert (settings.repo, settings.base_url) == ("someone/cases", "https://auth.example.org")


def test_a_case_written_as_the_form_writes_it_passes_check(project_copy: Path) -> None:
    """The optional id: and case: keys the editor writes must match the file names."""
    case = project_copy / "case_studies/odi-mexico.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("---\n", "---\nid: odi-mexico\n", 1), encoding="utf-8")
    questions = project_copy / "reflective_questions/cases/odi-mexico.yml"
    original = questions.read_text(encoding="utf-8")
    questions.write_text("case: odi-mexico\n" + original, encoding="utf-8")
    assert check_project(Project(project_copy)).problems == []
    case.write_text(text.replace("---\n", "---\nid: odi-mexco\n", 1), encoding="utf-8")
    questions.write_text("case: odi\n" + original, encoding="utf-8")
    problems = check_project(Project(project_copy)).problems
    messages = sorted(p.format() for p in problems)
    assert len(messages) == 2, messages
    assert (
        "id: 'odi-mexco' does not match the file name odi-mexico.md; write 'id: odi-mexico'"
        in (messages[0])
    )
    assert (
        "case: 'odi' does not match the file name odi-mexico.yml; write 'case: odi-mexico'"
        in (messages[1])
    )


def _with_bundle(root: Path) -> None:
    source = bundle_tarball(Project(REPO))
    if source is None:
        pytest.skip("the Decap CMS bundle is not fetched; run bash scripts/setup.sh")
    shutil.copy2(REPO / "package-lock.json", root / "package-lock.json")
    (root / ".cache" / "decap-cms").mkdir(parents=True)
    shutil.copy2(source, root / ".cache" / "decap-cms" / source.name)


@pytest.mark.slow
def test_admin_is_built_noindex_outside_search_and_sitemap(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_bundle(project_copy)
    config = project_copy / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "site_name: Casebook\n",
            "site_name: Casebook\nsite_url: https://casebook.example.org/\n",
        ),
        encoding="utf-8",
    )
    assert main(["--project", str(project_copy), "build", "--no-pdf", "--quiet"]) == 0
    site = project_copy / "site"
    admin = site / "admin"
    page = (admin / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert re.findall(r'<script[^>]*src="([^"]+)"', page) == ["decap-cms.js"]
    assert "<script>" not in page and "https://" not in page.split("Content-Security-Policy")[0]
    assert (admin / "decap-cms.js").stat().st_size > 1_000_000
    assert not list(admin.glob("*.map"))
    # The config in the site is the generated one.
    written = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    library = check_project(Project(project_copy)).library
    expected = cms_config(library, CmsSettings(), "https://casebook.example.org/")
    assert written == expected
    # Not in the sitemap, nor in the search index.
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://casebook.example.org/</loc>" in sitemap and "/admin/" not in sitemap
    urls = [
        gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
        for f in (site / "pagefind" / "fragment").glob("*.pf_fragment")
    ]
    assert urls and not any('"url":"/admin/' in u for u in urls)
    # Its own policy; the site's pages keep theirs, without 'unsafe-eval'.
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval';" in policy.group(1)
    assert "connect-src 'self' https://api.github.com;" in policy.group(1)
    assert "local_backend" not in written and "localhost" not in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in home and "unsafe-eval'" not in home.replace(
        "wasm-unsafe-eval'", ""
    )


@pytest.mark.slow
def test_without_the_bundle_the_build_says_admin_was_left_out(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy2(REPO / "package-lock.json", project_copy / "package-lock.json")
    assert main(["--project", str(project_copy), "build", "--no-pdf", "--quiet"]) == 0
    err = capsys.readouterr().err
    # The project names no repository: the build says so, and what to write.
    assert (
        "mkdocs.yml:1: warning: repo_url: not set, so the web editor (/admin/) saves to the "
        "placeholder OWNER/REPOSITORY; write 'repo_url: https://github.com/" in err
    )
    assert "warning: the web editor (/admin/) was left out" in err
    assert "run 'bash scripts/setup.sh'" in err
    assert not (project_copy / "site" / "admin").exists()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "repo_url: https://github.com/OWNER/REPOSITORY\n",
            "repo_url: 'https://github.com/OWNER/REPOSITORY' is still the placeholder",
        ),
        (
            "repo_url: https://gitlab.com/someone/cases\n",
            "repo_url: 'https://gitlab.com/someone/cases' is not a GitHub repository",
        ),
        (
            "extra:\n  casebook:\n    cms:\n      repo: OWNER/REPOSITORY\n",
            "extra.casebook.cms.repo: 'OWNER/REPOSITORY' is still the placeholder",
        ),
        ("repo_url: https://github.com/someone/cases\n", None),
        ("extra:\n  casebook:\n    cms:\n      repo: someone/cases\n", None),
    ],
)
def test_a_placeholder_repository_is_a_warning_on_its_line(
    tmp_path: Path, written: str, expected: str | None
) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Casebook\ndocs_dir: build/docs\n" + written, encoding="utf-8"
    )
    project = Project(tmp_path)
    warning = repository_warning(project, read_config(project))
    if expected is None:
        assert warning is None
        return
    assert warning is not None
    line = 3 if written.startswith("repo_url") else 6
    assert warning.format().startswith(f"mkdocs.yml:{line}: warning: {expected}")
    assert "write 'repo_url: https://github.com/your-organisation/casebook'" in warning.message


# --- the editor's backend has no port (issue #33, item 14) -------------------------------


def test_the_published_editor_has_no_local_backend_and_reaches_no_local_port(
    config: dict[str, Any],
) -> None:
    """decap-server listens on a Unix socket behind the preview: the built config.yml named
    http://localhost:8081 (which visitors' browsers were allowed to reach), and an
    undocumented mkdocs.yml key moved it."""
    assert "local_backend" not in config
    assert "8081" not in yaml.safe_dump(config)
    page = admin_page("Casebook")
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert "connect-src 'self' https://api.github.com;" in policy.group(1)
    assert "localhost" not in page and "127.0.0.1" not in page
    # The local editor adds its own, at the preview's address.
    local = yaml.safe_load(local_editor_config(yaml.safe_dump(config), "casebook-editor", "x"))
    assert local["local_backend"] == {"url": "x"}


def test_the_retired_local_backend_key_is_a_warning_that_says_to_delete_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Casebook\nextra:\n  casebook:\n    cms:\n"
        "      local_backend: http://localhost:9000/api/v1\n",
        encoding="utf-8",
    )
    project = Project(tmp_path)
    warning = retired_key_warning(project, read_config(project))
    assert warning is not None
    assert warning.format().startswith(
        "mkdocs.yml:5: warning: extra.casebook.cms.local_backend: is no longer used"
    )
    assert "delete this line" in warning.message and "casebook edit --port" in warning.message
    (tmp_path / "mkdocs.yml").write_text("site_name: Casebook\n", encoding="utf-8")
    assert retired_key_warning(project, read_config(project)) is None


def test_the_edit_help_and_the_docs_name_the_preview_port_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["edit", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--port PORT the preview's port on 127.0.0.1 (default 8000)" in help_text
    assert "decap-server takes no port" in help_text and "casebook edit --port 8001" in help_text
    for name in ("README.md", "CONTRIBUTING.md", "mkdocs.yml"):
        text = (REPO / name).read_text(encoding="utf-8")
        assert "8081" not in text, name
        # The key is named only to say that nothing reads it.
        mentions = [p for p in text.split("\n\n") if "local_backend" in p]
        assert all("read by nothing" in p for p in mentions), name
    assert "local_backend" not in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
