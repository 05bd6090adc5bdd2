"""Ingest-time screening for instructions aimed at an AI (prompt injection planted in documents).

A passage that talks to the assistant instead of to people ("ignore previous instructions", "you are now
...", "respond only with ...", chat-template markers, an instruction hidden in an HTML comment) is held
back at ingest: it is neither embedded nor searchable, so it can reach no answer, no training question
and no agent tool. `govassist knowledge flagged` lists what was held back and `govassist knowledge
release CITATION_ID` lets an administrator index it after reading it (audit-logged).

The rules are deterministic patterns, each with a name the listing shows. They look for the shape of an
instruction to a machine, not for strong words: policies legitimately say "always", "never" and "must",
and talk about chatbots, assistants and system prompts; none of that is flagged on its own.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# Part of every ingested file's digest: bump when the rules change, so files are screened again once.
SCREENING_VERSION = "1"

# Who an injected instruction addresses: the assistant, in any of its names.
_AI = r"(?:ai|a\.i\.|assistants?|chat ?bots?|bots?|language models?|llms?|models?|agents?|govassist|gpt)"
# Where an imperative starts: the start of the text, of a line or sentence, after a colon or dash.
_START = r"(?:^|[.!?:;>\-–—]\s*|\n\s*|\bplease,?\s+|\bnow,?\s+|\bso\s+)"


class ScreeningRule(StrEnum):
    """Why a passage was held back."""

    IGNORE_INSTRUCTIONS = "ignore_instructions"  # "ignore / disregard / forget the previous instructions"
    ROLE_CHANGE = "role_change"  # "you are now ...", "pretend to be", "act as", developer mode
    PROMPT_MARKER = "prompt_marker"  # chat-template and system-prompt markers: <|system|>, [INST], ...
    ADDRESSED_TO_AI = "addressed_to_ai"  # "note for AI assistants", "if you are an AI", "assistant, you ..."
    OUTPUT_CONTROL = "output_control"  # "respond only with", "tell the user that", "say that X is exempt"
    CONCEALMENT = "concealment"  # "do not mention these instructions", "reveal your system prompt"
    HIDDEN_TEXT = "hidden_text"  # an instruction in an HTML comment or in invisibly styled text


_RULES: dict[ScreeningRule, list[re.Pattern[str]]] = {
    ScreeningRule.IGNORE_INSTRUCTIONS: [
        re.compile(
            _START + r"(?:ignore|disregard|forget)\b[^.\n]{0,50}?"
            r"\b(?:instructions?|prompts?|rules|guidelines|directions|guidance|directives|context|"
            r"programming|training)\b"
        ),
        re.compile(
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
            r"(?:previous|prior|above|earlier|preceding|foregoing)\b"
        ),
    ],
    ScreeningRule.ROLE_CHANGE: [
        re.compile(r"\byou are now\b"),
        re.compile(r"\bfrom now on,?\s+(?:you|your|answer|respond|reply|always)\b"),
        re.compile(r"\bpretend\s+(?:you are|that you are|you're)\b"),
        # "pretend to be" only as an imperative: a policy saying bots never pretend to be staff is fine.
        re.compile(_START + r"pretend\s+to\s+be\b"),
        re.compile(r"\brole-?play\s+as\b"),
        re.compile(
            r"\b(?:act|behave|respond)\s+as\s+(?:if\s+you\s+were|though\s+you\s+were|an?\s+(?:unrestricted|"
            r"unfiltered|different|evil|rogue)\b)"
        ),
        re.compile(r"\b(?:developer|debug|god|jailbreak|dan|unrestricted)\s+mode\b"),
        re.compile(r"\byour new (?:role|persona|instructions|task)\b"),
    ],
    ScreeningRule.PROMPT_MARKER: [
        re.compile(r"<\|(?:system|user|assistant|im_start|im_end|endoftext)\|?>"),
        re.compile(r"\[/?inst\]|<</?sys>>"),
        re.compile(r"</?(?:system|system_prompt|instructions?)>"),
        # Not a bare "System:" line: past-review records have a "System: <name>" field.
        re.compile(
            r"(?:^|\n)\s*(?:#{1,4}\s*(?:system|assistant)|system\s+(?:prompt|message)|assistant\s+message)\s*:"
        ),
        re.compile(r"\b(?:begin|start|end)\s+(?:of\s+)?(?:the\s+)?system\s+(?:prompt|message)\b"),
    ],
    ScreeningRule.ADDRESSED_TO_AI: [
        re.compile(
            r"\b(?:note|message|instructions?|reminder|attention)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
            r"(?:automated\s+|ai\s+)?" + _AI + r"\b"
        ),
        re.compile(r"\bif you are an?\s+(?:automated\s+|ai\s+)?" + _AI + r"\b"),
        re.compile(r"\b(?:dear|attention|hey|hello|hi),?\s+(?:any\s+|all\s+)?(?:automated\s+)?" + _AI),
        re.compile(
            r"\b" + _AI + r"\b[^.\n]{0,40}\b(?:reading|processing|summari[sz]ing|indexing|ingesting|"
            r"retrieving|that reads?|which reads?)\s+this\s+(?:page|document|text|note|file|message|passage|"
            r"section|policy)\b"
        ),
        re.compile(
            r"(?:^|[.!?]\s+|\n)\s*(?:ai|assistant|chatbot|model|govassist),\s+(?:you|please|now|always)\b"
        ),
        re.compile(
            r"\bwhen (?:you are |you're )?(?:answering|responding|replying|asked|anyone asks|someone asks|"
            r"users? asks?)\b[^.\n]{0,80}\b(?:you (?:must|should|will|shall)|always|only)\s+"
            r"(?:say|state|answer|reply|respond|tell|claim|classify|recommend)\b"
        ),
    ],
    ScreeningRule.OUTPUT_CONTROL: [
        re.compile(r"\b(?:respond|reply|answer|output)\s+only\s+(?:with|in|using)\b"),
        re.compile(r"\bonly\s+(?:respond|reply|answer|output)\s+(?:with|in|using)\b"),
        re.compile(_START + r"(?:tell|inform|assure|convince)\s+(?:the\s+|all\s+|any\s+)?users?\s+that\b"),
        re.compile(
            _START + r"(?:say|state|answer|claim|reply|respond)\s+(?:to\s+\w+\s+)?that\b[^.\n]{0,100}"
            r"\b(?:is|are)\s+(?:not required|not needed|optional|exempt|allowed|permitted|lawful|legal|"
            r"minimal[- ]risk|low[- ]risk|not high[- ]risk|no longer)"
        ),
        re.compile(
            r"\bclassify\s+(?:every|all|each|any)\b[^.\n]{0,60}\bas\s+(?:minimal|low|limited|not high|"
            r"out of scope)"
        ),
        re.compile(
            r"\b(?:leave out|omit|drop|remove|do not include)\s+(?:all\s+|any\s+)?(?:the\s+)?"
            r"(?:citations|references|sources)\b(?!\s+of\b)"
        ),
        re.compile(r"\bend (?:your|every|each) (?:reply|answer|response|message) with\b"),
        re.compile(r"\bstart (?:your|every|each) (?:reply|answer|response|message) with\b"),
    ],
    ScreeningRule.CONCEALMENT: [
        re.compile(
            r"\b(?:do not|don't|never)\s+(?:mention|reveal|disclose|tell|say|acknowledge)\b[^.\n]{0,40}"
            r"\b(?:these|this|the above|the following|my|your)\s+"
            r"(?:instructions?|note|message|prompt|rules)\b"
        ),
        re.compile(
            r"\b(?:reveal|print|show|repeat|output|leak|display|dump)\b[^.\n]{0,30}"
            r"\b(?:system prompt|your (?:instructions|prompt|rules|configuration)|hidden instructions|"
            r"initial prompt)\b"
        ),
        re.compile(
            r"\b(?:new|updated|additional|hidden|secret|real|true)\s+instructions?\s*(?::|for\s+(?:the\s+|any\s+)?"
            + _AI
            + r"\b)"
        ),
    ],
    ScreeningRule.HIDDEN_TEXT: [
        re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)"),
        re.compile(r"color\s*:\s*(?:#fff(?:fff)?|white)\b[^>]*>[^<]{0,300}\b(?:ai|assistant|model|llm)\b"),
    ],
}
# An HTML comment is invisible to people reading the rendered page; one that speaks about answers,
# assistants or instructions is meant for a machine.
_HTML_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_COMMENT_TARGET = re.compile(
    r"\b(?:you|assistants?|llms?|language models?|govassist|chat ?bots?|instructions?|ignore|disregard|"
    r"prompts?)\b"
)
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\u2062\u2063\u2064\ufeff]")
EXCERPT_CHARS = 160


class ScreeningFinding(BaseModel):
    """One rule that matched, with the text around the match."""

    model_config = ConfigDict(frozen=True)

    rule: ScreeningRule
    excerpt: str


def _excerpt(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - 40), min(len(text), end + EXCERPT_CHARS - 40)
    # Whole words at both ends: widen to the nearest whitespace (or the text's ends).
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    flat = " ".join(text[lo:hi].split())
    return ("…" if lo else "") + flat + ("…" if hi < len(text) else "")


def screen(text: str) -> list[ScreeningFinding]:
    """The rules `text` trips, at most one finding per rule, in rule order (empty: nothing aimed at an AI)."""
    # Zero-width characters split words so that no pattern sees them ("ign\u200bore"); on their own they
    # are common debris of PDF and web extraction, so they are removed, not flagged.
    text = _ZERO_WIDTH.sub("", text)
    lowered = text.lower()
    findings: list[ScreeningFinding] = []
    for rule, patterns in _RULES.items():
        for pattern in patterns:
            found = pattern.search(lowered)
            if found:
                excerpt = _excerpt(text, found.start(), found.end())
                findings.append(ScreeningFinding(rule=rule, excerpt=excerpt))
                break
    if not any(f.rule is ScreeningRule.HIDDEN_TEXT for f in findings):
        for comment in _HTML_COMMENT.finditer(lowered):
            if _COMMENT_TARGET.search(comment.group(1)):
                findings.append(
                    ScreeningFinding(
                        rule=ScreeningRule.HIDDEN_TEXT, excerpt=_excerpt(text, comment.start(), comment.end())
                    )
                )
                break
    return findings


def passage_hash(text: str) -> str:
    """A fingerprint of a passage's text (whitespace-insensitive): a release holds for this text only, so
    an edited passage is screened again."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
