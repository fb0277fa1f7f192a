"""`casebook session --pack`: a workshop pack, one .zip that works on a laptop with no network.

It holds the session's worksheet and facilitator notes, each chosen case as a PDF, and the
support services for the cases' countries as plain text (readable anywhere, printable as it
is), all for the chosen paper size. The pack is written next to its target and moved into
place only when every file in it is complete.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from casebook.commands.session import Session, SessionError, SessionRequest, write_pdf_file
from casebook.outputs.casepdf import case_context, case_html
from casebook.pages.worksheets import print_html, support_groups
from casebook.sources.i18n import Locale
from casebook.sources.support import Service


def make_pack(request: SessionRequest, session: Session) -> Path:
    """Write the pack's .zip; raises SessionError when a file cannot be made."""
    renderer, notes, paper = session.renderer, session.notes, request.paper
    t = renderer.locale
    name = _slug(session.content.title) or "session"
    files: list[tuple[str, str]] = [
        (f"1-{name}-{t.t('pack_worksheet')}-{paper}.pdf", "sheet"),
        (f"2-{name}-{t.t('pack_facilitator')}-{paper}.pdf", "notes"),
    ]
    with tempfile.TemporaryDirectory(dir=request.output.parent) as folder:
        work = Path(folder)
        for facilitator, (filename, _) in enumerate(files):
            html = print_html(renderer, session.content, notes, paper, bool(facilitator))
            write_pdf_file(work / filename, html, request.output)
        for case, _ in session.picks:
            filename = f"3-{t.t('pack_case')}-{case.id}-{paper}.pdf"
            context = case_context(renderer, renderer.support, notes, case)
            write_pdf_file(work / filename, case_html(renderer, context, paper), request.output)
            files.append((filename, "case"))
        countries = sorted({c for case, _ in session.picks for c in case.meta.countries})
        support = support_text(t, support_groups(renderer.support, countries, t))
        files.append((f"4-{t.t('pack_support')}.txt", "support"))
        (work / files[-1][0]).write_text(support, encoding="utf-8")
        partial = work / "pack.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for filename, _ in files:
                archive.write(work / filename, f"{name}/{filename}")
        try:
            os.replace(partial, request.output)
        except OSError as exc:
            raise SessionError(
                f"-o {request.output}: the pack could not be written ({exc})"
            ) from exc
    return request.output


def support_text(t: Locale, groups: list[tuple[str, list[Service]]]) -> str:
    """The support services as plain text, country by country, each with where it came from."""
    lines = [t.t("where_support"), "", t.t("sheet_support"), ""]
    for heading, services in groups:
        lines += [heading, "-" * len(heading)]
        for service in services:  # already in the edition's language
            lines.append(service.name)
            lines += [f"  {t.t('phone_colon')} {service.phone}"] if service.phone else []
            lines += [f"  {service.url}"] if service.url else []
            lines += [f"  {service.hours}", f"  {service.audience}"]
            lines += [f"  {t.t('service_source')}: {service.source}"]
            lines += [f"  {t.t('pack_checked', date=t.date(service.last_checked))}", ""]
    return "\n".join(lines) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")[:60]
