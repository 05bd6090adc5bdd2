"""Drafted review documents as a user meets them: `govassist docs ...` after a real triage of the sample CV
screener, with and without the organisation's templates, in Markdown, HTML and Word, stored with the
assessment and in the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from click.testing import Result

from core.config import Settings
from core.db import Database
from knowledge.samples import SAMPLE_TIERING_STANDARD, SAMPLES_DIR
from tests.cli import cli_runner
from tools.audit import list_events
from tools.bundle import verify_bundle
from tools.docs.builder import FRIA_ELEMENTS
from tools.docs.render import QUESTION_LABEL, render
from tools.docs.schemas import DocumentDraft, DocumentKind, OutputFormat
from tools.docs.store import annex_iv_headings, draft_content, list_drafts, load_draft
from tools.inventory import current_knowledge

Run = Callable[..., Result]
CV_PROFILE = SAMPLES_DIR / "systems" / "cv-screener.yaml"
SYSTEM = "talentrank-cv-screener"
KINDS = [k.value for k in DocumentKind]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "docs-home"


@pytest.fixture
def db_url(request: pytest.FixtureRequest, home: Path) -> str:
    """SQLite in the home directory, unless a test asks for PostgreSQL (indirect parametrisation)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{home / 'govassist.db'}"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, home: Path, db_url: str) -> Run:
    return cli_runner(
        monkeypatch,
        home,
        DATABASE_URL=db_url,
        LOAD_BUILTIN_KNOWLEDGE="false",
        TIERING_STANDARD=str(SAMPLE_TIERING_STANDARD),
        ACTOR="priya",
    )


@pytest.fixture
def db(home: Path, db_url: str) -> Iterator[Database]:
    database = Database.open(Settings(home=home, database_url=db_url))
    yield database
    database.close()


@pytest.fixture
def triaged(run: Run) -> None:
    """The sample CV screener triaged with its reviews filed; the fairness audit approved with conditions."""
    result = run("triage", "--input", str(CV_PROFILE), "--file-tasks")
    assert result.exit_code == 0, result.output
    tasks = json.loads(run("tasks", "list", "--json").stdout)
    fairness = next(t for t in tasks if t["owner_queue"] == "fairness")
    assert run("tasks", "update", str(fairness["id"]), "--status", "in_review").exit_code == 0
    decided = run(
        "tasks",
        "update",
        str(fairness["id"]),
        "--status",
        "approved",
        "--note",
        "Bias audit passed",
        "--condition",
        "Re-run the bias audit every six months",
    )
    assert decided.exit_code == 0, decided.output


@pytest.fixture
def with_sample_org(run: Run, triaged: None) -> None:
    """The sample organisation's policies (its model-card and system-card templates among them) and past
    reviews, indexed."""
    result = run("knowledge", "load-sample")
    assert result.exit_code == 0, result.output


def stored(db: Database) -> list[DocumentDraft]:
    with db.session() as session:
        drafts = [load_draft(session, r.id) for r in list_drafts(session, system_id=SYSTEM)]
    assert all(d is not None for d in drafts)
    return [d for d in drafts if d is not None]


def assert_every_section_sourced_or_asked(draft: DocumentDraft) -> None:
    """Every section is filled with sourced statements or asks the owner; nothing is left blank."""
    for section in draft.sections:
        if section.group:
            assert not section.statements and not section.questions
            continue
        assert section.statements or section.questions, section.heading
        for statement in section.statements:
            assert statement.sources, statement.text


# --- without templates: built-in sections ----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_without_templates_fills_with_sources_or_asks(
    run: Run, db: Database, triaged: None, kind: str
) -> None:
    result = run("docs", kind, SYSTEM)
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert markdown.startswith("# ")
    # Every bullet in a section is a sourced statement or a question for the owner.
    body = markdown.split("\n## ", 1)[1]
    for line in body.splitlines():
        if line.startswith("- "):
            assert "[source: " in line or line.startswith(f"- **{QUESTION_LABEL}**"), line
    [draft] = stored(db)
    assert draft.kind.value == kind and draft.template is None and draft.assessment_version == 1
    assert_every_section_sourced_or_asked(draft)
    assert "stored as draft #1 of assessment v1" in result.stderr


