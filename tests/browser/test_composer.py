"""The session composer at /worksheets/compose/, driven in Debian's Chromium over the fixture
library: compose a session from two cases, drop a question and add one's own, reload it from
its address, print it to PDF, download the workshop pack, and check it with axe and the
keyboard.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote

import pypdf
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from browserkit import AXE_OPTIONS, DESKTOP, MOBILE, SCREENSHOTS, describe_violations, use_scheme
from playwright.sync_api import Browser, BrowserContext, Page, expect

from casebook.sources.facilitation import load_facilitator_notes, session_plan
from casebook.sources.project import Project
from library_fixture import built_project
from sitebuild import builds_site, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ODI = "Uncovering organised sexual abuse of children in schools in Mexico"
UK = "Teaching online safety in schools in the United Kingdom"
OWN = "What one change could our team make before the next term starts?"
COMPOSE = "worksheets/compose/"


@pytest.fixture(scope="module")
@builds_site
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_project(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(library: Path) -> Iterator[str]:
    with serve(library / "site") as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (empty local storage) that fails on any JavaScript error."""
    made = browser.new_context(viewport=DESKTOP)
    errors: list[str] = []
    made.on("weberror", lambda error: errors.append(str(error.error)))
    yield made
    made.close()
    assert errors == [], f"JavaScript errors: {errors}"


