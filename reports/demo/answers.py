"""What trainees write on 附表2 and say on the phone, and where they work afterwards.

Drawn from a seeded generator and consistent with itself: item ratings sit around the overall rating (so no
form contradicts itself by accident), satisfaction on the phone follows the trainee's own form, a wage is
recorded only for someone in work, and nobody unemployed has an employer.
"""

import random
from datetime import date

from evaluations.items import CLASS_ITEM_FIELDS, TRAINEE_ITEM_FIELDS

RATINGS = ("excellent", "good", "fair", "poor")

# Weights of the overall rating (优, 良, 一般, 差) a class's trainees give, by how the class went.
PROFILES = {
    "good": (50, 40, 8, 2),
    "outstanding": (94, 6, 0, 0),
    "rectify": (40, 25, 35, 0),
    "investigate": (45, 15, 10, 30),
}
PROFILE_WEIGHTS = {"good": 50, "outstanding": 32, "rectify": 12, "investigate": 6}

SUGGESTIONS = {
    "excellent": ("老师讲得很细，希望以后多办这样的培训", "希望培训后能推荐就业岗位", "教材通俗易懂，很实用"),
    "good": ("希望多安排实操练习时间", "上课时间能不能避开农忙", "希望发一些复习资料"),
    "fair": ("实操设备不够用，几个人轮一台", "部分课程安排太紧，消化不了", "希望增加实操课时"),
    "poor": ("实际上课时间比通知的少", "实操课基本没有开展", "签到管理混乱，有人代签"),
}
PHONE_SUGGESTIONS = ("希望多推荐就业岗位", "希望有中级班可以继续学", "想了解创业担保贷款政策", "希望培训时间再长一些")

EMPLOYMENT_DESTINATIONS = ("employee", "self_employed", "flexible", "business", "unemployed")
# Weights of EMPLOYMENT_DESTINATIONS a few weeks after the class, by employment group (policy §4).
EMPLOYMENT_WEIGHTS = {
    "farmer_herder": (16, 8, 16, 0, 60),
    "urban_unemployed": (30, 8, 14, 0, 48),
    "student": (22, 2, 10, 0, 66),
    "entrepreneurship": (12, 20, 10, 9, 49),
}
EMPLOYERS = {
    "中式烹调师": ("兴安宾馆", "草原人家餐饮有限公司", "鸿福楼酒店"),
    "家政服务员": ("好帮手家政服务有限公司", "安心家政服务中心"),
    "养老护理员": ("社会福利院", "康乐养老服务中心", "夕阳红老年公寓"),
    "育婴员": ("贝贝母婴护理中心", "金摇篮月子会所"),
    "电工": ("恒通电力安装有限公司", "城投物业服务有限公司"),
    "焊工": ("宏业钢结构有限公司", "北方农牧机械制造有限公司"),
    "家畜繁殖员": ("草原牧业专业合作社", "犇牛肉牛养殖专业合作社"),
    "农作物植保员": ("丰收农机专业合作社", "绿野植保服务有限公司"),
    "电子商务师": ("乡村振兴电商服务中心", "草原优品电子商务有限公司"),
    "挖掘机驾驶员": ("路桥工程有限公司", "宏远建筑工程有限公司"),
    "美容师": ("丽人美容院", "靓点美容美发店"),
    "创办你的企业（SYB）": ("兴农商贸有限公司", "恒信物流有限公司"),
}
OWN_BUSINESS = {
    "中式烹调师": "自营快餐店", "家政服务员": "个人家政服务", "养老护理员": "居家护理服务", "育婴员": "上门育婴服务",
    "电工": "水电维修部", "焊工": "电焊加工部", "家畜繁殖员": "自家养殖场", "农作物植保员": "植保代防服务",
    "电子商务师": "自营网店", "挖掘机驾驶员": "自有挖掘机承揽土方", "美容师": "美容工作室", "创办你的企业（SYB）": "便利店",
}
FLEXIBLE_WORK = ("外卖配送", "季节性务工", "零工市场打零工", "网约车司机", "家政零活")
NEW_BUSINESSES = ("兴旺商贸有限公司", "金穗农机服务专业合作社", "草原红肉牛养殖专业合作社", "通达电子商务有限公司", "绿源农家乐")
# Monthly wage range in yuan of a job in the trade; flexible work and one's own shop vary around it.
TRADE_WAGES = {
    "电工": (4200, 6500), "焊工": (4500, 7000), "挖掘机驾驶员": (5000, 8000), "中式烹调师": (3500, 5200),
    "电子商务师": (2800, 4300), "美容师": (3000, 4500),
}
DEFAULT_WAGES = (2800, 4200)


def class_profile(rng: random.Random) -> str:
    return rng.choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]