def test_system_card_without_template_states_tier_grounds_reviews_and_conditions(
    run: Run, db: Database, triaged: None
) -> None:
    markdown = run("docs", "system-card", "TalentRank CV screener").stdout
    headings = re.findall(r"^#{2,3} (.+)$", markdown, flags=re.M)
    assert headings[:4] == ["System overview", "Identification", "Purpose", "Users and affected people"]
    assert (
        "- EU AI Act tier: high, with obligations applying from 2027-12-02. [source: assessment v1]"
        in markdown
    )
    assert (
        "Annex III use case: Recruitment and selection. [source: eu-ai-act:annex-iii-4-a; assessment v1]"
        in (markdown)
    )
    assert re.search(
        r"Fairness audit: TalentRank CV screener: approved .*Bias audit passed\. \[source: task #\d+\]",
        markdown,
    )
    assert re.search(r"Re-run the bias audit every six months\. \[source: task #\d+\]", markdown)
    # Obligations carry the date they apply from and their provision.
    assert re.search(r"\(deployer, from 2027-12-02\)\. \[source: eu-ai-act:art-26-\d", markdown)
    # Components are not recorded anywhere: asked, not invented.
    components = markdown.split("## Components and suppliers", 1)[1].split("\n## ", 1)[0]
    assert "[source:" not in components and QUESTION_LABEL in components
    # No past reviews indexed: precedent is a question too.
    precedent = markdown.split("## Precedent: past reviews of similar systems", 1)[1].split("\n## ", 1)[0]
    assert "govassist found none" in precedent


# --- with the organisation's templates ------------------------------------------------------------------


def template_headings(name: str) -> list[str]:
    text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (.+)$", text, flags=re.M)
    return [h for h in headings if "Guidance" not in h]


@pytest.mark.parametrize(
    ("kind", "template"),
    [("system-card", "system-card-template.md"), ("model-card", "model-card-template.md")],
)
def test_cards_follow_the_organisations_template(
    run: Run, db: Database, with_sample_org: None, kind: str, template: str
) -> None:
    markdown = run("docs", kind, SYSTEM).stdout
    headings = re.findall(r"^#{2,3} (.+)$", markdown, flags=re.M)
    appendices = ["Precedent: past reviews of similar systems", "Open questions from triage"]
    assert headings == template_headings(template) + appendices
    [draft] = stored(db)
    assert draft.template is not None and draft.template.source_id == template.removesuffix(".md")
    assert_every_section_sourced_or_asked(draft)
    # Each templated section names the template section that asks for it.
    assert all(s.basis and s.basis.startswith(draft.template.source_id) for s in draft.sections[:-2])


def test_system_card_with_template_cites_precedent_and_asks_what_the_template_asks(
    run: Run, with_sample_org: None
) -> None:
    markdown = run("docs", "system-card", SYSTEM).stdout
    precedent = markdown.split("## Precedent: past reviews of similar systems", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"\[source: past-reviews:[a-z0-9-]+\]", precedent)
    components = markdown.split("### Components", 1)[1].split("\n##", 1)[0]
    # The template's table becomes a request naming its columns, without its example rows.
    assert "Fill in the table: Component, Type, Supplier, Model card (one row each)." in components
    assert "gradient boosted" not in components
    assert "Guidance for authors" not in markdown


# --- FRIA and technical documentation: the law's structure ---------------------------------------------


def test_fria_lists_article_27_elements_and_tech_doc_the_annex_iv_headings(run: Run, triaged: None) -> None:
    fria = run("docs", "fria", SYSTEM).stdout
    assert [h for h in re.findall(r"^### (.+)$", fria, flags=re.M)] == [e[0] for e in FRIA_ELEMENTS]
    assert "_Asked for by eu-ai-act:art-27-1_" in fria
    tech = run("docs", "tech-doc", SYSTEM).stdout
    expected = [h.title for h in annex_iv_headings(list(current_knowledge().packs))]
    assert len(expected) >= 20
    assert re.findall(r"^#{2,3} (.+)$", tech, flags=re.M)[: len(expected)] == expected
    oversight = tech.split("### Assessment of human oversight measures", 1)[1].split("\n#", 1)[0]
    assert "[source: eu-ai-act:art-26-2; assessment v1]" in oversight


# --- formats, storage, audit -------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[str] = []
        self.questions = 0
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"meta", "br"}:
            self.stack.append(tag)
        self._in_heading = tag in {"h1", "h2", "h3", "h4"}
        if tag == "li" and ("class", "question") in attrs:
            self.questions += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings.append(data)


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_html_and_docx_drafts_are_stored_with_the_assessment_and_audited(
    run: Run, db: Database, triaged: None, tmp_path: Path
) -> None:
    page, word = tmp_path / "card.html", tmp_path / "card.docx"
    assert (
        run(
            "docs", "system-card", SYSTEM, "--format", "html", "--output", str(page), "--user", "ana"
        ).exit_code
        == 0
    )
    assert run("docs", "system-card", SYSTEM, "--format", "docx", "--output", str(word)).exit_code == 0

    collector = _Collector()
    collector.feed(page.read_text(encoding="utf-8"))
    collector.close()
    assert collector.stack == []  # every element closed, in order
    assert collector.headings[0] == "System card: TalentRank CV screener"
    assert "Reviews and approval" in collector.headings and collector.questions > 0

    document = docx.Document(str(word))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert "Reviews and approval" in headings and "Identification" in headings
    texts = [p.text for p in document.paragraphs]
    assert any("[source: eu-ai-act:annex-iii-4-a; assessment v1]" in t for t in texts)
    assert any(t.startswith(QUESTION_LABEL) for t in texts)

    with db.session() as session:
        rows = list_drafts(session, system_id=SYSTEM)
        assert [(r.format.value, r.created_by, r.filename) for r in rows] == [
            ("html", "ana", f"{SYSTEM}-system-card-v1.html"),
            ("docx", "priya", f"{SYSTEM}-system-card-v1.docx"),
        ]
        assert draft_content(session, rows[1].id) == word.read_bytes()
        events = [e for e in list_events(session=session) if e.action == "document.drafted"]
    assert [(e.actor, e.subject, e.details["format"], e.details["draft_id"]) for e in events] == [
        ("ana", f"system:{SYSTEM}", "html", rows[0].id),
        ("priya", f"system:{SYSTEM}", "docx", rows[1].id),
    ]


