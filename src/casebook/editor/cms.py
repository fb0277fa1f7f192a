"""The web editor at /admin/: Decap CMS, configured from the case model and the vocabularies.

Editors who do not use Git create and edit cases in a form. Decap CMS commits through the
Git backend (GitHub, with its editorial workflow and open authoring turning a contribution
into a pull request), where `casebook check` runs as on any other change.

The configuration is written here, from `CaseFrontMatter` and the vocabulary files, so the
form can never drift from what `casebook check` accepts: there is no second copy of the
schema. The bundle is served from the site itself, never from a CDN: scripts/fetch_decap.sh
keeps the npm tarball of the version pinned in package-lock.json in .cache/decap-cms/, and
each build publishes its files only once the tarball's hash is the lock file's `integrity`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import json
import re
import shutil
import tarfile
import zlib
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
CACHE = ".cache/decap-cms"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
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
        # Its media library takes any file and no setting narrows it, so what lands there is
        # narrowed elsewhere: `casebook edit` saves only PNG, JPEG and WebP (editorgate.py),
        # and `casebook check`, which runs on every proposal, refuses any file of docs/ that
        # could run (an SVG, HTML, a script: casebook.sources.uploads).
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


@dataclass(frozen=True)
class Pin:
    """The Decap CMS that package-lock.json pins: its version and its npm tarball's hash."""

    version: str
    integrity: str


def decap_pin(project: Project) -> Pin | None:
    lock = project.root / "package-lock.json"
    try:
        entry = json.loads(lock.read_text(encoding="utf-8"))["packages"]["node_modules/decap-cms"]
        return Pin(str(entry["version"]), str(entry["integrity"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def decap_version(project: Project) -> str | None:
    pin = decap_pin(project)
    return pin.version if pin else None


def tarball_path(project: Project) -> Path | None:
    """Where scripts/fetch_decap.sh keeps the pinned version's npm tarball."""
    pin = decap_pin(project)
    return None if pin is None else project.root / CACHE / f"decap-cms-{pin.version}.tgz"


def bundle_tarball(project: Project) -> Path | None:
    """The fetched tarball of the pinned version, or None when it is not there yet."""
    path = tarball_path(project)
    return path if path is not None and path.is_file() else None


class BundleRefused(Exception):
    """The tarball in .cache/ is not the one package-lock.json pins, or not a bundle."""


def matches_integrity(data: bytes, integrity: str) -> bool:
    """Whether `data` has one of the hashes of an SRI string (npm's `integrity`)."""
    for item in integrity.split():
        algorithm, _, expected = item.partition("-")
        if algorithm in ("sha512", "sha384", "sha256"):
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if hmac.compare_digest(actual, expected):
                return True
    return False


def _published_name(name: str) -> bool:
    """The files of dist/ the site serves: one copy of the bundle (dist/ also holds it as
    cms.js), its chunks, its WebAssembly and its licence, no source maps (as fetch_decap.sh)."""
    if not _PLAIN_NAME.fullmatch(name) or name.endswith(".map"):
        return False
    return name.startswith(BUNDLE) or name.endswith("." + BUNDLE) or name.endswith(".wasm")


def bundle_files(data: bytes, integrity: str) -> dict[str, bytes]:
    """The files to publish in /admin/, read from the tarball's verified bytes: name -> bytes.

    Only the tarball is trusted, and only once its hash is the lock file's: loose files in
    .cache/ are never read. Each file is a regular member named package/dist/<name>, written
    under a name of our own making, so no member can name a path (absolute, '..') or a link.
    """
    if not matches_integrity(data, integrity):
        raise BundleRefused("it does not match the integrity hash pinned in package-lock.json")
    # A preview rebuilds in one process again and again: unpacking takes 0.5 s, the hash of
    # the bytes just read and checked 30 ms, so the files are kept under that hash.
    key = hashlib.sha512(data).hexdigest()
    if key not in _UNPACKED:
        _UNPACKED.clear()
        _UNPACKED[key] = _unpack(data)
    return dict(_UNPACKED[key])


_UNPACKED: dict[str, dict[str, bytes]] = {}


def _unpack(data: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                folder, _, name = member.name.removeprefix("./").rpartition("/")
                if folder != "package/dist" or not _published_name(name):
                    continue
                if not member.isreg():
                    raise BundleRefused(f"{member.name} is a link, not a file")
                if name in files:
                    raise BundleRefused(f"{member.name} is in it twice")
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise BundleRefused(f"{member.name} cannot be read")
                files[name] = extracted.read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BundleRefused(f"it is not a readable npm tarball ({exc})") from exc
    if BUNDLE not in files:
        raise BundleRefused(f"it has no package/dist/{BUNDLE}")
    return files


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
    pin = decap_pin(project)
    tarball = bundle_tarball(project)
    if pin is None or tarball is None:
        return Admin(
            False,
            f"warning: the web editor (/{ADMIN}/) was left out: the Decap CMS bundle pinned in "
            f"package-lock.json is not in {CACHE}/; run 'bash scripts/setup.sh' (or "
            "'bash scripts/fetch_decap.sh') and build again",
        )
    shown = tarball.relative_to(project.root).as_posix()
    try:
        files = bundle_files(tarball.read_bytes(), pin.integrity)
    except (BundleRefused, OSError) as exc:
        # Never published: a file planted or changed there would run on /admin/.
        return Admin(
            False,
            f"warning: the web editor (/{ADMIN}/) was left out: {shown}: {exc}, so none of it "
            f"is published; delete it, run 'bash scripts/fetch_decap.sh' and build again",
        )
    target = site / ADMIN
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, content in files.items():
        (target / name).write_bytes(content)
    data = cms_config(library, settings, str(config.get("site_url") or ""))
    header = (
        "# Written by `casebook build` from the case model and the vocabularies; do not edit.\n"
    )
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    (target / "config.yml").write_text(header + text, encoding="utf-8")
    name = str(config.get("site_name") or "Casebook")
    (target / "index.html").write_text(admin_page(name), encoding="utf-8")
    return Admin(True, f"Web editor: /{ADMIN}/ with Decap CMS {pin.version}")


def signature(project: Project) -> str:
    """What /admin/ depends on besides the sources: the pin and the tarball (a changed
    tarball is checked again, and left out if it no longer matches)."""
    tarball = bundle_tarball(project)
    try:
        stat = tarball.stat() if tarball else None
    except OSError:
        stat = None
    found = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "none"
    return f"decap-cms={decap_pin(project)} bundle={found}"
