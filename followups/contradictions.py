"""Follow-up answers that say the trainee did not attend or did not complete the class (policy §5). Pure.

Said against a valid 附表2 on which the trainee declared the class completed, it is a contradiction shown to
the county and a fraud signal (policy §8.4). Without such a 附表2 it is still a follow-up finding the county
should see: a trainee on the roster who says he or she never attended is news either way.
"""

from dataclasses import dataclass

@dataclass(frozen=True)
class CallAnswers:
    received_training: bool | None  # 是否参加了此次培训
    completed_training: bool | None  # 是否完成了此次培训; None when not asked (did not attend, or an older call)


def _denial(answers: CallAnswers) -> str | None:
    if answers.received_training is False:
        return "未参加此次培训"
    if answers.completed_training is False:
        return "未完成此次培训"
    return None


def contradicts_form2(answers: CallAnswers, form2_completed: bool | None) -> bool:
    """The answers deny attending or completing while the valid 附表2 says the class was completed."""
    return form2_completed is True and _denial(answers) is not None


def followup_problems(answers: CallAnswers, form2_completed: bool | None) -> list[str]:
    """The problems of one completed call, in Chinese; empty when the answers raise none.

    ``form2_completed`` is "本人是否完成此次培训" of the trainee's valid 附表2, None when there is no valid 附表2.
    """
    denial = _denial(answers)
    if denial is None:
        return []
    if contradicts_form2(answers, form2_completed):
        return [f"回访中表示{denial}，附表2却填写“已完成此次培训”"]
    if form2_completed is False:
        return [f"回访中表示{denial}（附表2亦填写未完成）"]
    return [f"回访中表示{denial}（无有效附表2可比对）"]