def test_bad_input_gives_one_line_and_nonzero_exit(run: Run, triaged: None, tmp_path: Path) -> None:
    unknown = run("docs", "system-card", "no-such-system")
    assert unknown.exit_code == 1 and "no system 'no-such-system' in the inventory" in unknown.stderr
    no_file = run("docs", "model-card", SYSTEM, "--format", "docx")
    assert no_file.exit_code == 2 and "--output" in no_file.stderr
    unwritable = run("docs", "fria", SYSTEM, "--output", str(tmp_path / "missing" / "fria.md"))
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.stderr


def test_tier_policy_comes_only_from_the_standard_the_assessment_used(
    run: Run, triaged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown = run("docs", "system-card", SYSTEM).stdout
    reviews = markdown.split("## Reviews and approval", 1)[1].split("\n## ", 1)[0]
    assert (
        "- Approval authority for T1: AI Review Board, with the Chief Risk Officer's sign-off. "
        "[source: tiering-standard:tiering-standard]"
    ) in reviews
    assert "- Periodic review every 12 months. [source: tiering-standard:tiering-standard]" in reviews

    # Another standard in force now: its policy is not this assessment's, so the draft asks instead.
    monkeypatch.delenv("GOVASSIST_TIERING_STANDARD")
    markdown = run("docs", "system-card", SYSTEM).stdout
    reviews = markdown.split("## Reviews and approval", 1)[1].split("\n## ", 1)[0]
    assert "tiering-standard:" not in reviews
    assert f"**{QUESTION_LABEL}** Who is the approval authority for this tier?" in reviews


@pytest.mark.parametrize("kind", ["system-card", "tech-doc"])
def test_the_three_renderers_show_the_same_statements_and_questions(
    run: Run, db: Database, triaged: None, tmp_path: Path, kind: str
) -> None:
    assert run("docs", kind, SYSTEM).exit_code == 0
    [draft] = stored(db)
    statements = sum(len(s.statements) for s in draft.sections)
    assert statements > 0 and draft.open_questions > 0

    markdown = render(draft, OutputFormat.MARKDOWN).decode("utf-8")
    page = render(draft, OutputFormat.HTML).decode("utf-8")
    word = tmp_path / "draft.docx"
    word.write_bytes(render(draft, OutputFormat.DOCX))
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]

    assert markdown.count("[source: ") == statements
    assert markdown.count(f"**{QUESTION_LABEL}**") == draft.open_questions
    assert page.count('<li class="statement">') == statements
    assert page.count('<li class="question">') == draft.open_questions
    assert sum("[source: " in p for p in paragraphs) == statements
    assert sum(p.startswith(QUESTION_LABEL) for p in paragraphs) == draft.open_questions


def test_the_evidence_bundle_carries_the_stored_drafts_with_their_digests(
    run: Run, db: Database, triaged: None, tmp_path: Path
) -> None:
    word, bundle = tmp_path / "card.docx", tmp_path / "evidence.zip"
    assert run("docs", "system-card", SYSTEM, "--format", "docx", "--output", str(word)).exit_code == 0
    assert run("docs", "fria", SYSTEM).exit_code == 0
    assert run("systems", "export", SYSTEM, "--bundle", str(bundle)).exit_code == 0

    manifest = verify_bundle(bundle)
    with db.session() as session:
        drafts = list_drafts(session, system_id=SYSTEM)
    attached = {f.path: f.sha256 for f in manifest.files if f.path.startswith("attachments/")}
    assert (
        attached == {f"attachments/v1/{d.id}-{d.filename}": d.sha256 for d in drafts} and len(attached) == 2
    )
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"attachments/v1/{drafts[0].id}-{drafts[0].filename}") == word.read_bytes()
