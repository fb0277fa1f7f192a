"""Synthetic, schema-valid case studies for the benchmark.

Every case is generated from its own random stream (seeded by the benchmark's seed and the
case's index), so case 17 is the same file whether the library holds 100 or 1,000 cases:
pages of the same case can be compared across library sizes byte for byte.

Facet values are drawn from the project's own vocabulary files and audience files, so the
cases stay valid when an editor adds a term. The prose is plausible but invented: sentences
are assembled from word lists, about 1,500 words of body per case across the required
sections (Context, What was learned, Action, Reflection).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Vocab:
    """The ids a generated case may use, read from the project's data files."""

    by_field: dict[str, list[str]] = field(default_factory=dict)  # front-matter field -> ids
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> id -> label
    sections: list[tuple[str, str, bool]] = field(default_factory=list)  # (id, label, required)
    countries: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, project: Path) -> Vocab:
        import pycountry

        vocab = cls()
        for path in sorted((project / "vocabularies").glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            terms = data.get("terms") or []
            if data.get("id") == "regions":
                for term in terms:
                    vocab.countries += [str(c) for c in term.get("countries") or []]
                continue
            if data.get("id") == "sections":
                vocab.sections = [(t["id"], t["label"], bool(t.get("required"))) for t in terms]
            name = data.get("field")
            if name:
                vocab.by_field[name] = [t["id"] for t in terms]
                vocab.labels[name] = {t["id"]: t["label"] for t in terms}
        vocab.countries = sorted(
            {c for c in vocab.countries if pycountry.countries.get(alpha_2=c) is not None}
        ) or ["MX", "KE", "GB", "IN", "BR"]
        for path in sorted((project / "reflective_questions").glob("*.yml")):
            if "." in path.stem:  # a translation, e.g. practitioners.es.yml
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if isinstance(data, dict) and data.get("id"):
                vocab.audiences.append(str(data["id"]))
        return vocab

    def ids(self, name: str, fallback: list[str]) -> list[str]:
        return self.by_field.get(name) or fallback

    def label(self, name: str, value: str) -> str:
        return self.labels.get(name, {}).get(value, value.replace("-", " "))


def country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


# Word lists ----------------------------------------------------------------------------------

ACTORS = [
    "teachers",
    "school leaders",
    "social workers",
    "caseworkers",
    "community volunteers",
    "health workers",
    "nurses",
    "youth workers",
    "prosecutors",
    "police officers",
    "family lawyers",
    "foster carers",
    "residential care staff",
    "early-years staff",
    "helpline counsellors",
    "parents and carers",
    "faith leaders",
    "sports coaches",
    "child protection officers",
    "magistrates",
    "outreach workers",
    "school counsellors",
]
PLACES = [
    "in the capital",
    "in two rural districts",
    "along the northern border",
    "in informal settlements",
    "in three coastal towns",
    "across the province",
    "in the largest cities",
    "in mountain communities",
    "in peri-urban areas",
    "in the eastern region",
    "in a network of small towns",
    "in the former mining districts",
]
NOUNS = [
    "referral pathway",
    "case conference",
    "reporting line",
    "safeguarding policy",
    "training programme",
    "inspection regime",
    "case management system",
    "peer network",
    "child-friendly interview room",
    "code of conduct",
    "multi-agency panel",
    "monitoring framework",
    "complaints procedure",
    "community forum",
    "data-sharing agreement",
]
PATTERNS = [
    "concerns were recorded but never brought together",
    "children told someone, but the account went no further",
    "the same adults appeared in unrelated files",
    "reports arrived long after the harm had begun",
    "families did not know where to turn",
    "staff feared reprisals if they raised a concern",
    "investigations stopped when a child moved away",
    "responsibility passed from one agency to another",
    "informal warnings replaced formal procedures",
    "the youngest children were the least likely to be heard",
    "rules existed on paper but nobody checked them",
    "girls and boys described the harm in very different ways",
]
QUALITIES = [
    "slowly",
    "carefully",
    "unevenly",
    "with growing confidence",
    "over several years",
    "in small steps",
    "against considerable resistance",
    "with the support of families",
    "once the figures were clear",
    "after a long period of trial and error",
]
GOALS = [
    "make concerns easier to raise",
    "connect cases that had been handled apart",
    "shorten the time children waited",
    "hold institutions to their duties",
    "give children a say in decisions about them",
    "keep records safely and consistently",
    "train staff to notice early signs",
    "change how investigations were run",
    "make buildings and routines safer",
    "support families through legal proceedings",
]
OPENERS = [
    "Over time,",
    "At first,",
    "In practice,",
    "As the work grew,",
    "By the third year,",
    "Looking back,",
    "From the start,",
    "In most of the cases,",
    "Even so,",
    "Crucially,",
    "In the early years,",
    "Later on,",
    "Across the files,",
    "Within a few months,",
]
CONCEPTS = [
    "practice-based knowledge",
    "formal research",
    "lived experience",
    "routine monitoring",
    "professional judgement",
    "case-by-case handling",
    "structured reflection",
    "independent evaluation",
    "shared learning",
    "everyday observation",
]
TITLE_VERBS = [
    "Recognising",
    "Tracing",
    "Preventing",
    "Responding to",
    "Uncovering",
    "Reducing",
    "Confronting",
    "Documenting",
    "Addressing",
    "Challenging",
]
ORG_PREFIXES = [
    "Centre for",
    "Coalition for",
    "Network for",
    "Foundation for",
    "Alliance for",
    "Institute for",
    "Office for",
    "Forum for",
    "Association for",
    "Council for",
]
ORG_FOCUS = [
    "Children's Rights",
    "Child Protection",
    "Safe Childhoods",
    "Youth Justice",
    "Family Support",
    "Children in Care",
    "Safe Schools",
    "Child Welfare",
    "Young Survivors",
    "Children and Families",
    "Community Safeguarding",
    "Children's Voices",
]
SMALL = {"for", "in", "of", "and", "the"}


CONTEXT_SENTENCES = [
    "{org} is {kind_article} based in {country}, working with {actor} and {actor2} {place}.",
    "Its knowledge comes from {source} and {source2}, gathered while handling individual cases.",
    "{opener} the organisation worked mostly in {setting}, where {pattern}.",
    "Between {start} and {end}, its staff followed {n} cases {place}.",
    "The work began when {actor} noticed that {pattern}.",
    "{opener} {actor} and {actor2} met regularly to compare what they were seeing.",
    "Few of the {actor} involved had training in {theme}, and most learned on the job.",
    "The {noun} in place at the time had been designed for a different kind of harm.",
    "{opener} the main concern was {violence}, although other forms of harm appeared in the files.",
    "Formal oversight existed, but {pattern}, and no single body looked across the cases.",
    "Local norms made it hard to speak about {violence}, especially in {setting}.",
    "Funding came in short cycles, so the team kept its records {quality}.",
    "The organisation's role in {setting} gave it a view that inspectors rarely had.",
    "{opener} it relied on {source} to understand what was happening {place}.",
]
LEARNED_SENTENCES = [
    "Looking across {n} cases rather than at each one alone, the team saw that {pattern}.",
    "{opener} {actor} were often the first to see the signs, but {pattern}.",
    "The files showed that {violence} in {setting} rarely involved a single incident.",
    "{opener} the same weaknesses in the {noun} appeared in almost every district.",
    "Where {actor} had clear routes for raising concerns, children were heard sooner.",
    "The team learned {quality} that {pattern}.",
    "{source} revealed a gap between written policy and what happened in {setting}.",
    "{opener} delays were longest where the {noun} depended on one person.",
    "Children were more likely to speak when {actor} they trusted were present.",
    "The patterns held {place}, which suggested a problem with the system rather than with individuals.",
    "In {n} of the cases the harm continued after a first report, because {pattern}.",
    "{opener} {theme} turned out to matter as much as any single intervention.",
]
ACTION_SENTENCES = [
    "The organisation set out to {goal}, working {quality}.",
    "{opener} it published what it had learned and shared it with {actor} and {actor2}.",
    "It proposed a new {noun} to the authorities {place}.",
    "{opener} it brought together {actor}, {actor2} and officials to agree on next steps.",
    "It trained {n} {actor} to recognise {violence} and to act on what they saw.",
    "The team worked with families to {goal}.",
    "{opener} it used {theme} as the frame for its advocacy.",
    "A revised {noun} was tested {place} before it was adopted more widely.",
    "It asked the courts and the ministry to {goal}.",
    "{opener} it kept careful records, so that each step could be reviewed later.",
    "The organisation invited {actor} to review the draft and changed it {quality}.",
    "By {end}, the {noun} was in use {place}.",
]
REFLECTION_SENTENCES = [
    "The case shows how {concept} can reveal patterns that {concept2} would miss.",
    "{opener} the organisation's experience in {setting} made the problem visible.",
    "{concept} does not replace {concept2}; the two are strongest together.",
    "Other settings may recognise the same pattern: {pattern}.",
    "{opener} the hardest part was keeping children's safety at the centre of every decision.",
    "What worked {place} may not transfer directly, but the questions it raised will.",
    "The case also shows the cost of the work for {actor}, who carried much of it {quality}.",
    "{opener} sharing findings while the evidence was still growing helped {actor} act sooner.",
    "Readers should weigh the figures as the organisation reports them, at the time it reported them.",
    "It raises a question for {actor}: who is in a position to see concerns together over time?",
]
PATTERN_BULLETS = [
    (
        "Concerns were scattered.",
        "Small signs were recorded by different people and never joined up.",
    ),
    (
        "Children were not asked.",
        "Decisions about them were taken without hearing what they had to say.",
    ),
    ("The same adults recurred.", "Names appeared in several files that had been handled apart."),
    ("Procedures stopped at borders.", "A case closed when a child moved to another district."),
    (
        "Families were left alone.",
        "Parents and carers did not know what would happen after a report.",
    ),
    ("Oversight looked at paper.", "Inspections checked policies, not what happened in practice."),
    (
        "Staff feared the consequences.",
        "People who raised a concern risked their jobs or their standing.",
    ),
    (
        "Evidence was lost.",
        "Accounts given early were not recorded in a way that courts could use.",
    ),
    ("Delays compounded harm.", "Months passed between a first report and any action."),
    ("Responsibility was unclear.", "Each agency assumed that another one was acting."),
]
QUESTION_TEMPLATES = [
    "In your own {setting}, who is in a position to notice that {pattern}, and how would that concern reach someone able to act?",
    "The organisation drew on {source}. What kinds of knowledge does your organisation hold that could reveal similar patterns?",
    "How could a {noun} like the one described here be adapted to your setting, and what might stop it working?",
    "What would it take for {actor} where you work to {goal}?",
    "Which parts of this case about {theme} seem most relevant to your work, and which would not transfer?",
    "How would your procedures respond if a concern about {violence} involved more than one colleague?",
    "What support, training or time would {actor} need to act on a concern with confidence?",
    "How should findings be shared while the evidence is still growing, and how should readers interpret them?",
    "Where might {concept} and {concept2} disagree about a case like this one, and how would you weigh them?",
    "What could your organisation do in the next six months to {goal}?",
]


def _acronym(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z']+", name) if w.lower() not in SMALL).upper()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class SynthCase:
    id: str
    title: str
    text: str  # the whole file: front matter and body
    body: str  # the Markdown body only
    questions: str  # the questions file
    words: int  # words in the body


class Synth:
    """Makes case i of a library deterministically from (seed, i)."""

    def __init__(self, vocab: Vocab, seed: int, today: dt.date | None = None) -> None:
        self.vocab = vocab
        self.seed = seed
        self.today = today or dt.date(2026, 11, 1)

    def case(self, index: int) -> SynthCase:
        rng = random.Random(f"casebook-benchmark:{self.seed}:{index}")
        v = self.vocab
        countries = rng.sample(v.countries, 1 if rng.random() < 0.8 else rng.randint(2, 3))
        settings = rng.sample(v.ids("settings", ["schools"]), rng.randint(1, 3))
        violence = rng.sample(v.ids("forms_of_violence", ["sexual-abuse"]), rng.randint(1, 3))
        themes_all = v.ids("themes", ["pattern-recognition"])
        themes = rng.sample(themes_all, min(len(themes_all), rng.randint(2, 5)))
        sources_all = v.ids("practice_sources", ["case-files"])
        practice = rng.sample(sources_all, min(len(sources_all), rng.randint(1, 4)))
        audiences = rng.sample(v.audiences, rng.randint(1, len(v.audiences)))
        knowledge = v.ids("knowledge_type", ["practice-based"])
        knowledge_type = knowledge[0] if rng.random() < 0.7 else rng.choice(knowledge)
        start = rng.randint(1998, 2021)
        end = None if rng.random() < 0.2 else min(start + rng.randint(1, 8), self.today.year)
        org_name = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_FOCUS)}"
        if rng.random() < 0.5:
            org_name += f" in {country_name(countries[0])}"
        short = _acronym(org_name)
        kind = rng.choice(v.ids("organisation.kind", ["ngo"]))
        country = country_name(countries[0])
        setting_label = v.label("settings", settings[0]).lower()
        violence_label = v.label("forms_of_violence", violence[0]).lower()
        theme_label = v.label("themes", themes[0])
        title = rng.choice(
            [
                f"{rng.choice(TITLE_VERBS)} {violence_label} in {setting_label} in {country}",
                f"How {short} in {country} used {v.label('practice_sources', practice[0]).lower()} to {rng.choice(GOALS)}",
                f"{theme_label}: lessons from {setting_label} in {country}",
                f"{rng.choice(TITLE_VERBS)} {violence_label}: {short}'s work in {country}",
            ]
        )
        case_id = f"{_slug(country)[:20].strip('-')}-{_slug(short)[:8]}-{index:04d}"

        def slots() -> dict[str, Any]:
            actor, actor2 = rng.sample(ACTORS, 2)
            concept, concept2 = rng.sample(CONCEPTS, 2)
            return {
                "org": short,
                "kind_article": "an organisation",
                "country": country,
                "actor": actor,
                "actor2": actor2,
                "place": rng.choice(PLACES),
                "source": v.label("practice_sources", rng.choice(practice)).lower(),
                "source2": v.label("practice_sources", rng.choice(sources_all)).lower(),
                "setting": v.label("settings", rng.choice(settings)).lower(),
                "pattern": rng.choice(PATTERNS),
                "opener": rng.choice(OPENERS),
                "start": start,
                "end": end or self.today.year,
                "n": rng.randint(12, 240),
                "noun": rng.choice(NOUNS),
                "theme": v.label("themes", rng.choice(themes)).lower(),
                "violence": v.label("forms_of_violence", rng.choice(violence)).lower(),
                "quality": rng.choice(QUALITIES),
                "goal": rng.choice(GOALS),
                "concept": concept,
                "concept2": concept2,
            }

        def sentence(templates: list[str]) -> str:
            text = rng.choice(templates).format(**slots())
            return text[0].upper() + text[1:]

        def paragraphs(templates: list[str], words: int) -> list[str]:
            out: list[str] = []
            count = 0
            while count < words:
                para = " ".join(sentence(templates) for _ in range(rng.randint(4, 7)))
                if rng.random() < 0.15:
                    para = para.replace(" the ", " *the* ", 1)
                out.append(para)
                count += len(para.split())
            return out

        target = rng.randint(1100, 1350)
        share = {"context": 0.24, "what-was-learned": 0.32, "action": 0.22, "reflection": 0.22}
        templates = {
            "context": CONTEXT_SENTENCES,
            "what-was-learned": LEARNED_SENTENCES,
            "action": ACTION_SENTENCES,
            "reflection": REFLECTION_SENTENCES,
        }
        body_parts: list[str] = []
        if rng.random() < 0.25:
            body_parts.append(" ".join(sentence(CONTEXT_SENTENCES) for _ in range(2)))
        sections = v.sections or [
            ("context", "Context", True),
            ("what-was-learned", "What was learned", True),
            ("action", "Action", True),
            ("reflection", "Reflection", True),
        ]
        for section_id, label, required in sections:
            if not required:
                continue
            words = int(target * share.get(section_id, 0.2))
            paras = paragraphs(templates.get(section_id, REFLECTION_SENTENCES), words)
            body_parts.append(f"## {label}")
            if section_id == "what-was-learned":
                body_parts.append(paras[0])
                body_parts.append("Looking across its cases, the organisation found:")
                bullets = rng.sample(PATTERN_BULLETS, rng.randint(4, 6))
                body_parts.append(
                    "\n".join(
                        f"- **{head}** {text} {sentence(LEARNED_SENTENCES)}"
                        for head, text in bullets
                    )
                )
                body_parts += paras[1:-1]
                if rng.random() < 0.4:
                    detail = " ".join(sentence(LEARNED_SENTENCES) for _ in range(3))
                    body_parts.append(
                        '??? warning "More detail on the patterns (open only if you need it)"\n\n    '
                        + detail
                    )
                else:
                    body_parts += paras[-1:]
            else:
                body_parts += paras
        body = "\n\n".join(body_parts) + "\n"

        milestones: list[dict[str, Any]] = []
        kinds = v.ids("milestones.kind", ["report"])
        for m in range(rng.randint(2, 4)):
            mkind = rng.choice(kinds)
            milestone: dict[str, Any] = {
                "id": f"{mkind}-{m + 1}",
                "kind": mkind,
                "label": f"{short} {rng.choice(['publishes findings on', 'takes action on', 'campaigns on', 'reports on'])} {v.label('themes', rng.choice(themes)).lower()}",
            }
            if rng.random() < 0.8:
                milestone["year"] = rng.randint(start, end or self.today.year)
            milestones.append(milestone)
        ids = [m["id"] for m in milestones]
        outcomes = [
            {
                "text": f"{sentence(ACTION_SENTENCES)} {sentence(REFLECTION_SENTENCES)}",
                "chain": ids[: rng.randint(1, len(ids))],
            }
            for _ in range(rng.randint(2, 5))
        ]
        source_kinds = v.ids("sources.kind", ["report"])
        sources = []
        for s in range(rng.randint(2, 4)):
            year = rng.randint(start, self.today.year)
            source: dict[str, Any] = {
                "title": f"{rng.choice(['Annual report', 'Findings', 'Review', 'Briefing', 'Evaluation'])} on {v.label('themes', rng.choice(themes)).lower()} ({year})",
                "publisher": org_name,
                "date": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                "kind": rng.choice(source_kinds),
                "citation": f"{org_name} ({short}). Publication {s + 1} on {theme_label.lower()}, {country}, {year}.",
            }
            if rng.random() < 0.5:
                source["url"] = f"https://example.org/{_slug(short)}/{year}/{s + 1}"
            sources.append(source)
        meta: dict[str, Any] = {
            "title": title,
            "summary": " ".join(sentence(CONTEXT_SENTENCES) for _ in range(3)),
            "status": "published",
            "language": "en",
            "organisation": {
                "name": org_name,
                "short_name": short,
                "country": countries[0],
                "kind": kind,
            },
            "countries": countries,
        }
        if rng.random() < 0.5:
            meta["subnational_scope"] = (
                f"{rng.randint(2, 30)} {rng.choice(['states', 'districts', 'provinces', 'municipalities'])}"
            )
        meta["period"] = {"start": start} if end is None else {"start": start, "end": end}
        meta.update(
            {
                "settings": settings,
                "forms_of_violence": violence,
                "themes": themes,
                "knowledge_type": knowledge_type,
                "practice_sources": practice,
                "audiences": audiences,
                "content_note": (
                    f"This case describes {violence_label} in {setting_label} and the failure "
                    "of institutions to act. It contains no graphic description and no detail "
                    "that identifies any child."
                ),
            }
        )
        if rng.random() < 0.5 and any(s[0] == "what-was-learned" for s in sections):
            meta["section_notes"] = [
                {
                    "section": "what-was-learned",
                    "note": f"This section describes patterns of {violence_label}. The most detailed passage is folded away.",
                }
            ]
        meta["headline_facts"] = [
            {"label": label, "text": sentence(LEARNED_SENTENCES)}
            for label in rng.sample(
                ["Evidence base", "Reach", "Public attention", "Court orders", "Scale"],
                rng.randint(2, 3),
            )
        ]
        meta["milestones"] = milestones
        meta["outcomes"] = outcomes
        meta["evidence_timeline"] = [
            {
                "year": y,
                "text": f"The evidence base held {rng.randint(10, 300)} cases {rng.choice(PLACES)}.",
            }
            for y in sorted(
                rng.sample(
                    range(start, (end or self.today.year) + 1),
                    min(2, (end or self.today.year) - start + 1),
                )
            )
        ]
        meta["sources"] = sources
        reviewed = self.today - dt.timedelta(days=rng.randint(10, 300))
        meta["first_published"] = reviewed - dt.timedelta(days=rng.randint(0, 200))
        meta["last_reviewed"] = reviewed
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)
        text = f"---\n{front}---\n\n{body}"

        questions: dict[str, list[str]] = {}
        for audience in audiences:
            questions[audience] = [
                rng.choice(QUESTION_TEMPLATES).format(**slots()) for _ in range(rng.randint(3, 6))
            ]
        qtext = f"# Synthetic questions for case_studies/{case_id}.md\n" + yaml.safe_dump(
            questions, allow_unicode=True, sort_keys=False, width=100
        )
        words = len(re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"^##.*$", "", body, flags=re.M)))
        return SynthCase(case_id, title, text, body, qtext, words)

    def write(self, project: Path, count: int) -> list[SynthCase]:
        cases_dir = project / "case_studies"
        questions_dir = project / "reflective_questions" / "cases"
        cases_dir.mkdir(parents=True, exist_ok=True)
        questions_dir.mkdir(parents=True, exist_ok=True)
        made = []
        for index in range(count):
            case = self.case(index)
            (cases_dir / f"{case.id}.md").write_text(case.text, encoding="utf-8")
            (questions_dir / f"{case.id}.yml").write_text(case.questions, encoding="utf-8")
            made.append(case)
        return made
