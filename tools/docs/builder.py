"""Filling a review document's sections from the profile, the assessment, the review tasks and precedent.

Each section is tied to a topic; a topic's filler writes only what a recorded fact supports, with its
source, and turns the rest into questions for the owner. An organisation's template supplies the
sections (its headings mapped to topics by their words); without one, built-in sections are used. The
FRIA follows Article 27(1)'s elements and the technical documentation Annex IV's points, as the
eu-ai-act pack records them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tools.docs.schemas import (
    DocumentDraft,
    DocumentKind,
    DraftInputs,
    DraftSection,
    SourceKind,
    SourceRef,
    Statement,
    TemplateRef,
)
from tools.tasks import TaskPublic, TaskStatus
from tools.triage.catalogue import use_case
from tools.triage.schemas import EuTier

TITLES: dict[DocumentKind, str] = {
    DocumentKind.SYSTEM_CARD: "System card",
    DocumentKind.MODEL_CARD: "Model card",
    DocumentKind.FRIA: "Fundamental rights impact assessment",
    DocumentKind.TECH_DOC: "Technical documentation",
}

# Obligations whose citation starts with one of these are about human oversight.
OVERSIGHT_CITATIONS = ("eu-ai-act:art-14", "eu-ai-act:art-26-2")
# Grounds that say why the use is risky (a listed use or product, a prohibited practice), not scope steps.
RISK_GROUNDS = ("eu-ai-act:annex-iii", "eu-ai-act:annex-i", "eu-ai-act:art-5")
DECIDED = {TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.CHANGES_REQUESTED}


class Topic(StrEnum):
    """What a section is about, and so which facts can fill it."""

    IDENTIFICATION = "identification"
    PURPOSE = "purpose"
    AFFECTED = "affected"
    EU_CLASSIFICATION = "eu_classification"
    OTHER_REGIMES = "other_regimes"
    INTERNAL_TIER = "internal_tier"
    OBLIGATIONS = "obligations"
    DATA = "data"
    MODEL_TYPE = "model_type"
    OVERSIGHT = "oversight"
    TRANSPARENCY = "transparency"
    RISKS = "risks"
    FAIRNESS = "fairness"
    REVIEWS = "reviews"
    FRIA_REQUIRED = "fria_required"
    PRECEDENT = "precedent"
    OPEN_QUESTIONS = "open_questions"
    OWNER_ONLY = "owner_only"  # nothing govassist records answers it


@dataclass
class Filled:
    """What a filler could write, and what it could not."""

    statements: list[Statement] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SectionSpec:
    """A section to draft: heading, level, topic, and the question to ask when nothing fills it."""

    heading: str
    level: int
    topic: Topic | None  # None: a heading that groups the sections below it
    question: str = ""
    basis: str | None = None


# --- built-in sections ---------------------------------------------------------------------------------


def _spec(heading: str, level: int, topic: Topic | None, question: str = "") -> SectionSpec:
    return SectionSpec(heading, level, topic, question)


BUILT_IN: dict[DocumentKind, tuple[SectionSpec, ...]] = {
    DocumentKind.SYSTEM_CARD: (
        _spec("System overview", 2, None),
        _spec(
            "Identification", 3, Topic.IDENTIFICATION, "Who is the accountable owner, and what is the status?"
        ),
        _spec("Purpose", 3, Topic.PURPOSE, "What is the system's intended purpose?"),
        _spec("Users and affected people", 3, Topic.AFFECTED, "Who uses it and who is affected?"),
        _spec("Classification", 2, None),
        _spec("EU AI Act", 3, Topic.EU_CLASSIFICATION),
        _spec("Other regimes", 3, Topic.OTHER_REGIMES),
        _spec("Internal tier", 3, Topic.INTERNAL_TIER),
        _spec("Obligations", 3, Topic.OBLIGATIONS),
        _spec(
            "Components and suppliers", 2, Topic.OWNER_ONLY, "Which models and suppliers make up the system?"
        ),
        _spec("Data", 2, Topic.DATA, "Which data does it use, from where, kept for how long?"),
        _spec("Human oversight", 2, Topic.OVERSIGHT, "Where does a person review, override or stop it?"),
        _spec("Transparency", 2, Topic.TRANSPARENCY, "What are people told, and where?"),
        _spec("Risks and controls", 2, Topic.RISKS, "Which risks to people were found, and which controls?"),
        _spec(
            "Monitoring and incidents", 2, Topic.OWNER_ONLY, "What is monitored, by whom, with which alerts?"
        ),
        _spec("Reviews and approval", 2, Topic.REVIEWS, "Which reviews were done and what did they decide?"),
    ),
    DocumentKind.MODEL_CARD: (
        _spec("Model details", 2, None),
        _spec("Identification", 3, Topic.IDENTIFICATION, "Which model, which version, built by whom?"),
        _spec("Model type", 3, Topic.MODEL_TYPE, "Which algorithm family and base model, if any?"),
        _spec("Intended use", 2, None),
        _spec("Primary use", 3, Topic.PURPOSE, "Which decision or task does the model support?"),
        _spec(
            "Out-of-scope uses",
            3,
            Topic.OWNER_ONLY,
            "Which uses was the model not designed or validated for?",
        ),
        _spec("Affected people", 3, Topic.AFFECTED, "Who are the outputs about, and where?"),
        _spec("Training data", 2, Topic.DATA, "Which datasets, from which period, on which lawful basis?"),
        _spec("Evaluation", 2, Topic.OWNER_ONLY, "Which metrics, thresholds and results?"),
        _spec("Subgroup and fairness results", 2, Topic.FAIRNESS, "What do results by group show?"),
        _spec("Limitations and risks", 2, Topic.RISKS, "Where does the model fail, and what happens then?"),
        _spec(
            "Monitoring", 2, Topic.OWNER_ONLY, "What is watched in production, and what triggers retraining?"
        ),
        _spec("Approvals", 2, Topic.REVIEWS, "Who signed off, when, with which report?"),
    ),
}

# The elements of Article 27(1), points (a) to (f), in our words, and the topic that can fill each.
FRIA_ELEMENTS: tuple[tuple[str, Topic, str], ...] = (
    (
        "(a) The deployer's processes that use the system",
        Topic.PURPOSE,
        "In which of our processes is the system used, in line with its intended purpose?",
    ),
    (
        "(b) Period and frequency of use",
        Topic.OWNER_ONLY,
        "For how long, and how often, will the system be used?",
    ),
    (
        "(c) People and groups likely to be affected",
        Topic.AFFECTED,
        "Which categories of people and groups are likely to be affected in this use?",
    ),
    (
        "(d) Specific risks of harm",
        Topic.RISKS,
        "Which specific risks of harm to those people, taking the provider's instructions into account?",
    ),
    (
        "(e) Human oversight",
        Topic.OVERSIGHT,
        "How is human oversight implemented, following the instructions for use?",
    ),
    (
        "(f) Measures if the risks materialise",
        Topic.REVIEWS,
        "Which measures follow if a risk materialises: internal governance and complaint handling?",
    ),
)

# Annex IV points govassist's records can partly fill; every other point is a question for the owner.
ANNEX_IV_TOPICS: dict[str, Topic] = {
    "eu-ai-act:annex-iv-1-a": Topic.PURPOSE,
    "eu-ai-act:annex-iv-2-d": Topic.DATA,
    "eu-ai-act:annex-iv-2-e": Topic.OVERSIGHT,
    "eu-ai-act:annex-iv-5": Topic.RISKS,
}

# Template headings -> topics, by the words of the heading (first match wins).
TEMPLATE_TOPICS: tuple[tuple[str, Topic], ...] = (
    (r"identification", Topic.IDENTIFICATION),
    (r"model-type", Topic.MODEL_TYPE),
    (r"purpose|primary-use", Topic.PURPOSE),
    (r"affected", Topic.AFFECTED),
    (r"eu-ai-act", Topic.EU_CLASSIFICATION),
    (r"other-regimes", Topic.OTHER_REGIMES),
    (r"internal-tier", Topic.INTERNAL_TIER),
    (r"obligations", Topic.OBLIGATIONS),
    (r"data-flows|sources-and-period|training-data", Topic.DATA),
    (r"oversight-design|human-oversight", Topic.OVERSIGHT),
    (r"transparency", Topic.TRANSPARENCY),
    (r"fairness|subgroup", Topic.FAIRNESS),
    (r"risks|limitations", Topic.RISKS),
    (r"reviews|approval", Topic.REVIEWS),
)
# Template sections that advise authors rather than ask for content.
SKIPPED_HEADINGS = re.compile(r"guidance", re.IGNORECASE)


def topic_for_heading(heading: str) -> Topic:
    """The topic a template heading asks about (OWNER_ONLY when govassist records nothing for it)."""
    slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    for pattern, topic in TEMPLATE_TOPICS:
        if re.search(pattern, slug):
            return topic
    return Topic.OWNER_ONLY


def section_specs(kind: DocumentKind, inputs: DraftInputs) -> list[SectionSpec]:
    """The sections of this document: the template's where one applies, else the built-in ones; the FRIA's
    and the technical documentation's come from the law's structure."""
    if kind is DocumentKind.FRIA:
        fria = [
            SectionSpec("Whether a FRIA is required", 2, Topic.FRIA_REQUIRED, basis="eu-ai-act:art-27"),
            SectionSpec("Elements of the assessment", 2, None, basis=inputs.fria_basis),
        ]
        return fria + [SectionSpec(h, 3, t, q, basis=inputs.fria_basis) for h, t, q in FRIA_ELEMENTS]
    if kind is DocumentKind.TECH_DOC:
        if not inputs.annex_iv:
            raise ValueError("the eu-ai-act pack's Annex IV records are missing: cannot lay out the headings")
        parents = {h.citation.rsplit("-", 1)[0] for h in inputs.annex_iv}
        return [
            SectionSpec(
                h.title,
                h.level,
                None if h.citation in parents else ANNEX_IV_TOPICS.get(h.citation, Topic.OWNER_ONLY),
                f"What does the documentation say for '{h.title}'?",
                basis=h.citation,
            )
            for h in inputs.annex_iv
        ]
    template = inputs.template
    if template is None:
        return list(BUILT_IN[kind])
    specs: list[SectionSpec] = []
    skipping_below: int | None = None
    for section in template.sections:
        if skipping_below is not None and section.level > skipping_below:
            continue
        skipping_below = None
        if SKIPPED_HEADINGS.search(section.heading):
            skipping_below = section.level
            continue
        topic = None if section.has_children else topic_for_heading(section.heading)
        specs.append(
            SectionSpec(
                section.heading, section.level, topic, _as_question(section.guidance), section.citation
            )
        )
    return specs


def _as_question(guidance: str) -> str:
    """A template's instruction for authors, as a request to the owner: its italics dropped, and a table
    to fill in named by its columns rather than copied with its example rows."""
    prose: list[str] = []
    columns: list[str] = []
    for line in guidance.splitlines():
        if line.lstrip().startswith("|"):
            if not columns:
                columns = [c.strip() for c in line.strip().strip("|").split("|") if c.strip()]
            continue
        prose.append(line.strip())
    text = " ".join(" ".join(prose).split())
    if columns:
        table = "Fill in the table: " + ", ".join(columns) + " (one row each)."
        text = f"{text} {table}".strip()
    return re.sub(r"[*_]", "", text)[:600]


# --- facts -------------------------------------------------------------------------------------------


class Facts:
    """The recorded facts of one draft, each fact able to name its source."""

    def __init__(self, inputs: DraftInputs) -> None:
        self.inputs = inputs
        self.assessment = inputs.assessment
        self.profile = inputs.assessment.profile
        self.result = inputs.assessment.result
        self.here = SourceRef(
            kind=SourceKind.ASSESSMENT, ref=f"{inputs.assessment.system_id}@v{inputs.assessment.version}"
        )
        self.tasks = inputs.tasks

    def said(self, text: str, *extra: SourceRef) -> Statement:
        """A statement resting on the assessment (and any extra sources)."""
        return Statement(text=text, sources=[*extra, self.here])

    @staticmethod
    def cite(citation: str) -> SourceRef:
        return SourceRef(kind=SourceKind.CITATION, ref=citation)

    @staticmethod
    def task(task_id: int) -> SourceRef:
        return SourceRef(kind=SourceKind.TASK, ref=str(task_id))


def _yes_no(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def fill_identification(f: Facts) -> Filled:
    system, a = f.inputs.system, f.assessment
    out = Filled()
    out.statements.append(f.said(f"System name and inventory id: {system.name} ({system.id})."))
    if system.owner:
        out.statements.append(f.said(f"Owner recorded in the inventory: {system.owner}."))
    out.statements.append(
        f.said(
            f"Assessment version {a.version}, recorded on {a.created_at.date().isoformat()} "
            f"by {a.created_by}, on knowledge as of {a.knowledge_as_of.isoformat()}."
        )
    )
    out.questions.append(
        "Which business line and team run it, and what is its status (pilot, live, retiring)?"
    )
    return out


def fill_purpose(f: Facts) -> Filled:
    out = Filled(statements=[f.said(f"Described purpose: {' '.join(f.profile.description.split())}")])
    for code in f.profile.use_cases:
        entry = use_case(code)
        extra = [f.cite(entry.citation)] if entry.citation else []
        out.statements.append(f.said(f"Declared use case '{code}': {entry.description}", *extra))
    return out


def fill_affected(f: Facts) -> Filled:
    p = f.profile
    out = Filled()
    if p.jurisdictions:
        out.statements.append(f.said(f"Used in: {', '.join(p.jurisdictions)}."))
    for text in (
        _yes_no(p.profiling, "It profiles natural persons.", "It does not profile natural persons."),
        _yes_no(p.personal_data, "It processes personal data.", "It processes no personal data."),
        _yes_no(
            p.interacts_with_people,
            "It interacts directly with people.",
            "It does not interact directly with people.",
        ),
    ):
        if text:
            out.statements.append(f.said(text))
    out.questions.append("How many people are affected each year, and which groups among them?")
    return out


def fill_eu_classification(f: Facts) -> Filled:
    finding, p = f.result.eu_ai_act, f.profile
    out = Filled()
    out.statements.append(f.said(f"Our role: {p.role.value.replace('_', ' ')}."))
    tier = f"EU AI Act tier: {finding.tier.value}"
    if finding.applies_from:
        tier += f", with obligations applying from {finding.applies_from.isoformat()}"
    out.statements.append(f.said(tier + "."))
    out.statements += [f.said(g.reason, f.cite(g.citation)) for g in finding.grounds]
    if finding.derogation_applied:
        out.statements.append(
            f.said("The Article 6(3) derogation was claimed and applied.", f.cite("eu-ai-act:art-6-3"))
        )
    out.statements += [f.said(f"Transparency: {g.reason}", f.cite(g.citation)) for g in finding.transparency]
    if finding.gpai:
        kind = "with" if finding.gpai.systemic_risk else "without"
        out.statements += [
            f.said(f"General-purpose AI ({kind} systemic risk): {g.reason}", f.cite(g.citation))
            for g in finding.gpai.grounds
        ]
    return out


def fill_other_regimes(f: Facts) -> Filled:
    out = Filled()
    for regime in f.result.other_regimes:
        if not regime.applies:
            continue
        for g in regime.grounds:
            out.statements.append(f.said(f"{regime.regime} applies: {g.reason}", f.cite(g.citation)))
    if not out.statements:
        out.statements.append(f.said("Triage found no other regime that applies."))
    out.questions.append("Where is the evidence for each regime that applies (DPIA, bias audit, notices)?")
    return out


def fill_internal_tier(f: Facts) -> Filled:
    out = Filled(statements=[f.said(f"Internal tier: {f.result.internal_tier}.")])
    policy = f.inputs.tier_policy
    if policy:
        standard = f.cite(policy.citation)
        out.statements.append(
            Statement(text=f"{policy.tier_id} is '{policy.tier_name}'.", sources=[standard])
        )
        out.statements.append(
            Statement(
                text=f"Approval authority: {policy.approval_authority.rstrip('.')}.", sources=[standard]
            )
        )
    return out


def fill_obligations(f: Facts) -> Filled:
    out = Filled()
    for o in f.result.obligations:
        when = f", from {o.applies_from.isoformat()}" if o.applies_from else ""
        out.statements.append(f.said(f"{o.title.rstrip('.')} ({o.owner}{when}).", f.cite(o.citation)))
    return out


def fill_data(f: Facts) -> Filled:
    p = f.profile
    out = Filled()
    for text in (
        _yes_no(p.personal_data, "Personal data is processed.", "No personal data is processed."),
        _yes_no(p.profiling, "Natural persons are profiled.", "Natural persons are not profiled."),
    ):
        if text:
            out.statements.append(f.said(text))
    out.questions.append(
        "Which datasets and inputs, from which sources and period, kept for how long, on which lawful basis?"
    )
    return out


def fill_model_type(f: Facts) -> Filled:
    out = Filled()
    gpai = f.result.eu_ai_act.gpai
    if f.profile.gpai_model is not None:
        out.statements.append(
            f.said(
                "It is, or provides, a general-purpose AI model."
                if f.profile.gpai_model
                else "It is not a general-purpose AI model."
            )
        )
    if gpai:
        out.statements += [f.said(g.reason, f.cite(g.citation)) for g in gpai.grounds]
    if f.profile.training_compute_flops is not None:
        out.statements.append(f.said(f"Training compute: {f.profile.training_compute_flops:.3g} FLOP."))
    out.questions.append("Which algorithm family, libraries and base model (with its provider and version)?")
    return out


def fill_oversight(f: Facts) -> Filled:
    out = Filled()
    decided = _yes_no(
        f.profile.automated_decisions,
        "Its outputs decide about people without a meaningful human review.",
        "A person reviews its outputs before they decide about anyone.",
    )
    if decided:
        out.statements.append(f.said(decided))
    for o in f.result.obligations:
        if o.citation.startswith(OVERSIGHT_CITATIONS):
            out.statements.append(
                f.said(f"Obligation: {o.title.rstrip('.')} ({o.owner}).", f.cite(o.citation))
            )
    out.questions.append(
        "Who oversees it, with which authority and training, and which cases always go to a person?"
    )
    return out


def fill_transparency(f: Facts) -> Filled:
    finding = f.result.eu_ai_act
    out = Filled(statements=[f.said(g.reason, f.cite(g.citation)) for g in finding.transparency])
    if not out.statements:
        out.statements.append(f.said("Triage found no Article 50 transparency duty for this system."))
    out.questions.append("What exactly are people told, and where does the notice appear?")
    return out


def _conditions(f: Facts) -> list[Statement]:
    return [
        Statement(text=f"Condition of '{t.title}': {c.rstrip('.')}.", sources=[f.task(t.id)])
        for t in f.tasks
        for c in t.conditions
    ]


def fill_risks(f: Facts) -> Filled:
    out = Filled(statements=_conditions(f))
    if f.result.eu_ai_act.tier in (EuTier.HIGH, EuTier.PROHIBITED):
        out.statements += [
            f.said(f"Risk basis: {g.reason}", f.cite(g.citation))
            for g in f.result.eu_ai_act.grounds
            if g.citation.startswith(RISK_GROUNDS)
        ]
    out.statements += [
        Statement(text=f"A similar system was reviewed before: {p.title}.", sources=[f.cite(p.citation)])
        for p in f.inputs.precedents
    ]
    out.questions.append(
        "Which risks to people were identified, how likely and severe, and which controls address them?"
    )
    return out


def fill_fairness(f: Facts) -> Filled:
    out = Filled()
    for t in f.tasks:
        if "fair" in t.review_type or "bias" in t.review_type:
            out.statements.append(Statement(text=_task_line(t), sources=[f.task(t.id)]))
    out.questions.append(
        "Which results by group were measured, which gaps were found, and how were they mitigated?"
    )
    return out


def _task_line(t: TaskPublic) -> str:
    line = (
        f"{t.title}: {t.status.value.replace('_', ' ')} (queue {t.owner_queue}, due {t.due_date.isoformat()}"
    )
    line += f", assigned to {t.assignee})" if t.assignee else ")"
    if t.resolution_note and t.status in DECIDED:
        line += f"; decision: {t.resolution_note}"
    return line + "."


def fill_reviews(f: Facts) -> Filled:
    out = Filled()
    out.statements += [Statement(text=_task_line(t), sources=[f.task(t.id)]) for t in f.tasks]
    out.statements += _conditions(f)
    filed = {t.review_type for t in f.tasks}
    for r in f.result.required_reviews:
        if r.id not in filed:
            out.statements.append(
                f.said(
                    f"Required and not filed yet: {r.name} ({r.owner_queue} queue, within {r.due_days} days)."
                )
            )
    if not f.tasks and not f.result.required_reviews:
        out.statements.append(f.said("The internal tier requires no review."))
    policy = f.inputs.tier_policy
    if policy:
        standard = f.cite(policy.citation)
        out.statements.append(
            Statement(
                text=f"Approval authority for {policy.tier_id}: {policy.approval_authority.rstrip('.')}.",
                sources=[standard],
            )
        )
        if policy.evidence:
            evidence = "; ".join(e.rstrip(".") for e in policy.evidence)
            out.statements.append(
                Statement(text=f"Evidence required for approval: {evidence}.", sources=[standard])
            )
        cycle = (
            f"Periodic review every {policy.review_cycle_months} months."
            if policy.review_cycle_months
            else "No periodic review cycle: review again on change."
        )
        out.statements.append(Statement(text=cycle, sources=[standard]))
    else:
        out.questions.append("Who is the approval authority for this tier?")
    if any(t.status not in DECIDED for t in f.tasks) or not f.tasks:
        out.questions.append("When will the open reviews be decided, and with which evidence?")
    return out


def fill_fria_required(f: Facts) -> Filled:
    fria = [o for o in f.result.obligations if o.citation.startswith("eu-ai-act:art-27")]
    out = Filled()
    if fria:
        out.statements += [
            f.said(f"Triage lists this duty: {o.title.rstrip('.')} ({o.owner}).", f.cite(o.citation))
            for o in fria
        ]
    else:
        out.statements.append(
            f.said(
                "Triage lists no Article 27 duty for this system "
                f"(EU tier {f.result.eu_ai_act.tier.value}, role {f.profile.role.value}); "
                "this draft is voluntary."
            )
        )
    if f.profile.public_body_or_public_service is None:
        out.questions.append("Is the deployer a public body or a private entity providing public services?")
    return out


def fill_precedent(f: Facts) -> Filled:
    return Filled(
        statements=[Statement(text=p.title, sources=[f.cite(p.citation)]) for p in f.inputs.precedents],
        questions=[]
        if f.inputs.precedents
        else ["Has a similar system been reviewed before? govassist found none."],
    )


def fill_open_questions(f: Facts) -> Filled:
    out = Filled(questions=[m.question for m in f.result.missing_information])
    if not out.questions:
        out.statements.append(f.said("Triage had every fact it needed to decide the tier."))
    return out


def fill_owner_only(f: Facts) -> Filled:
    return Filled()


FILLERS: dict[Topic, Callable[[Facts], Filled]] = {
    Topic.IDENTIFICATION: fill_identification,
    Topic.PURPOSE: fill_purpose,
    Topic.AFFECTED: fill_affected,
    Topic.EU_CLASSIFICATION: fill_eu_classification,
    Topic.OTHER_REGIMES: fill_other_regimes,
    Topic.INTERNAL_TIER: fill_internal_tier,
    Topic.OBLIGATIONS: fill_obligations,
    Topic.DATA: fill_data,
    Topic.MODEL_TYPE: fill_model_type,
    Topic.OVERSIGHT: fill_oversight,
    Topic.TRANSPARENCY: fill_transparency,
    Topic.RISKS: fill_risks,
    Topic.FAIRNESS: fill_fairness,
    Topic.REVIEWS: fill_reviews,
    Topic.FRIA_REQUIRED: fill_fria_required,
    Topic.PRECEDENT: fill_precedent,
    Topic.OPEN_QUESTIONS: fill_open_questions,
    Topic.OWNER_ONLY: fill_owner_only,
}

# Every document ends with these, whatever its template.
APPENDICES: tuple[SectionSpec, ...] = (
    SectionSpec("Precedent: past reviews of similar systems", 2, Topic.PRECEDENT),
    SectionSpec("Open questions from triage", 2, Topic.OPEN_QUESTIONS),
)


def build_draft(kind: DocumentKind, inputs: DraftInputs, *, actor: str, now: datetime) -> DocumentDraft:
    """The draft of `kind` for the system in `inputs`: every section filled with sourced statements, or
    asking the owner what govassist does not know. ValueError when the document cannot be laid out."""
    facts = Facts(inputs)
    sections: list[DraftSection] = []
    for spec in [*section_specs(kind, inputs), *APPENDICES]:
        if spec.topic is None:
            sections.append(
                DraftSection(heading=spec.heading, level=spec.level, group=True, basis=spec.basis)
            )
            continue
        filled = FILLERS[spec.topic](facts)
        questions = list(filled.questions)
        if not filled.statements and spec.question:
            questions.insert(0, spec.question)
        if not filled.statements and not questions:
            questions.append(f"What belongs under '{spec.heading}'?")
        sections.append(
            DraftSection(
                heading=spec.heading,
                level=spec.level,
                basis=spec.basis,
                statements=filled.statements,
                questions=list(dict.fromkeys(questions)),
            )
        )
    template = inputs.template if kind in BUILT_IN else None
    return DocumentDraft(
        kind=kind,
        title=f"{TITLES[kind]}: {inputs.system.name}",
        system_id=inputs.system.id,
        system_name=inputs.system.name,
        assessment_id=inputs.assessment.id,
        assessment_version=inputs.assessment.version,
        generated_at=now,
        generated_by=actor,
        template=TemplateRef(source_id=template.source_id, title=template.title) if template else None,
        knowledge_as_of=inputs.assessment.knowledge_as_of.isoformat(),
        sections=sections,
    )
