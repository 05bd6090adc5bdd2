"""Action, view and shortcut ids shared by the rendering (blocks, modals, home) and the handlers."""

from __future__ import annotations

# Buttons and selects in messages and the home tab.
FEEDBACK_HELPFUL = "govassist_feedback_helpful"
FEEDBACK_NOT_HELPFUL = "govassist_feedback_not_helpful"
ESCALATE = "govassist_escalate"
FILE_TASKS = "govassist_file_tasks"
TRIAGE_EDIT = "govassist_triage_edit"
TRIAGE_NEW = "govassist_triage_new"
DRAFT_SYSTEM_CARD = "govassist_draft_system_card"
TASK_START = "govassist_task_start"
TASK_DECIDE = "govassist_task_decide"
TASK_ASSIGN = "govassist_task_assign"
QUIZ_ANSWER = "govassist_quiz_answer"
QUIZ_START = "govassist_quiz_start"
QUIZ_NEXT = "govassist_quiz_next"

# Modals (view callback ids).
VIEW_TRIAGE = "govassist_triage_modal"
VIEW_FEEDBACK = "govassist_feedback_modal"
VIEW_DECIDE = "govassist_task_decision_modal"
VIEW_APPROVE = "govassist_approve_modal"
VIEW_QUIZ = "govassist_quiz_modal"

# Message shortcuts (callback ids; the manifest declares the same).
SHORTCUT_ASK = "govassist_ask_about_message"
SHORTCUT_APPROVE = "govassist_save_approved_answer"

# The reaction that saves a reply in an escalation thread as an approved answer.
APPROVE_REACTION = "white_check_mark"

SLASH_COMMAND = "/govassist"
