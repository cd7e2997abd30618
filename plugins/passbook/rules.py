"""Completion rules, as pure functions of a course and an enrolment's records.

* A video, audio or document is done at 95 % viewed; below 5 % it counts as not
  started. Other viewed kinds (SCORM, link, offline session) are done when the
  player reports 100 %.
* A quiz is done once an attempt passed; a survey once feedback was given.
* A course completes when every counted leaf (the required ones) is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plugins.passbook.courses import VIEWED_KINDS, CourseView, LeafView

DONE_AT = 95
STARTED_AT = 5


@dataclass(frozen=True)
class EnrolmentState:
    """What the rules read: percent per resource, attempts per quiz resource."""

    percents: dict[str, int]
    attempts: dict[str, list[bool]]  # resource id -> passed flags, in order
    feedback_given: bool


def leaf_completed_at(kind: str) -> int:
    return DONE_AT if kind in VIEWED_KINDS else 100


def percent_completes(kind: str, percent: int) -> bool:
    return percent >= leaf_completed_at(kind)


def leaf_share(leaf: LeafView, state: EnrolmentState) -> float:
    """How much of one leaf is done, 0..1 (below 5 % counts as nothing)."""
    if leaf.kind == "QUIZ":
        return 1.0 if any(state.attempts.get(leaf.id, [])) else 0.0
    if leaf.kind == "SURVEY":
        return 1.0 if state.feedback_given else 0.0
    percent = state.percents.get(leaf.id, 0)
    if percent_completes(leaf.kind, percent):
        return 1.0
    return 0.0 if percent < STARTED_AT else percent / 100


def is_complete(course: CourseView, state: EnrolmentState) -> bool:
    if course.external:
        return False  # external courses complete only from the provider's hand-off
    return all(leaf_share(leaf, state) == 1.0 for leaf in course.counted_leaves)


def progress_percent(course: CourseView, state: EnrolmentState) -> int:
    leaves = course.counted_leaves
    if not leaves:
        return 0
    share = sum(leaf_share(leaf, state) for leaf in leaves) / len(leaves)
    return min(100, int(share * 100))


def has_started(state: EnrolmentState) -> bool:
    return (
        any(p >= STARTED_AT for p in state.percents.values())
        or any(state.attempts.values())
        or state.feedback_given
    )


def status_of(course: CourseView, state: EnrolmentState, completed: bool) -> str:
    if completed:
        return "COMPLETED"
    return "IN_PROGRESS" if has_started(state) else "NOT_STARTED"


def _quote(title: str) -> str:
    return f"'{title}'"


def attempts_left(leaf: LeafView, state: EnrolmentState) -> int | None:
    assert leaf.quiz is not None
    if leaf.quiz.max_attempts is None:
        return None
    return max(leaf.quiz.max_attempts - len(state.attempts.get(leaf.id, [])), 0)


def _missing_leaf(leaf: LeafView, state: EnrolmentState) -> str:
    if leaf.kind == "QUIZ":
        left = attempts_left(leaf, state) if leaf.quiz else None
        if left is None:
            return f"Pass the quiz {_quote(leaf.title)}"
        if left == 0:
            return (
                f"Pass the quiz {_quote(leaf.title)} (no attempts left: ask the course provider "
                "to allow another attempt)"
            )
        plural = "attempt" if left == 1 else "attempts"
        return f"Pass the quiz {_quote(leaf.title)} ({left} {plural} left)"
    if leaf.kind == "SURVEY":
        return "Give feedback"
    percent = state.percents.get(leaf.id, 0)
    so_far = f" ({percent}% so far)" if percent else ""
    verb = {
        "VIDEO": f"Watch the video {_quote(leaf.title)} to at least {DONE_AT}%",
        "AUDIO": f"Listen to {_quote(leaf.title)} to at least {DONE_AT}%",
        "DOCUMENT": f"Read {_quote(leaf.title)} to at least {DONE_AT}%",
        "OFFLINE_SESSION": f"Attend the offline session {_quote(leaf.title)}",
        "LINK": f"Open and finish {_quote(leaf.title)}",
        "SCORM": f"Finish the module {_quote(leaf.title)}",
    }.get(leaf.kind, f"Finish {_quote(leaf.title)}")
    return verb + so_far


def missing_for_completion(course: CourseView, state: EnrolmentState, completed: bool) -> list[str]:
    """What still stands between the learner and completion, in course order."""
    if completed:
        return []
    if course.external:
        where = f" ({course.external_url})" if course.external_url else ""
        return [
            f"Complete the course on {course.provider_name}'s platform{where}; it reports completion here"
        ]
    return [_missing_leaf(leaf, state) for leaf in course.counted_leaves if leaf_share(leaf, state) < 1.0]


def state_from(
    percents: Iterable[tuple[str, int]],
    attempts: Sequence[tuple[str, bool]],
    feedback_given: bool,
) -> EnrolmentState:
    by_resource: dict[str, list[bool]] = {}
    for resource_id, passed in attempts:
        by_resource.setdefault(resource_id, []).append(passed)
    return EnrolmentState(percents=dict(percents), attempts=by_resource, feedback_given=feedback_given)
