"""The web editor at /admin/: Decap CMS, configured from the case model and the vocabularies.

Editors who do not use Git create and edit cases in a form. Decap CMS commits through the
Git backend (GitHub, with its editorial workflow and open authoring turning a contribution
into a pull request), where `casebook check` runs as on any other change.

The configuration is written here, from `CaseFrontMatter` and the vocabulary files, so the
form can never drift from what `casebook check` accepts: there is no second copy of the
schema. The bundle is served from the site itself (fetched by scripts/fetch_decap.sh at the
version pinned in package-lock.json), never from a CDN.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casebook.editor.cmsform import case_collection, questions_collection
from casebook.sources.model import Library
from casebook.sources.problems import Problem, Severity
from casebook.sources.project import Project

ADMIN = "admin"
BUNDLE = "decap-cms.js"
GITHUB_API = "https://api.github.com"
# What the editor's configuration says while no repository is set: it can save nowhere.
PLACEHOLDER_REPO = "OWNER/REPOSITORY"

# The editor's own policy: the site's pages keep theirs (postprocess.py), which allows no
# script but the site's. Decap compiles its config schema at run time ('unsafe-eval', for
# its own bundle: the page loads no other script and shows no contributed HTML, as the
# preview is off), styles its components inline, and talks to the Git backend only:
# GitHub's API, or (with `casebook edit`) decap-server through the preview's own /api/v1,
# which is 'self': no port of this computer is allowed. Everything else it might ask for (GitHub's
# status page, avatars from GitHub's image host) is refused, so nothing else learns of a visit.
POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self' {backends}; "
    "worker-src 'self' blob:; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-src 'self'"
)


@dataclass(frozen=True)
class CmsSettings:
    """`extra.casebook.cms` in mkdocs.yml: how the editor reaches the repository."""

    repo: str = ""  # owner/name on GitHub; from repo_url when not given
    branch: str = "main"
    base_url: str = ""  # the OAuth proxy that signs editors in to GitHub
    auth_endpoint: str = ""
    open_authoring: bool = True

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CmsSettings:
        extra = ((config.get("extra") or {}).get("casebook") or {}).get("cms") or {}
        repo = str(extra.get("repo") or _github_repo(str(config.get("repo_url") or "")))
        return cls(
            repo=repo,
            branch=str(extra.get("branch") or cls.branch),
            base_url=str(extra.get("base_url") or ""),
            auth_endpoint=str(extra.get("auth_endpoint") or ""),
            open_authoring=bool(extra.get("open_authoring", cls.open_authoring)),
        )


def _github_repo(url: str) -> str:
    prefix = "https://github.com/"
    return (
        url.removeprefix(prefix).strip("/").removesuffix(".git") if url.startswith(prefix) else ""
    )


def repository_warning(project: Project, config: dict[str, Any]) -> Problem | None:
    """A warning while the editor's repository is unset or still the placeholder."""
    settings = CmsSettings.from_config(config)
    extra = ((config.get("extra") or {}).get("casebook") or {}).get("cms") or {}
    key = "extra.casebook.cms.repo" if extra.get("repo") else "repo_url"
    written = str(extra.get("repo") or config.get("repo_url") or "")
    owner = settings.repo.split("/")[0]
    if settings.repo.count("/") == 1 and owner.upper() not in ("OWNER", ""):
        return None
    example = (
        "'repo_url: https://github.com/your-organisation/casebook' (the repository on "
        "GitHub that editors' cases are proposed to)"
    )
    if not written:
        what = f"not set, so the web editor (/admin/) saves to the placeholder {PLACEHOLDER_REPO}"
    elif not settings.repo:
        what = f"'{written}' is not a GitHub repository, which the web editor (/admin/) needs"
        example += ", or 'repo: owner/name' under extra.casebook.cms"
    else:
        what = f"'{written}' is still the placeholder, so the web editor (/admin/) saves nowhere"
    line = _line_of(project.mkdocs_yml, key)
    return Problem(project.mkdocs_yml.name, line, key, f"{what}; write {example}", Severity.WARNING)


def retired_key_warning(project: Project, config: dict[str, Any]) -> Problem | None:
    """A warning for `extra.casebook.cms.local_backend`, which nothing reads any more.

    The published editor has no local backend (a visitor's browser is never sent to a port
    of their own computer); `casebook edit` adds one that points at the preview itself.
    """
    extra = ((config.get("extra") or {}).get("casebook") or {}).get("cms") or {}
    if not isinstance(extra, dict) or "local_backend" not in extra:
        return None
    key = "extra.casebook.cms.local_backend"
    return Problem(
        project.mkdocs_yml.name,
        _line_of(project.mkdocs_yml, key),
        key,
        "is no longer used: casebook edit reaches decap-server through the preview's own "
        "address (http://127.0.0.1:<port>/api/v1), and decap-server takes no port; delete "
        "this line, and choose the port with 'casebook edit --port 8001'",
        Severity.WARNING,
    )


