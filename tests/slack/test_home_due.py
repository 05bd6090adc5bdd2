"""The App Home shows the re-reviews due for the person's systems (assistant.reviews on SQLite and
PostgreSQL, rendered by integrations.slack.home)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from assistant.reviews import ReviewService
from core.clock import utc_now
from integrations.slack.home import home_view
from knowledge.factory import open_index
from knowledge.samples import SAMPLE_TIERING_STANDARD
from tests.tools import high_risk_result, profile
from tools import inventory, tasks
from tools.inventory import current_knowledge


@pytest.fixture
def reviews(make_settings: Any, database_url: str) -> Any:
    settings = make_settings(database_url=database_url, tiering_standard=SAMPLE_TIERING_STANDARD)
    index = open_index(settings)
    yield ReviewService(settings, index)
    index.db.close()


def test_the_home_lists_re_reviews_due_for_the_persons_systems_only(reviews: ReviewService) -> None:
    approved_at = utc_now() - timedelta(days=380)  # past the sample T2's 12-month cycle
    t2 = high_risk_result().model_copy(update={"internal_tier": "T2"})
    with reviews.db.session() as session:
        for name, actor in (("CV Screener", "ana"), ("Other system", "ben")):
            assessment = inventory.record_assessment(
                session=session,
                profile=profile(name),
                result=t2.model_copy(update={"system": t2.system.model_copy(update={"name": name})}),
                actor=actor,
                knowledge=current_knowledge(),
            )
            for task in tasks.file_review_tasks(
                session=session, assessment=assessment, today=approved_at.date()
            ):
                tasks.update_task_status(session=session, task_id=task.id, actor="lena", status="in_review")
                tasks.update_task_status(
                    session=session, task_id=task.id, actor="lena", status="approved", now=approved_at
                )
    summary = reviews.home(actors=["ana"])
    assert [(d.system_id, d.review_type, d.overdue) for d in summary.due] == [
        ("cv-screener", "legal", True),
        ("cv-screener", "privacy-dpia", True),
    ]
    text = json.dumps(home_view(summary))
    assert "Re-reviews due for your systems* (2)" in text and "overdue since" in text
    assert "Other system" not in text
