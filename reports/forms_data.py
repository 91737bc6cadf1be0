"""What the official forms print: plain rows built from the records, so the templates only lay them out."""

from dataclasses import dataclass, field

from classes.models import Enrollment, TrainingClass
from evaluations.items import CLASS_ITEM_FIELDS, CLASS_ITEMS, TRAINEE_ITEM_FIELDS, TRAINEE_ITEMS
from evaluations.models import ClassAssessment, ClassReview, Rating, RectificationNotice, TraineeEvaluation

RATING_ORDER = [(value, label) for value, label in Rating.choices]


@dataclass
class RatedItem:
    label: str
    chosen: str  # a Rating value, or "" on a blank form

    @property
    def boxes(self) -> str:
        """"☑优　□良　□一般　□差": one text run (fewer boxes for WeasyPrint to lay out on a 50-page class).
        Noto CJK lacks ☑, so the font stack falls back to DejaVu for that glyph alone."""
        return "　".join(f"{'☑' if value == self.chosen else '□'}{label}" for value, label in RATING_ORDER)


def _rated(labels, names, record) -> list[RatedItem]:
    return [
        RatedItem(f"{number}、{label}", getattr(record, name) if record else "")
        for number, (label, name) in enumerate(zip(labels, names), 1)
    ]


@dataclass
class Form1:
    training_class: TrainingClass | None
    own_items: list[RatedItem]
    own: ClassAssessment | None
    county_items: list[RatedItem]
    county: ClassAssessment | None
    review: ClassReview | None

    @property
    def sections(self) -> list[tuple]:
        """(section title, ten items, overall, assessment) for the self-evaluation and the county's."""
        return [
            ("职业技能培训<br>承训机构<br>自评情况", self.own_items, RatedItem("综合评价", self.own.overall if self.own else ""), self.own),
            ("旗县市人力资<br>源社会保障<br>部门评价情况", self.county_items,
             RatedItem("综合评价", self.county.overall if self.county else ""), self.county),
        ]


def form1_for(training_class: TrainingClass | None) -> Form1:
    review = ClassReview.objects.filter(training_class=training_class).first() if training_class else None
    parties = {item.party: item for item in ClassAssessment.objects.filter(review=review)} if review else {}
    own = parties.get(ClassAssessment.Party.INSTITUTION)
    county = parties.get(ClassAssessment.Party.COUNTY)
    return Form1(
        training_class=training_class,
        own_items=_rated(CLASS_ITEMS, CLASS_ITEM_FIELDS, own),
        own=own,
        county_items=_rated(CLASS_ITEMS, CLASS_ITEM_FIELDS, county),
        county=county,
        review=review,
    )


@dataclass
class Form2:
    name: str = ""
    gender: str = ""
    phone: str = ""
    id_number: str = ""
    items: list[RatedItem] = field(default_factory=list)
    overall: RatedItem = field(default_factory=lambda: RatedItem("综合评价情况", ""))
    evaluation: TraineeEvaluation | None = None


FULL, MASKED, BLANK = "full", "masked", "blank"


def form2_for(evaluation: TraineeEvaluation | None, *, enrollment: Enrollment | None = None, numbers: str) -> Form2:
    """One 附表2. ``numbers``: FULL prints the whole ID and phone (roles whose review needs them), MASKED
    masks them, BLANK leaves them for the trainee to write on paper."""
    enrollment = evaluation.enrollment if evaluation else enrollment
    trainee = enrollment.trainee if enrollment else None
    # The phone is the one this class's roster gave (issue #8 item 9).
    if trainee is None or numbers == BLANK:
        phone, id_number = "", ""
    elif numbers == FULL:
        phone, id_number = enrollment.phone, trainee.id_number
    else:
        phone, id_number = enrollment.masked_phone, trainee.masked_id_number
    return Form2(
        name=trainee.name if trainee else "",
        gender=trainee.get_gender_display() if trainee else "",
        phone=phone,
        id_number=id_number,
        items=_rated(TRAINEE_ITEMS, TRAINEE_ITEM_FIELDS, evaluation),
        overall=RatedItem("综合评价情况", evaluation.overall if evaluation else ""),
        evaluation=evaluation,
    )


@dataclass
class NoticeDocument:
    """整改通知书 as printed: the notice as issued, its class, and its texts split into paragraphs."""

    notice: RectificationNotice
    training_class: TrainingClass
    problems: list[str]
    requirements: list[str]
    # 抄送: the league center reviews the class's records (S1 二) and follows the rectification (S2 八).
    copy_to: str = "兴安盟人力资源和就业服务中心"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def notice_document_for(notice: RectificationNotice) -> NoticeDocument:
    return NoticeDocument(
        notice=notice,
        training_class=notice.training_class,
        problems=_paragraphs(notice.problems),
        requirements=_paragraphs(notice.requirements),
    )