def local_editor_config(text: str, branch: str, backend: str) -> str:
    """The editor's config.yml as `casebook edit` serves it: the form works from the
    editor's own branch, the one checked out in its worktree (see localeditor.py), through
    the preview's own address (`backend`), which forwards to decap-server."""
    config = yaml.safe_load(text)
    config["backend"]["branch"] = branch
    config["local_backend"] = {"url": backend}
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)


def _line_of(path: Path, dotted: str) -> int:
    """The line of a key in a YAML file, or 1 when it is not there (where to add it)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return 1
    for part in dotted.split("."):
        if not isinstance(node, yaml.MappingNode):
            return 1
        found = [(k, v) for k, v in node.value if getattr(k, "value", None) == part]
        if not found:
            return 1
        key, node = found[0]
    return int(key.start_mark.line) + 1


# --- the configuration ------------------------------------------------------------------


def cms_config(library: Library, settings: CmsSettings, site_url: str = "") -> dict[str, Any]:
    """Decap CMS's config.yml, as data."""
    backend: dict[str, Any] = {
        "name": "github",
        "repo": settings.repo or PLACEHOLDER_REPO,
        "branch": settings.branch,
        "open_authoring": settings.open_authoring,
        "squash_merges": True,
    }
    if settings.base_url:
        backend["base_url"] = settings.base_url
    if settings.auth_endpoint:
        backend["auth_endpoint"] = settings.auth_endpoint
    config: dict[str, Any] = {
        "backend": backend,
        "publish_mode": "editorial_workflow",
        # Decap requires a media folder; the form offers no image fields (see check_markdown).
        "media_folder": "docs/assets/uploads",
        "public_folder": "/assets/uploads",
        "show_preview_links": False,
        "editor": {"preview": False},
        "collections": [case_collection(library), questions_collection(library)],
    }
    if site_url:
        config["site_url"] = site_url
    return config


# --- the /admin/ folder of the built site -------------------------------------------------


def decap_version(project: Project) -> str | None:
    lock = project.root / "package-lock.json"
    try:
        packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
        return str(packages["node_modules/decap-cms"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def bundle_dir(project: Project) -> Path | None:
    """The fetched bundle of the pinned version, or None when it is not there yet."""
    version = decap_version(project)
    if version is None:
        return None
    folder = project.root / ".cache" / "decap-cms" / version
    return folder if (folder / BUNDLE).is_file() else None


def admin_page(site_name: str) -> str:
    policy = POLICY.format(backends=GITHUB_API)
    title = html.escape(f"{site_name}: edit cases")
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        '<link rel="icon" href="../assets/favicon.svg" type="image/svg+xml">\n'
        '<link rel="cms-config-url" type="text/yaml" href="config.yml">\n'
        "</head>\n"
        '<body data-pagefind-ignore="all">\n'
        "<noscript>The web editor needs JavaScript. Without it, propose a case on GitHub as "
        "CONTRIBUTING.md describes.</noscript>\n"
        f'<script src="{BUNDLE}"></script>\n'
        "</body>\n</html>\n"
    )


@dataclass
class Admin:
    written: bool
    message: str


def write_admin(project: Project, library: Library, config: dict[str, Any], site: Path) -> Admin:
    """Write site/admin/: the page, its generated config.yml and the Decap CMS bundle."""
    settings = CmsSettings.from_config(config)
    bundle = bundle_dir(project)
    if bundle is None:
        return Admin(
            False,
            f"warning: the web editor (/{ADMIN}/) was left out: the Decap CMS bundle pinned in "
            "package-lock.json is not in .cache/decap-cms/; run 'bash scripts/setup.sh' (or "
            "'bash scripts/fetch_decap.sh') and build again",
        )
    target = site / ADMIN
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(bundle, target)
    data = cms_config(library, settings, str(config.get("site_url") or ""))
    header = (
        "# Written by `casebook build` from the case model and the vocabularies; do not edit.\n"
    )
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    (target / "config.yml").write_text(header + text, encoding="utf-8")
    name = str(config.get("site_name") or "Casebook")
    (target / "index.html").write_text(admin_page(name), encoding="utf-8")
    version = decap_version(project)
    return Admin(True, f"Web editor: /{ADMIN}/ with Decap CMS {version}")


def signature(project: Project) -> str:
    """What /admin/ depends on besides the sources: the bundle's version and presence."""
    return f"decap-cms={decap_version(project)} bundle={bundle_dir(project) is not None}"
