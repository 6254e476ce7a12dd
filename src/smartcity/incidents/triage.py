"""1669-style triage: the colour levels and a short guided question set that proposes one.

The questions are data, asked in order; the first answer that matches decides the level. The
operator may always choose another level (the proposal is advice, the choice is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Level = Literal["red", "yellow", "green", "white", "black"]
LEVELS: Final[tuple[str, ...]] = ("red", "yellow", "green", "white", "black")
LEVEL_LABELS: Final[dict[str, tuple[str, str]]] = {
    "red": ("วิกฤต", "Critical"),
    "yellow": ("เร่งด่วน", "Urgent"),
    "green": ("ไม่รุนแรง", "Non-severe"),
    "white": ("ไม่ฉุกเฉิน", "Non-emergency"),
    "black": ("บริการอื่น", "Other services"),
}


@dataclass(frozen=True)
class Question:
    """One yes/no question; ``level`` applies when the answer equals ``when``."""

    key: str
    th: str
    en: str
    when: bool
    level: Level


QUESTIONS: Final[tuple[Question, ...]] = (
    Question("medical", "เป็นเหตุเจ็บป่วยหรือบาดเจ็บหรือไม่", "Is anyone ill or injured?", False, "black"),
    Question("conscious", "ผู้ป่วยรู้สึกตัว ตอบสนองได้หรือไม่", "Is the patient conscious?", False, "red"),
    Question("breathing", "หายใจได้ปกติหรือไม่", "Is the patient breathing normally?", False, "red"),
    Question("bleeding", "มีเลือดออกมากหรือไม่", "Is there severe bleeding?", True, "red"),
    Question(
        "chest_or_stroke",
        "เจ็บแน่นหน้าอก หรือแขนขาอ่อนแรง พูดไม่ชัด",
        "Chest pain, or weak limbs and slurred speech?",
        True,
        "red",
    ),
    Question("walk", "เดินได้เองหรือไม่", "Can the patient walk unaided?", False, "yellow"),
    Question("pain", "ปวดมากหรือมีไข้สูงหรือไม่", "Severe pain or high fever?", True, "yellow"),
    Question("new_problem", "เป็นอาการที่เพิ่งเกิดขึ้นหรือไม่", "Did it start recently?", True, "green"),
)
DEFAULT_LEVEL: Final[Level] = "white"


def propose(answers: dict[str, bool]) -> Level:
    """The level the answers point to; unanswered questions are skipped."""
    for question in QUESTIONS:
        if question.key in answers and answers[question.key] is question.when:
            return question.level
    return DEFAULT_LEVEL


def unknown_keys(answers: dict[str, bool]) -> list[str]:
    """Answer keys that are not questions of the set."""
    known = {q.key for q in QUESTIONS}
    return sorted(k for k in answers if k not in known)