def open_composer(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("[data-cb-composer][data-ready]").wait_for()


def questions(page: Page) -> list[str]:
    return page.locator(".cb-composer__question-text").all_inner_texts()


def question_texts(library: Path, case: str, audience: str) -> list[str]:
    own = yaml.safe_load((library / f"reflective_questions/cases/{case}.yml").read_text())
    general = yaml.safe_load((library / f"reflective_questions/{audience}.yml").read_text())
    items = [*own[audience], *general["questions"]]
    return [" ".join((q if isinstance(q, str) else q["question"]).split()) for q in items]


def content_note(library: Path, case: str) -> str:
    front = yaml.safe_load((library / f"case_studies/{case}.md").read_text().split("---\n")[1])
    return " ".join(front["content_note"].split())


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def test_the_odi_link_opens_the_practitioners_questions_ready_to_print(
    context: BrowserContext, base_url: str, library: Path
) -> None:
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=odi-mexico&audience=practitioners")
    expected = question_texts(library, "odi-mexico", "practitioners")
    assert questions(page) == expected
    expect(page.locator(".cb-composer__case-title")).to_have_text([ODI])
    expect(page.locator("#cb-audience-odi-mexico")).to_have_value("practitioners")
    expect(page.get_by_role("button", name="Print the worksheet")).to_be_enabled()
    # The plan is the same as the PDFs': casebook.sources.facilitation.session_plan.
    notes, _ = load_facilitator_notes(Project(library))
    assert notes is not None
    plan = session_plan(notes, len(expected))
    expect(page.locator(".cb-composer__plan")).to_contain_text(
        f"{plan.total} minutes for {len(expected)} questions"
    )
    # The address now holds the session in its fragment, which is never sent to a server.
    assert "#case=odi-mexico&audience=practitioners" in page.url and "?" not in page.url


def test_a_two_case_session_round_trips_through_its_address_and_prints(
    browser: Browser, context: BrowserContext, base_url: str, library: Path, tmp_path: Path
) -> None:
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=odi-mexico&audience=practitioners")
    # A trainer adds a second case from the finder, as they would.
    page.goto(f"{base_url}cases/")
    card = page.locator('.cb-case-card[data-case-id="uk-online-safety"]')
    card.get_by_role("link", name="Add to session").click()
    page.locator("[data-cb-composer][data-ready]").wait_for()
    expect(page.locator(".cb-composer__case-title")).to_have_text([ODI, UK])
    page.locator("#cb-audience-uk-online-safety").select_option("overall")

    listed = questions(page)
    odi = question_texts(library, "odi-mexico", "practitioners")
    dropped = odi[1]
    assert dropped in listed
    item = page.locator(".cb-composer__question").filter(has_text=dropped)
    item.get_by_role("button", name="Drop").click()
    assert dropped not in questions(page)
    expect(page.locator(".cb-composer__dropped")).to_contain_text(dropped)

    page.get_by_label("Your question").fill(OWN)
    page.get_by_role("button", name="Add question").click()
    page.get_by_label("Title").fill("Spring staff training")
    page.get_by_label("Length in minutes").fill("120")
    composed = questions(page)
    assert composed[-1] == OWN and len(composed) == len(listed)
    expect(page.locator(".cb-composer__plan")).to_contain_text(
        f"120 minutes for {len(composed)} questions"
    )
    address = page.url
    assert OWN.split()[0] in address.split("#", 1)[1]  # own text lives only in the fragment

    # A colleague opens the address in another browser: the same session comes back.
    other = browser.new_context(viewport=DESKTOP)
    try:
        theirs = other.new_page()
        open_composer(theirs, address)
        assert questions(theirs) == composed
        expect(theirs.locator(".cb-composer__case-title")).to_have_text([ODI, UK])
        expect(theirs.locator("#cb-audience-uk-online-safety")).to_have_value("overall")
        expect(theirs.get_by_label("Title")).to_have_value("Spring staff training")
        expect(theirs.get_by_label("Length in minutes")).to_have_value("120")
        expect(theirs.locator(".cb-composer__dropped")).to_contain_text(dropped)
    finally:
        other.close()

    # This browser keeps the session: reopening the bare composer restores it.
    open_composer(page, f"{base_url}{COMPOSE}")
    assert questions(page) == composed

    # Printed with Chromium, through the PDFs' print stylesheet.
    pdf = tmp_path / "session.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    text = pdf_text(pdf)
    notes = text[text.index("Content note") : text.index("About the cases")]
    assert ODI in notes and UK in notes
    assert text.count(content_note(library, "odi-mexico")) >= 1
    assert text.count(content_note(library, "uk-online-safety")) >= 1
    assert text.index("About the cases") < text.index(composed[0][:40])
    for question in composed:
        assert question in text, question
    assert dropped not in text
    assert OWN in text
    assert "Emergency services (911) · Phone: 911 · Free of charge." in text
    assert "Child Helpline International" in text and "More support services, by country" in text
    assert "Page 1 of" in text and "Spring staff training" in text
    reader = pypdf.PdfReader(pdf)
    width, height = (round(float(v)) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == (595, 842)  # A4

    page.get_by_label("US Letter").check()
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    width, height = (round(float(v)) for v in pypdf.PdfReader(pdf).pages[0].mediabox[2:])
    assert (width, height) == (612, 792)


@pytest.fixture(scope="module")
def site_with_a_pdf(library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture site (built without PDFs) with an A4 PDF for one case only."""
    site = tmp_path_factory.mktemp("pack") / "site"
    shutil.copytree(library / "site", site)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with (site / "cases/odi-mexico/odi-mexico-a4.pdf").open("wb") as file:
        writer.write(file)
    with serve(site) as url:
        yield url


def test_the_workshop_pack_downloads_as_one_zip_that_needs_no_network(
    context: BrowserContext, site_with_a_pdf: str, library: Path, tmp_path: Path
) -> None:
    base_url = site_with_a_pdf
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    title = 'Team day <script>alert("x")</script> & more'
    open_composer(
        page,
        f"{base_url}{COMPOSE}#case=odi-mexico&audience=practitioners"
        f"&case=uk-online-safety&audience=overall&title={quote(title)}",
    )
    expected = questions(page)
    pack = page.get_by_role("button", name="Download workshop pack (.zip)")
    pack.focus()  # from the keyboard
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("The workshop pack is downloaded.")
    assert download.value.suggested_filename == "team-day-script-alert-x-script-more-a4.zip"
    saved = tmp_path / "pack.zip"
    download.value.save_as(saved)

    name = "team-day-script-alert-x-script-more"
    with zipfile.ZipFile(saved) as archive:
        assert archive.namelist() == [
            f"{name}/1-{name}-worksheet-a4.html",
            f"{name}/2-{name}-facilitator-notes-a4.html",
            f"{name}/3-case-odi-mexico-a4.pdf",
            f"{name}/4-support-services.txt",
        ]
        sheet, notes, pdf, support = (archive.read(n) for n in archive.namelist())
    html = sheet.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for question in expected:
        assert " ".join(escape(question, quote=False).split()) in text, question
    assert escape(content_note(library, "odi-mexico"), quote=False) in text
    assert escape(content_note(library, "uk-online-safety"), quote=False) in text
    # The title from the address is text, never markup; the file has no script and no address
    # to fetch: only its own inline styles.
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<link" not in html and "url(" not in html and "@import" not in html
    assert "default-src 'none'" in html and "size: A4" in html
    assert "If someone discloses abuse" in notes.decode()
    assert pdf.startswith(b"%PDF")
    words = support.decode()
    assert "Emergency services (911)" in words and "Child Helpline International" in words
    assert "checked against its source on" in words
    # uk-online-safety has no PDF on this site: left out, and the text file says so.
    assert f"the PDF of “{UK}”, which the site does not have" in words
    assert f"{base_url}cases/uk-online-safety/" in words

    others = [url for url in requested if not url.startswith((base_url, "blob:", "data:"))]
    assert others == [], f"requests to other hosts: {others}"

    # The worksheet opens on its own with no network, and prints.
    offline = tmp_path / "sheet.html"
    offline.write_bytes(sheet)
    reader = context.new_page()
    fetched: list[str] = []
    reader.on("request", lambda request: fetched.append(request.url))
    reader.goto(offline.as_uri())
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    assert fetched == [offline.as_uri()]
    printed = tmp_path / "sheet.pdf"
    reader.pdf(path=str(printed), prefer_css_page_size=True)
    assert expected[0] in pdf_text(printed)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=SCREENSHOTS / "pack-worksheet.png", full_page=True)


def test_questions_move_with_the_keyboard_and_focus_follows(
    context: BrowserContext, base_url: str, library: Path
) -> None:
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=odi-mexico&audience=overall")
    first, second = questions(page)[:2]
    page.locator(".cb-composer__question").first.get_by_role("button", name="Move down").focus()
    page.keyboard.press("Enter")
    assert questions(page)[:2] == [second, first]
    focused = page.evaluate("document.activeElement.getAttribute('data-focus')")
    assert focused and focused.startswith("down-c.odi-mexico.0")
    expect(page.get_by_role("status")).to_have_text("Moved to position 2.")


@pytest.mark.parametrize(
    ("scheme", "material", "viewport"),
    [("light", "default", DESKTOP), ("dark", "slate", DESKTOP), ("light", "default", MOBILE)],
    ids=["light", "dark", "mobile"],
)
def test_no_axe_violations_on_a_composed_session(
    browser: Browser, base_url: str, scheme: str, material: str, viewport: dict[str, int]
) -> None:
    mobile = viewport is MOBILE
    made = browser.new_context(
        color_scheme=scheme, viewport=viewport, is_mobile=mobile, has_touch=mobile
    )
    try:
        page = made.new_page()
        open_composer(
            page,
            f"{base_url}{COMPOSE}?case=odi-mexico&audience=practitioners"
            f"&case=uk-online-safety&audience=overall",
        )
        use_scheme(page, material)
        page.locator(".cb-composer__question").nth(1).get_by_role("button", name="Drop").click()
        page.locator(".cb-composer__preview > summary").click()
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, describe_violations(violations)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the composer is {overflow}px wider than the window"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{'mobile' if mobile else 'desktop'}-{scheme}-compose.png"
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
    finally:
        made.close()


def test_add_to_session_on_a_case_page_adds_to_the_session_held(
    context: BrowserContext, base_url: str
) -> None:
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=uk-online-safety&audience=practitioners")
    page.goto(f"{base_url}cases/mx-residential-care/")
    page.get_by_role("link", name="Add to session").click()
    page.locator("[data-cb-composer][data-ready]").wait_for()
    expect(page.locator(".cb-composer__case-title")).to_have_text(
        [UK, "Court monitoring of residential care homes in Mexico"]
    )
    # The case is for lawyers only, so their questions are the ones chosen.
    expect(page.locator("#cb-audience-mx-residential-care")).to_have_value(
        "lawyers-advocates-policy"
    )
    page.get_by_role("button", name="Clear this session").click()
    expect(page.locator(".cb-composer__case-title")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('casebook-session')") is None


def test_the_facilitator_sheet_plans_the_whole_session_with_prompts(
    context: BrowserContext, base_url: str, library: Path, tmp_path: Path
) -> None:
    page = context.new_page()
    open_composer(
        page,
        f"{base_url}{COMPOSE}#case=odi-mexico&audience=practitioners&minutes=90&title=Team+day",
    )
    page.evaluate("window.print = () => {}")  # the dialog itself is the browser's
    page.get_by_role("button", name="Print the facilitator notes").click()
    pdf = tmp_path / "notes.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    text = pdf_text(pdf)
    assert "FACILITATOR NOTES (NOT FOR PARTICIPANTS)" in text.upper()
    assert "Team day" in text and "90 minutes for 9 questions" in text
    timing = text[text.index("Minutes Activity") : text.index("Total")]
    minutes = [int(n) for n in re.findall(r"(?:^| )(\d{1,3}) [A-Z]", timing)]
    assert sum(minutes) == 90, (minutes, timing)
    prompts = yaml.safe_load((library / "reflective_questions/cases/odi-mexico.yml").read_text())
    for item in prompts["practitioners"]:
        assert " ".join(item["prompt"].split()) in text
    assert "If someone discloses abuse" in text and "Emergency services (911)" in text


def test_every_edition_has_a_composer_in_its_language(
    context: BrowserContext, base_url: str, library: Path
) -> None:
    page = context.new_page()
    open_composer(page, f"{base_url}es/{COMPOSE}?case=odi-mexico&audience=practitioners")
    expect(page.get_by_role("heading", name="Casos de esta sesión")).to_be_visible()
    spanish = yaml.safe_load((library / "reflective_questions/cases/odi-mexico.es.yml").read_text())
    first = " ".join(spanish["practitioners"][0]["question"].split())
    assert questions(page)[0] == first
    # French has its own translation of the case and its questions.
    open_composer(page, f"{base_url}fr/{COMPOSE}?case=odi-mexico&audience=practitioners")
    expect(page.get_by_role("heading", name="Cas de cette séance")).to_be_visible()
    french = yaml.safe_load((library / "reflective_questions/cases/odi-mexico.fr.yml").read_text())
    shown = " ".join(questions(page)[0].split())  # no-break spaces before "?" count as spaces
    assert shown == " ".join(french["practitioners"][0]["question"].split())


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_plan_reads_as_a_sentence_in_every_language(
    context: BrowserContext, base_url: str, library: Path, language: str
) -> None:
    strings = yaml.safe_load((library / f"i18n/{language}/strings.yml").read_text())
    notes, _ = load_facilitator_notes(Project(library), language)
    assert notes is not None
    prefix = "" if language == "en" else f"{language}/"
    page = context.new_page()
    open_composer(page, f"{base_url}{prefix}{COMPOSE}?case=odi-mexico&audience=practitioners")
    count = len(questions(page))
    plan = session_plan(notes, count)
    sentence = strings["plan_minutes_for"].format(
        minutes=plan.total, questions=strings["question_count_other"].format(n=count)
    )
    note = page.locator(".cb-composer__plan")
    expect(note).to_have_text(f"{strings['compose_plan']}: {sentence}.")
    # A session too short for its questions adds the warning, still with no "null".
    page.locator("#cb-session-minutes").fill("20")
    warning = strings["plan_too_short"].format(requested=20, needed=plan.needed)
    expect(note).to_have_text(f"{strings['compose_plan']}: {sentence}. {warning}")
    assert "null" not in note.inner_text()


def test_without_site_url_the_printed_sheet_gives_no_address_and_takes_the_sessions_title(
    context: BrowserContext, base_url: str
) -> None:
    """The fixture site has no site_url: the address it is served from (127.0.0.1) is of no
    use on paper, so the sheets name the site instead; the PDF is named after the session."""
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=odi-mexico&audience=practitioners")
    page.get_by_label("Title").fill("Spring staff training")
    page.evaluate("window.print = () => { window.cbPrintedTitle = document.title; }")
    for which in ("Print the worksheet", "Print the facilitator notes"):
        page.get_by_role("button", name=which).click()
        sheet = page.locator("[data-cb-print-sheet]").inner_text()
        assert "127.0.0.1" not in sheet and base_url not in sheet, sheet
        assert "Read the case online" not in sheet
        assert page.evaluate("window.cbPrintedTitle") == "Spring staff training"
        assert page.evaluate("document.title") != "Spring staff training"  # put back after
    sheet = page.locator("[data-cb-print-sheet]").inner_text()
    assert "are listed on the “Where to find support” page of the Casebook website" in sheet


def test_a_session_too_short_warns_where_its_minutes_are_set_and_cannot_be_printed(
    context: BrowserContext, base_url: str, library: Path
) -> None:
    """As `casebook session` refuses a --minutes too short for the questions, the composer
    says so beside the minutes and keeps Print and the pack disabled until it fits."""
    strings = yaml.safe_load((library / "i18n/en/strings.yml").read_text())
    page = context.new_page()
    open_composer(page, f"{base_url}{COMPOSE}?case=odi-mexico&audience=practitioners")
    notes, _ = load_facilitator_notes(Project(library))
    assert notes is not None
    needed = session_plan(notes, len(questions(page))).needed
    buttons = [
        page.get_by_role("button", name=name)
        for name in ("Print the worksheet", "Print the facilitator notes", strings["compose_pack"])
    ]
    page.locator("#cb-session-minutes").fill("20")
    warning = page.locator("#cb-session-minutes-warning")
    expect(warning).to_have_text(strings["plan_too_short"].format(requested=20, needed=needed))
    # Beside the minutes, above the Print section, and named by the disabled buttons.
    minutes_box = page.locator("#cb-session-minutes").bounding_box()
    warning_box = warning.bounding_box()
    print_box = page.locator("#cb-compose-print").bounding_box()
    assert minutes_box and warning_box and print_box
    assert minutes_box["y"] < warning_box["y"] < print_box["y"]
    for button in buttons:
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("aria-describedby", "cb-session-minutes-warning")
    page.locator("#cb-session-minutes").fill(str(needed))
    expect(warning).to_have_text("")
    for button in buttons:
        expect(button).to_be_enabled()