def overall_rating(rng: random.Random, profile: str) -> str:
    return rng.choices(RATINGS, weights=PROFILES[profile])[0]


def _near(rng: random.Random, rating: str) -> str:
    """The rating itself, or one step either way: never two steps from it."""
    position = RATINGS.index(rating) + rng.choices((-1, 0, 1), weights=(2, 6, 2))[0]
    return RATINGS[min(max(position, 0), len(RATINGS) - 1)]


def trainee_answers(rng: random.Random, training_class, *, overall: str, signed_on: date,
                    attended_amount: int | None = None) -> dict:
    """A 附表2 as a trainee of the class fills it; ``attended_amount`` overrides the hours written."""
    answers = {name: _near(rng, overall) for name in TRAINEE_ITEM_FIELDS}
    class_days = (training_class.end_date - training_class.start_date).days + 1
    if attended_amount is not None:
        unit, amount = "hours", attended_amount
    elif rng.random() < 0.15:
        unit, amount = "days", class_days  # some count days, as the form allows
    else:
        unit, amount = "hours", training_class.class_hours - (6 if rng.random() < 0.08 else 0)  # missed a day
    answers.update(
        overall=overall,
        suggestions=rng.choice(SUGGESTIONS[overall]) if rng.random() < (0.25 if overall in ("excellent", "good") else 0.8) else "",
        completed_training=True,
        attended_from=training_class.start_date,
        attended_to=training_class.end_date,
        attended_amount=amount,
        attended_unit=unit,
        organiser_name=training_class.institution.name,
        occupation_name=training_class.occupation.name,
        is_confirmed=True,
        signed_on=signed_on,
    )
    return answers


def class_ratings(rng: random.Random, overall: str) -> dict:
    """附表1's ten items as one party rates them, around its overall rating."""
    return {name: _near(rng, overall) for name in CLASS_ITEM_FIELDS}


def employment_outcome(rng: random.Random, *, group: str, occupation_name: str, place: str, employed_bias: float) -> dict:
    """Where one trainee works after the class: destination, employer, wage and skill, agreeing with each other.

    ``group`` is the trainee's employment group or "entrepreneurship" for an entrepreneurship class;
    ``employed_bias`` scales the chance of being in work (how well the institution places its trainees)."""
    weights = [weight * employed_bias for weight in EMPLOYMENT_WEIGHTS[group][:4]] + [EMPLOYMENT_WEIGHTS[group][4]]
    destination = rng.choices(EMPLOYMENT_DESTINATIONS, weights=weights)[0]
    low, high = TRADE_WAGES.get(occupation_name, DEFAULT_WAGES)
    trade = occupation_name.split("（")[0]
    if destination == "employee":
        employer, wage = place + rng.choice(EMPLOYERS[occupation_name]), rng.randrange(low, high, 100)
    elif destination == "self_employed":
        employer, wage = f"个体经营（{OWN_BUSINESS[occupation_name]}）", rng.randrange(low - 500, high + 1000, 100)
    elif destination == "flexible":
        employer, wage = f"灵活就业（{rng.choice(FLEXIBLE_WORK)}）", rng.randrange(1800, 3300, 100)
    elif destination == "business":
        employer, wage = place + rng.choice(NEW_BUSINESSES), None  # an owner draws no wage
    else:
        employer, wage = "", None
    if destination == "unemployed":
        skill = rng.choice(("掌握了基本技能，正在找工作", "取得证书，暂未找到合适岗位", "在家照顾老人，暂未外出务工"))
    elif group == "entrepreneurship":
        skill = rng.choice(("取得创业培训合格证书", "学会了编制创业计划书", "了解了创业担保贷款政策"))
    else:
        skill = rng.choice((f"取得{trade}职业技能等级证书", f"掌握了{trade}基本操作，能独立上岗", "技能明显提升"))
    return {"destination": destination, "employer": employer, "monthly_wage": wage, "skill_improvement": skill}


def followup_answers(rng: random.Random, *, form_overall: str | None, outcome: dict) -> dict:
    """A completed call: satisfaction follows the trainee's own 附表2, employment is ``outcome``."""
    satisfaction = {
        "excellent": "excellent", "good": rng.choice(("excellent", "good")), "fair": "fair", "poor": "poor",
    }.get(form_overall, rng.choice(("excellent", "good")))
    return {
        "received_training": True,
        "completed_training": True,
        "satisfaction": satisfaction,
        "employment_status": outcome["destination"],
        "employer": outcome["employer"],
        "monthly_wage": outcome["monthly_wage"],
        "skill_improvement": outcome["skill_improvement"],
        "suggestions": rng.choice(PHONE_SUGGESTIONS) if rng.random() < 0.2 else "",
    }
