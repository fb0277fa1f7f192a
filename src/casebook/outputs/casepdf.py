"""A whole case as a tagged PDF, in each paper size, for reading and printing offline.

The PDF holds what the case page holds that paper can carry: the content note first, the
quick facts, the text with its own content notes, the outcomes, the support services for
the case's countries, the sources with their addresses, the suggested citation and the
date it was last reviewed. It is rendered by `casebook.outputs.pdf` with the worksheets, in the
same pool and cache (`casebook.pipeline.pdfs`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casebook.pages.render import Renderer, outcome_groups
from casebook.pages.worksheets import PAGE_SIZES, case_sheet, css_string, print_css
from casebook.sources.facilitation import FacilitatorNotes
from casebook.sources.model import Case
from casebook.sources.support import SupportDirectory


def case_documents(
    renderer: Renderer, support: SupportDirectory, notes: FacilitatorNotes
) -> Iterator[tuple[str, str]]:
    """(docs path, print HTML) of every case written in this edition's language."""
    written = [case for case in renderer.cases if renderer.in_language(case)]
    for case in sorted(written, key=lambda c: c.id):
        context = case_context(renderer, support, notes, case)
        yield from ((case.pdf_path(s), case_html(renderer, context, s)) for s in PAGE_SIZES)


def case_context(
    renderer: Renderer, support: SupportDirectory, notes: FacilitatorNotes, case: Case
) -> dict[str, Any]:
    t = renderer.locale
    meta = case.meta
    vocab = renderer.library.vocabularies
    facts = [(t.t("period"), [renderer.period(case)])]
    if meta.subnational_scope:
        facts.append((t.t("scope"), [meta.subnational_scope]))
    facts += [(f.label, [f.label_of(v) for v in f.values_of(case)]) for f in renderer.facets]
    return {
        "case": case,
        "meta": meta,
        # The sheet gives the case's address and QR code, its footer and its support services.
        "sheet": case_sheet(renderer, support, notes, case, None),
        "content_language": meta.language if meta.language != renderer.language else "",
        "intro_html": renderer.text_html(case.intro) if case.intro.strip() else "",
        "sections": [(s, renderer.text_html(s.markdown)) for s in case.sections],
        "notes": {n.section: n.note for n in meta.section_notes},
        "outcome_groups": outcome_groups(case),
        "facts": [(label, values) for label, values in facts if values],
        "label": lambda vocabulary, value: t.term(
            vocabulary, value, vocab[vocabulary].label_of(value)
        ),
        "citation": renderer.suggested_citation(case),
    }


def case_html(renderer: Renderer, context: dict[str, Any], size: str) -> str:
    css_size, size_key = PAGE_SIZES[size]
    env = renderer.env
    return env.get_template("case_print.html.j2").render(
        settings=renderer.settings,
        page_size=css_size,
        size_label=renderer.locale.t(size_key),
        footer_css=css_string("\n".join(context["sheet"].footer)),
        css=print_css(env),
        **context,
    )
