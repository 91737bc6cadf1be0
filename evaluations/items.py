"""The items of the official forms (seed 000, 附表1 and 附表2), with the typos policy §9 fixes."""

FORM_1_TITLE = "兴安盟职业技能培训绩效评价表"
FORM_2_TITLE = "兴安盟职业技能培训学员绩效评价和诚信登记表"

# 附表1: the same ten items for the institution's self-evaluation and the county's evaluation.
CLASS_ITEMS = (
    "职业技能培训阳光政策宣传贯彻执行情况",
    "培训、实操场地等硬件设施配备情况",
    "培训教材、教具发放情况",
    "教学大纲、教学计划执行落实情况",
    "培训课时设置和落实情况",
    "培训过程的组织管理情况",
    "培训学员登记、协议资料建立情况",
    "师资配备和培训教师授课质量情况",
    "培训后学员技能提升效果",
    "培训后学员就业率",
)

# 附表2 items 1–8; item 2 reads "培训、实操续航滴等设备情况" in the scan (policy §9).
TRAINEE_ITEMS = (
    "职业技能培训相关政策宣传贯彻执行情况",
    "培训、实操场地等设备情况",
    "培训教材、教具发放情况",
    "教学大纲、教学计划执行落实情况",
    "培训课时设置和落实情况",
    "培训过程的组织管理情况",
    "师资配备和培训教师授课质量情况",
    "此次培训对本人职业技能提升效果",
)

CLASS_ITEM_FIELDS = tuple(f"item_{number}" for number in range(1, len(CLASS_ITEMS) + 1))
TRAINEE_ITEM_FIELDS = tuple(f"item_{number}" for number in range(1, len(TRAINEE_ITEMS) + 1))
# Everything a trainee answers on 附表2, in the form's order.
TRAINEE_ANSWER_FIELDS = (
    *TRAINEE_ITEM_FIELDS,
    "suggestions",
    "overall",
    "completed_training",
    "attended_from",
    "attended_to",
    "attended_amount",
    "attended_unit",
    "organiser_name",
    "occupation_name",
    "is_confirmed",
    "signed_on",
)

DATA_NOTICE = (
    "本表依据《兴安盟职业技能培训质量监督和绩效评价工作实施方案》（兴人社办发〔2021〕55号）收集，"
    "用于核实您参加培训的情况和评价培训质量，作为培训补贴审核的依据。"
    "您的身份证号仅用于核对花名册，不会公开。请如实填写：不如实填报的，将取消培训补贴资格。"
)
