"""The Slack test setup: the real bolt app served over HTTP on loopback, the real agent over real
storage (SQLite, Chroma, built-in packs, hashing embedder), and a local fake of Slack's Web API.

The knowledge is indexed once per session into a template home, which each test copies, so every test
has its own database and index without paying for indexing again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.slack.fake_slack_api import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack
from tests.slack.harness import SIGNING_SECRET, SlackSender

# People and places of the fake workspace.
ANA = "UANA0001"  # in the 'legal' group by configuration
BEN = "UBEN0001"  # no groups
LEO = "ULEO0001"  # in 'legal' through the Slack user group @legal-team
RAI = "URAI0001"  # in the RAI team through the Slack user group @rai-team
PAM = "UPAM0001"  # a product manager
PUBLIC = "CPUB0001"
PRIVATE_LEGAL = "CLEG0001"  # private: Ana and Leo, both legal
PRIVATE_MIXED = "CMIX0001"  # private: Ana (legal) and Ben (not)
SHARED = "CEXT0001"  # shared with another organisation
RAI_CHANNEL = "CRAI0001"
DM_ANA = "DANA0001"
DM_BEN = "DBEN0001"
DM_LEO = "DLEO0001"
DM_PAM = "DPAM0001"

# The restricted and internal documents the tests look for.
RESTRICTED_CITATION = "heron-contract:retention"
INTERNAL_CITATION = "chat-policy:labelling"
# Calibrated for the hashing embedder: nonsense scores below it, real questions above. 0.3 let the
# nonsense question through once the frontier-AI packs arrived (words hashed into the same buckets).
ABSTAIN_BELOW = 0.35


def build_workspace(fake: FakeSlack) -> None:
    """Users, channels and user groups of the fake workspace."""
    for user, name in (
        (ANA, "Ana Legal"),
        (BEN, "Ben Sales"),
        (LEO, "Leo Counsel"),
        (RAI, "Rita RAI"),
        (PAM, "Pam Product"),
    ):
        fake.add_user(user, name, email=f"{name.split()[0].lower()}@example.com")
    fake.add_channel(PUBLIC, "general", members=[ANA, BEN, LEO, RAI, PAM, BOT_USER])
    fake.add_channel(PRIVATE_LEGAL, "legal-private", private=True, members=[ANA, LEO, BOT_USER])
    fake.add_channel(PRIVATE_MIXED, "deal-room", private=True, members=[ANA, BEN, BOT_USER])
    fake.add_channel(SHARED, "partner-shared", ext_shared=True, members=[ANA, BOT_USER])
    fake.add_channel(RAI_CHANNEL, "rai-escalations", private=True, members=[RAI, BOT_USER])
    for dm, user in ((DM_ANA, ANA), (DM_BEN, BEN), (DM_LEO, LEO), (DM_PAM, PAM)):
        fake.add_channel(dm, f"dm-{user}", im_user=user)
    fake.add_usergroup("S0LEGAL1", "legal-team", [LEO])
    fake.add_usergroup("S0RAI001", "rai-team", [RAI])
    fake.add_usergroup("S0OTHER1", "marketing", [BEN])


def slack_settings(make_settings: Any, home: Path, fake: FakeSlack, **overrides: Any) -> Any:
    """Settings for a test: the copied home, the packs, Slack pointed at the fake."""
    values: dict[str, Any] = {
        "home": home,
        "load_builtin_knowledge": True,
        "abstain_below": ABSTAIN_BELOW,
        "slack_bot_token": BOT_TOKEN,
        "slack_app_token": APP_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "slack_escalation_channel": RAI_CHANNEL,
        "slack_groups": {ANA: ["legal"], "S0LEGAL1": ["legal"]},
        "slack_rai_team": ["@rai-team"],
        "slack_rate_limit": 1000,
    }
    values.update(overrides)
    return make_settings(**values)


def _documents() -> list[tuple[Any, str, list[str]]]:
    from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel

    restricted = ParsedDocument(
        source_id="heron-contract",
        title="Heron vendor contract",
        kind=DocumentKind.POLICY,
        sections=[
            Section(
                citation_id=RESTRICTED_CITATION,
                locator="Retention",
                title="Heron vendor contract: retention of applicant CVs",
                level=SectionLevel.HEADING,
                text="The Heron vendor keeps applicant CVs for ninety days after the hiring decision and "
                "then deletes them; the Heron vendor contract forbids training Heron models on their CVs.",
            )
        ],
    )
    internal = ParsedDocument(
        source_id="chat-policy",
        title="Generative AI acceptable use policy",
        kind=DocumentKind.POLICY,
        sections=[
            Section(
                citation_id=INTERNAL_CITATION,
                locator="Labelling",
                title="Labelling generated marketing copy",
                level=SectionLevel.HEADING,
                text="Marketing copy drafted with generative AI is labelled in the internal wiki by the "
                "marketing team lead before the marketing copy is published.",
            )
        ],
    )
    return [(restricted, "restricted", ["legal"]), (internal, "internal", [])]


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the built-in packs and the test documents indexed (hashing embedder), built once."""
    from assistant.agent.agent import Agent
    from core.config import Settings
    from knowledge.access import Visibility

    home = tmp_path_factory.mktemp("slack-template") / "home"
    agent = Agent.open(Settings(home=home, embedder="hashing", load_builtin_knowledge=True))
    try:
        for document, visibility, groups in _documents():
            agent.assistant.index.ingest(
                document,
                key=f"test/{document.source_id}",
                digest=document.source_id,
                origin="file",
                visibility=Visibility(visibility),
                groups=groups,
            )
    finally:
        agent.close()
    return home


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Web API with the test workspace."""
    fake = FakeSlack()
    build_workspace(fake)
    fake.start()
    yield fake
    fake.stop()


@dataclass
class SlackRig:
    """Everything a Slack test touches."""

    fake: FakeSlack
    send: SlackSender
    app: Any  # integrations.slack.app.SlackApp
    agent: Any  # assistant.agent.agent.Agent
    settings: Any
    url: str

    @property
    def db(self) -> Any:
        return self.app.services.reviews.db


def start_rig(make_settings: Any, home: Path, fake: FakeSlack, **overrides: Any) -> tuple[SlackRig, Any]:
    """The app over a copy of the template home, served on a free loopback port."""
    from assistant.agent.agent import Agent
    from integrations.slack.app import create_app
    from integrations.slack.server import serve_http_in_background

    settings = slack_settings(make_settings, home, fake, **overrides)
    agent = Agent.open(settings)
    app = create_app(settings, agent)
    server, _thread = serve_http_in_background(app, host="127.0.0.1", port=0)
    url = f"http://127.0.0.1:{server.server_port}"
    return SlackRig(
        fake=fake, send=SlackSender(url, fake), app=app, agent=agent, settings=settings, url=url
    ), server


def stop_rig(rig: SlackRig, server: Any) -> None:
    rig.send.close()
    server.shutdown()
    server.server_close()
    rig.app.close()
    rig.agent.close()


@pytest.fixture
def rig_home(template_home: Path, tmp_path: Path) -> Path:
    """A private copy of the template home."""
    home = tmp_path / "slack-home"
    shutil.copytree(template_home, home)
    return home


@pytest.fixture
def rig(make_settings: Any, rig_home: Path, fake_slack: FakeSlack) -> Iterator[SlackRig]:
    """The running Slack app (HTTP mode) with the fake Web API."""
    slack, server = start_rig(make_settings, rig_home, fake_slack)
    yield slack
    stop_rig(slack, server)
