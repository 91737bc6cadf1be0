"""Policy §8.1: the training demand catalogue (league keeps it, public reads what is current) and the workers'
training wishes (public form; counties see demand and tell registrants). Refusals and scoping role by role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from classes.models import Occupation, Region, TraineeCategory, TrainingClass
from conftest import approve_opening, make_class, make_user
from supervision import demand
from supervision.demand_selectors import (
    catalogue_entries_visible_to,
    training_wishes_visible_to,
)
from supervision.models import DemandCatalogueEntry, TrainingWish
from supervision.throttle import personal_key
from xingan_training.errors import ServiceError

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def make_entry(league, occupation, creator, *, valid_from=None, valid_to=None, is_urgent=False, training_type=None):
    return DemandCatalogueEntry.objects.create(
        league=league, occupation=occupation, training_type=training_type or occupation.training_type,
        subsidy_per_person=occupation.subsidy_per_person, is_urgent=is_urgent,
        valid_from=valid_from or TODAY - timedelta(days=30), valid_to=valid_to or TODAY + timedelta(days=300),
        created_by=creator,
    )


@pytest.fixture
def welder(db):
    return Occupation.objects.create(
        code="6-18-02-04", name="焊工", level="4", training_type="job_skills_upgrade", subsidy_per_person=Decimal("2000"),
        is_urgent=True,
    )


@pytest.fixture
def entry(league_region, occupation, league_user):
    return make_entry(league_region, occupation, league_user)


@pytest.fixture
def urgent_entry(league_region, welder, league_user):
    return make_entry(league_region, welder, league_user, is_urgent=True)


@pytest.fixture
def category(reference_data):
    return TraineeCategory.objects.get(code="rural_migrant")


def make_wish(entry, county, *, name="张三", phone="13912345678", category=None, created_at=None):
    wish = TrainingWish.objects.create(
        name=name, phone=phone, category=category or TraineeCategory.objects.get(code="rural_migrant"),
        catalogue_entry=entry, occupation=entry.occupation, county=county, consented_at=timezone.now(),
    )
    if created_at is not None:
        TrainingWish.objects.filter(pk=wish.pk).update(created_at=created_at)
    return wish


@pytest.fixture
def wish(entry, county):
    return make_wish(entry, county, name="巴特尔", phone="13912345678")


@pytest.fixture
def other_wish(entry, other_county):
    return make_wish(entry, other_county, name="乌云其木格", phone="15847001234")


@pytest.fixture
def upcoming_class(institution, occupation):
    upcoming = make_class(institution, occupation, batch_number="XA152201-2026-201", start_date=TODAY + timedelta(days=10))
    approve_opening(upcoming)
    return upcoming


def entry_form(chosen, **changes):
    data = {
        "occupation": chosen.pk, "training_type": "employment_skills", "subsidy_per_person": "1600",
        "is_urgent": "on", "valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=200)).isoformat(),
    }
    data.update(changes)
    return data


# The catalogue, staff side ------------------------------------------------------------------------------


class TestCatalogueMaintenance:
    def test_league_staff_publish_an_entry_and_the_history_names_them(self, login, league_user, occupation):
        response = login(league_user).post(reverse("supervision:catalogue_create"), entry_form(occupation))
        created = DemandCatalogueEntry.objects.get()
        assert response.url == reverse("supervision:catalogue_detail", args=[created.pk])
        assert created.league == league_user.region and created.is_urgent
        assert created.history.get().history_user == league_user
        page = login(league_user).get(response.url).content.decode()
        assert "养老护理员" in page and "发布" in page and "修改" in page

    def test_an_edit_is_kept_in_the_history_with_old_and_new_values(self, login, league_user, entry, occupation):
        client = login(league_user)
        client.post(reverse("supervision:catalogue_edit", args=[entry.pk]), entry_form(
            occupation, valid_from=entry.valid_from.isoformat(), valid_to=entry.valid_to.isoformat(), subsidy_per_person="1800",
        ))
        entry.refresh_from_db()
        assert entry.subsidy_per_person == Decimal("1800")
        page = client.get(reverse("supervision:catalogue_detail", args=[entry.pk])).content.decode()
        assert "补贴标准（元/人）：1600.00 → 1800.00" in page

    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user"])
    def test_county_and_institution_read_the_list_and_get_404_on_every_write(self, request, login, role_fixture, entry, occupation):
        client = login(request.getfixturevalue(role_fixture))
        page = client.get(reverse("supervision:catalogue_list")).content.decode()
        assert "养老护理员" in page and "发布目录条目" not in page and "只供查阅" in page
        detail = client.get(reverse("supervision:catalogue_detail", args=[entry.pk])).content.decode()
        assert "养老护理员" in detail and "提前终止" not in detail
        assert client.get(reverse("supervision:catalogue_create")).status_code == 404
        assert client.post(reverse("supervision:catalogue_create"), entry_form(occupation)).status_code == 404
        assert client.post(reverse("supervision:catalogue_edit", args=[entry.pk]), entry_form(occupation)).status_code == 404
        response = client.post(reverse("supervision:catalogue_end", args=[entry.pk]), {"last_day": TODAY.isoformat(), "reason": "x"})
        assert response.status_code == 404
        entry.refresh_from_db()
        assert entry.ended_at is None and DemandCatalogueEntry.objects.count() == 1

    def test_staff_of_another_league_see_nothing_of_this_league(self, login, entry):
        other_league = Region.objects.create(code="150700", name="呼伦贝尔市", level="league", parent=Region.objects.get(code="150000"))
        outsider = make_user("hulunbuir", role=Role.LEAGUE, region=other_league)
        client = login(outsider)
        assert "养老护理员" not in client.get(reverse("supervision:catalogue_list")).content.decode()
        assert client.get(reverse("supervision:catalogue_detail", args=[entry.pk])).status_code == 404
        assert client.get(reverse("supervision:catalogue_edit", args=[entry.pk])).status_code == 404
        with pytest.raises(ServiceError, match="不存在或无权"):
            demand.catalogue_entry_end(actor=outsider, entry=entry, last_day=TODAY, reason="x")

    def test_anonymous_visitors_are_sent_to_login_for_staff_pages(self, client, entry):
        response = client.get(reverse("supervision:catalogue_list"))
        assert response.status_code == 302 and reverse("accounts:login") in response.url

    def test_the_list_searches_filters_and_pages(self, login, league_user, league_region, entry, urgent_entry):
        client = login(league_user)
        page = client.get(reverse("supervision:catalogue_list"), {"q": "焊"}).content.decode()
        assert "焊工" in page and "养老护理员" not in page
        page = client.get(reverse("supervision:catalogue_list"), {"urgent": "yes"}).content.decode()
        assert "焊工" in page and "养老护理员" not in page
        page = client.get(reverse("supervision:catalogue_list"), {"q": "岗位技能"}).content.decode()
        assert "焊工" in page and "养老护理员" not in page
        for number in range(30):
            occupation = Occupation.objects.create(code=f"9-99-{number:02d}", name=f"测试工种{number:02d}", level="5",
                                                   training_type="employment_skills", subsidy_per_person=1000)
            make_entry(league_region, occupation, league_user)
        first = client.get(reverse("supervision:catalogue_list")).content.decode()
        assert "第 1 / 2 页，共 32 条" in first
        second = client.get(reverse("supervision:catalogue_list"), {"page": 2}).content.decode()
        assert "第 2 / 2 页" in second

    @pytest.mark.parametrize("params", [{"state": "bogus"}, {"training_type": "\x01"}, {"q": "x" * 51}])
    def test_a_nonsense_filter_is_a_chinese_message_not_an_error(self, login, league_user, entry, params):
        response = login(league_user).get(reverse("supervision:catalogue_list"), params)
        assert response.status_code == 200
        assert "筛选条件无效" in response.content.decode()

    @pytest.mark.parametrize(("changes", "message"), [
        ({"occupation": "999999"}, "所选内容不在可选范围内"),
        ({"training_type": "bogus"}, "所选内容不在可选范围内"),
        ({"subsidy_per_person": "-1"}, "确保该值大于或等于0"),
        ({"valid_to": "2100-01-01"}, "日期不能晚于2099年12月31日"),
        ({"valid_from": (TODAY + timedelta(days=10)).isoformat(), "valid_to": TODAY.isoformat()}, "有效期止不能早于有效期起"),
        ({"valid_from": "2020-01-01", "valid_to": "2020-12-31"}, "有效期止不能早于今天"),
    ])
    def test_invalid_input_gives_a_chinese_form_error(self, login, league_user, occupation, changes, message):
        response = login(league_user).post(reverse("supervision:catalogue_create"), entry_form(occupation, **changes))
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not DemandCatalogueEntry.objects.exists()


class TestCatalogueServices:
    def test_only_league_staff_publish(self, county_user, institution_user, occupation):
        for actor in (county_user, institution_user):
            with pytest.raises(ServiceError, match="只有盟级人社部门"):
                demand.catalogue_entry_create(
                    actor=actor, occupation=occupation, training_type="employment_skills", subsidy_per_person=Decimal("1"),
                    is_urgent=False, valid_from=TODAY, valid_to=TODAY,
                )

    def test_an_overlapping_period_for_the_same_occupation_and_type_is_refused(self, league_user, entry, occupation):
        with pytest.raises(ServiceError, match="有效期不能重叠"):
            demand.catalogue_entry_create(
                actor=league_user, occupation=occupation, training_type=entry.training_type, subsidy_per_person=Decimal("1"),
                is_urgent=False, valid_from=entry.valid_to, valid_to=entry.valid_to + timedelta(days=30),
            )
        adjacent = demand.catalogue_entry_create(
            actor=league_user, occupation=occupation, training_type=entry.training_type, subsidy_per_person=Decimal("1"),
            is_urgent=False, valid_from=entry.valid_to + timedelta(days=1), valid_to=entry.valid_to + timedelta(days=30),
        )
        assert adjacent.pk

    def test_an_expired_entry_cannot_be_edited_or_ended(self, league_user, league_region, occupation):
        expired = make_entry(league_region, occupation, league_user, valid_from=TODAY - timedelta(days=400), valid_to=TODAY - timedelta(days=1))
        with pytest.raises(ServiceError, match="已过期"):
            demand.catalogue_entry_update(actor=league_user, entry=expired, is_urgent=True)
        with pytest.raises(ServiceError, match="已过期"):
            demand.catalogue_entry_end(actor=league_user, entry=expired, last_day=TODAY, reason="调整")

    def test_a_started_entry_keeps_its_first_day(self, league_user, entry):
        with pytest.raises(ServiceError, match="有效期起不能修改"):
            demand.catalogue_entry_update(actor=league_user, entry=entry, valid_from=TODAY)

    def test_ending_sets_the_last_day_and_is_refused_twice(self, league_user, entry):
        yesterday = TODAY - timedelta(days=1)
        with pytest.raises(ServiceError, match="终止原因"):
            demand.catalogue_entry_end(actor=league_user, entry=entry, last_day=yesterday, reason="  ")
        with pytest.raises(ServiceError, match="不能早于昨天"):
            demand.catalogue_entry_end(actor=league_user, entry=entry, last_day=TODAY - timedelta(days=2), reason="调整")
        with pytest.raises(ServiceError, match="应早于原有效期止"):
            demand.catalogue_entry_end(actor=league_user, entry=entry, last_day=entry.valid_to, reason="调整")
        ended = demand.catalogue_entry_end(actor=league_user, entry=entry, last_day=yesterday, reason="企业需求已满足")
        assert ended.valid_to == yesterday and ended.ended_by == league_user
        assert ended.history.first().history_user == league_user
        with pytest.raises(ServiceError, match="已终止"):
            demand.catalogue_entry_end(actor=league_user, entry=entry, last_day=yesterday, reason="再次")
        with pytest.raises(ServiceError, match="已终止"):
            demand.catalogue_entry_update(actor=league_user, entry=entry, is_urgent=True)

    def test_an_ended_entry_leaves_the_public_page_the_next_day(self, client, login, league_user, entry):
        assert "养老护理员" in client.get(reverse("supervision_public:catalogue")).content.decode()
        response = login(league_user).post(
            reverse("supervision:catalogue_end", args=[entry.pk]),
            {"last_day": (TODAY - timedelta(days=1)).isoformat(), "reason": "需求已满足"},
        )
        assert response.status_code == 302
        client.logout()
        assert "养老护理员" not in client.get(reverse("supervision_public:catalogue")).content.decode()

    def test_scoping_of_entries_role_by_role(self, entry, league_user, county_user, institution_user, superuser, client):
        for user in (league_user, county_user, institution_user, superuser):
            assert list(catalogue_entries_visible_to(user)) == [entry], user
        from django.contrib.auth.models import AnonymousUser

        assert not catalogue_entries_visible_to(AnonymousUser()).exists()


# The catalogue, public side ----------------------------------------------------------------------------


class TestPublicCatalogue:
    def test_anyone_sees_todays_entries_urgent_first_without_staff_navigation(self, client, league_region, league_user, entry, urgent_entry):
        past = Occupation.objects.create(code="4-10-03-01", name="美容师", level="5", training_type="employment_skills", subsidy_per_person=1200)
        future = Occupation.objects.create(code="4-10-01-06", name="家政服务员", level="5", training_type="employment_skills", subsidy_per_person=1200)
        make_entry(league_region, past, league_user, valid_from=TODAY - timedelta(days=60), valid_to=TODAY - timedelta(days=1))
        make_entry(league_region, future, league_user, valid_from=TODAY + timedelta(days=1), valid_to=TODAY + timedelta(days=60))
        response = client.get(reverse("supervision_public:catalogue"))
        page = response.content.decode()
        assert response.status_code == 200
        assert page.index("焊工") < page.index("养老护理员")  # urgent first
        assert "急需紧缺" in page and "2000 元/人" in page and "1600 元/人" in page
        assert "美容师" not in page and "家政服务员" not in page
        assert "<script" not in page and "退出" not in page and "师资库" not in page and "navbar" not in page
        assert len(response.content) < 12_000
        assert "no-store" not in response.get("Cache-Control", "")

    def test_the_last_valid_day_is_still_listed(self, client, league_region, league_user, occupation):
        make_entry(league_region, occupation, league_user, valid_from=TODAY - timedelta(days=10), valid_to=TODAY)
        assert "养老护理员" in client.get(reverse("supervision_public:catalogue")).content.decode()

    def test_search_by_occupation_and_by_training_type(self, client, entry, urgent_entry):
        page = client.get(reverse("supervision_public:catalogue"), {"q": "焊工"}).content.decode()
        assert "焊工" in page and "养老护理员" not in page
        page = client.get(reverse("supervision_public:catalogue"), {"q": "就业技能"}).content.decode()
        assert "养老护理员" in page and "焊工" not in page
        page = client.get(reverse("supervision_public:catalogue"), {"q": "木匠"}).content.decode()
        assert "没有找到与“木匠”有关的培训项目" in page

    @pytest.mark.parametrize("query", ["电\x01工", "x" * 500, "'; drop table", "<script>alert(1)</script>"])
    def test_odd_searches_are_answered_not_crashed(self, client, entry, query):
        response = client.get(reverse("supervision_public:catalogue"), {"q": query, "page": "abc"})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()

    def test_a_post_is_not_allowed(self, client, entry):
        assert client.post(reverse("supervision_public:catalogue")).status_code == 405


# 我要参加培训 --------------------------------------------------------------------------------------------


def wish_post(entry, county, category, /, **changes):
    data = {
        "name": "巴特尔", "phone": "+86 139 1234 5678", "category": category.pk, "catalogue_entry": entry.pk,
        "county": county.pk, "note": "希望周末上课", "has_consented": "on", "website": "",
    }
    data.update(changes)
    return data


class TestWishForm:
    def test_a_worker_registers_without_an_account_and_sees_nothing_personal_back(self, client, entry, county, category):
        form = client.get(reverse("supervision_public:wish_form"))
        page = form.content.decode()
        assert "信息使用说明" in page and "培训机构和其他人看不到" in page and "养老护理员" in page
        response = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category), follow=True)
        done = response.content.decode()
        assert "登记成功" in done and "巴特尔" not in done and "5678" not in done
        wish = TrainingWish.objects.get()
        assert (wish.name, wish.phone, wish.county, wish.occupation) == ("巴特尔", "13912345678", county, entry.occupation)
        assert wish.note == "希望周末上课" and wish.consented_at is not None and wish.told_at is None

    def test_the_catalogue_link_preselects_the_entry(self, client, entry):
        page = client.get(reverse("supervision_public:wish_form"), {"entry": entry.pk}).content.decode()
        assert f'<option value="{entry.pk}" selected>' in page

    def test_registering_again_updates_the_wish_instead_of_counting_twice(self, client, entry, county, category):
        client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category))
        client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, name="巴特尔二", note=""))
        wish = TrainingWish.objects.get()
        assert wish.name == "巴特尔二" and wish.note == ""

    @pytest.mark.parametrize(("changes", "message"), [
        ({"has_consented": ""}, "请阅读并同意信息使用说明后再提交"),
        ({"phone": "12345"}, "手机号格式不正确"),
        ({"phone": "010-12345678"}, "手机号格式不正确"),
        ({"name": "\u200b\u200b"}, "姓名不能为空"),
        ({"name": "长" * 41}, "姓名过长（最多40个字）"),
        ({"note": "很" * 201}, "补充说明最多200个字"),
        ({"category": "abc"}, "所选内容不在可选范围内"),
        ({"county": "999999"}, "所选内容不在可选范围内"),
        ({"catalogue_entry": "1\x01"}, "已不在当前目录中"),
    ])
    def test_invalid_input_gives_a_chinese_error_never_a_500(self, client, entry, county, category, changes, message):
        response = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, **changes))
        page = response.content.decode()
        assert response.status_code == 400
        assert "请按标红的提示修改后重新提交" in page
        assert message in page
        assert not TrainingWish.objects.exists()

    def test_a_nul_byte_is_refused_before_the_form_sees_it(self, client, entry, county, category):
        response = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, name="巴特\x00尔"))
        assert response.status_code == 400 and "空字符" in response.content.decode()
        assert not TrainingWish.objects.exists()

    def test_an_expired_entry_is_refused(self, client, league_region, league_user, county, category, urgent_entry, occupation):
        expired = make_entry(league_region, occupation, league_user, valid_from=TODAY - timedelta(days=60), valid_to=TODAY - timedelta(days=1))
        response = client.post(reverse("supervision_public:wish_form"), wish_post(expired, county, category))
        assert "所选培训项目已不在当前目录中" in response.content.decode()
        assert not TrainingWish.objects.exists()

    def test_the_county_must_belong_to_the_entrys_league(self, entry, category):
        other_league = Region.objects.create(code="150700", name="呼伦贝尔市", level="league", parent=Region.objects.get(code="150000"))
        foreign = Region.objects.create(code="150702", name="扎赉诺尔区", level="county", parent=other_league)
        with pytest.raises(ServiceError, match="请选择所在的旗县市"):
            demand.training_wish_register(name="甲", phone="13912345678", category=category, catalogue_entry=entry,
                                          county=foreign, has_consented=True)

    def test_the_honeypot_pretends_success_and_stores_nothing(self, client, entry, county, category):
        response = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, website="http://spam.example"))
        assert response.status_code == 302 and response.url == reverse("supervision_public:wish_done")
        assert not TrainingWish.objects.exists()

    def test_submissions_are_rate_limited_per_client_address(self, client, entry, county, category, settings):
        settings.TRAINING_WISH_RATE_LIMIT_PER_IP = 2
        for number in range(2):
            client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, phone=f"1391234567{number}"))
        response = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, phone="13912345679"))
        assert response.status_code == 429 and "提交次数过多" in response.content.decode()
        assert TrainingWish.objects.count() == 2
        other_address = client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category, phone="13912345679"),
                                    REMOTE_ADDR="10.1.2.3")
        assert other_address.status_code == 302 and TrainingWish.objects.count() == 3

    def test_submissions_are_rate_limited_per_phone(self, client, entry, urgent_entry, county, category, settings):
        settings.TRAINING_WISH_RATE_LIMIT_PER_PHONE = 1
        client.post(reverse("supervision_public:wish_form"), wish_post(entry, county, category))
        response = client.post(reverse("supervision_public:wish_form"), wish_post(urgent_entry, county, category), REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 429 and "该手机号今天登记次数过多" in response.content.decode()
        assert TrainingWish.objects.count() == 1
        other_phone = client.post(reverse("supervision_public:wish_form"), wish_post(urgent_entry, county, category, phone="15847001234"))
        assert other_phone.status_code == 302 and TrainingWish.objects.count() == 2
        # The cache (file, memory or Redis) counts under a keyed hash of the phone, never the number itself.
        assert cache.get(f"training-wish:phone:{personal_key('13912345678')}") == 2
        assert cache.get("training-wish:phone:13912345678") is None

    def test_without_current_entries_the_form_says_so(self, client, county):
        page = client.get(reverse("supervision_public:wish_form")).content.decode()
        assert "目前没有公布的培训项目，暂时不能登记" in page


# Wishes: who sees them ------------------------------------------------------------------------------


class TestWishScoping:
    def test_each_role_sees_the_wishes_of_its_scope(self, wish, other_wish, league_user, county_user, other_county_user,
                                                    institution_user, superuser):
        from django.contrib.auth.models import AnonymousUser

        assert set(training_wishes_visible_to(league_user)) == {wish, other_wish}
        assert set(training_wishes_visible_to(superuser)) == {wish, other_wish}
        assert list(training_wishes_visible_to(county_user)) == [wish]
        assert list(training_wishes_visible_to(other_county_user)) == [other_wish]
        assert not training_wishes_visible_to(institution_user).exists()
        assert not training_wishes_visible_to(AnonymousUser()).exists()

    def test_county_a_sees_nothing_of_county_b(self, login, county_user, wish, other_wish):
        client = login(county_user)
        listing = client.get(reverse("supervision:wish_list")).content.decode()
        assert "巴特尔" in listing and "139****5678" in listing and "13912345678" not in listing
        assert "乌云其木格" not in listing and "158****1234" not in listing
        overview = client.get(reverse("supervision:demand_overview")).content.decode()
        assert "共 1 人次登记" in overview
        assert client.post(reverse("supervision:wish_reveal", args=[other_wish.pk])).status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()
        filtered = client.get(reverse("supervision:wish_list"), {"county": other_wish.county_id}).content.decode()
        assert "乌云其木格" not in filtered and "巴特尔" in filtered  # a county user has no county filter to abuse

    def test_league_sees_every_county_and_can_narrow_to_one(self, login, league_user, wish, other_wish):
        client = login(league_user)
        listing = client.get(reverse("supervision:wish_list")).content.decode()
        assert "巴特尔" in listing and "乌云其木格" in listing
        narrowed = client.get(reverse("supervision:wish_list"), {"county": other_wish.county_id}).content.decode()
        assert "乌云其木格" in narrowed and "巴特尔" not in narrowed

    @pytest.mark.parametrize("role_fixture", ["institution_user", "other_institution_user"])
    def test_institutions_get_404_on_every_wish_page(self, request, login, role_fixture, wish, upcoming_class):
        client = login(request.getfixturevalue(role_fixture))
        assert client.get(reverse("supervision:demand_overview")).status_code == 404
        assert client.get(reverse("supervision:wish_list")).status_code == 404
        assert client.post(reverse("supervision:wish_reveal", args=[wish.pk])).status_code == 404
        assert client.post(reverse("supervision:wish_notify"), {"wishes": [wish.pk]}).status_code == 404
        assert "巴特尔" not in client.get(reverse("home")).content.decode()

    def test_anonymous_visitors_cannot_reach_wishes(self, client, wish):
        assert client.get(reverse("supervision:wish_list")).status_code == 302
        assert client.post(reverse("supervision:wish_reveal", args=[wish.pk])).status_code == 302

    def test_the_full_phone_is_shown_on_an_audited_reveal(self, login, county_user, wish):
        response = login(county_user).post(reverse("supervision:wish_reveal", args=[wish.pk]))
        assert "13912345678" in response.content.decode()
        event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        assert event.action == AuditEvent.Action.VIEW_PERSONAL_DATA and event.actor == county_user
        assert event.object_type == "supervision.TrainingWish" and event.object_id == str(wish.pk)

    def test_a_reveal_is_post_only(self, login, county_user, wish):
        assert login(county_user).get(reverse("supervision:wish_reveal", args=[wish.pk])).status_code == 405
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()


class TestDemandPerOccupation:
    def test_counts_per_occupation_and_category_within_the_period(self, login, county_user, county, entry, urgent_entry):
        unemployed = TraineeCategory.objects.get(code="urban_registered_unemployed")
        make_wish(entry, county, phone="13900000001")
        make_wish(entry, county, phone="13900000002", category=unemployed)
        make_wish(urgent_entry, county, phone="13900000003")
        make_wish(urgent_entry, county, phone="13900000004")
        make_wish(urgent_entry, county, phone="13900000005")
        old = timezone.make_aware(timezone.datetime(TODAY.year - 1, 6, 1, 10, 0))
        make_wish(entry, county, phone="13900000006", created_at=old)
        client = login(county_user)
        page = client.get(reverse("supervision:demand_overview")).content.decode()
        assert "共 5 人次登记" in page
        table = page[page.index('id="demand-table"'):]
        assert table.index("焊工") < table.index("养老护理员")  # most wished first
        assert "城镇登记失业人员" in table
        everything = client.get(reverse("supervision:demand_overview"), {"date_from": "", "date_to": ""}).content.decode()
        assert "共 6 人次登记" in everything
        last_year = client.get(reverse("supervision:demand_overview"), {
            "date_from": f"{TODAY.year - 1}-01-01", "date_to": f"{TODAY.year - 1}-12-31"}).content.decode()
        assert "共 1 人次登记" in last_year

    def test_an_open_class_of_the_occupation_is_counted(self, login, county_user, wish, upcoming_class):
        page = login(county_user).get(reverse("supervision:demand_overview")).content.decode()
        row = page[page.index("养老护理员"):page.index("查看名单")]
        assert 'text-bg-success">1</span>' in row

    def test_an_invalid_period_is_a_chinese_message(self, login, county_user, wish):
        response = login(county_user).get(reverse("supervision:demand_overview"), {"date_from": "2026-13-01", "date_to": "x"})
        assert response.status_code == 200 and "筛选条件无效" in response.content.decode()


# Telling registrants ---------------------------------------------------------------------------------


class TestMarkTold:
    def test_county_staff_tell_registrants_of_an_opening_class(self, county_user, wish, upcoming_class):
        assert demand.training_wishes_mark_told(actor=county_user, wishes=[wish], training_class=upcoming_class) == 1
        wish.refresh_from_db()
        assert wish.told_by == county_user and wish.told_class == upcoming_class and wish.told_at is not None
        assert wish.history.first().history_user == county_user

    @pytest.mark.parametrize("role_fixture", ["league_user", "institution_user", "other_county_user"])
    def test_only_the_wishs_county_may_tell(self, request, role_fixture, wish, upcoming_class):
        with pytest.raises(ServiceError):
            demand.training_wishes_mark_told(actor=request.getfixturevalue(role_fixture), wishes=[wish], training_class=upcoming_class)
        wish.refresh_from_db()
        assert wish.told_at is None

    def test_one_foreign_wish_refuses_the_whole_batch(self, county_user, wish, other_wish, upcoming_class):
        with pytest.raises(ServiceError, match="部分人员不存在或不属于本旗县市"):
            demand.training_wishes_mark_told(actor=county_user, wishes=[wish, other_wish], training_class=upcoming_class)
        assert not TrainingWish.objects.filter(told_at__isnull=False).exists()

    @pytest.mark.parametrize("case", ["other_occupation", "started", "finished", "other_county", "not_approved"])
    def test_the_class_must_be_open_of_the_occupation_in_the_county(self, county_user, wish, institution, other_institution,
                                                                     unlicensed_occupation, occupation, case):
        start = TODAY + timedelta(days=5)
        if case == "other_occupation":
            training_class = make_class(institution, unlicensed_occupation, batch_number="B1", start_date=start)
        elif case == "started":
            training_class = make_class(institution, occupation, batch_number="B1", start_date=TODAY - timedelta(days=1),
                                        status=TrainingClass.Status.IN_TRAINING)
        elif case == "finished":
            training_class = make_class(institution, occupation, batch_number="B1", start_date=start, status=TrainingClass.Status.FINISHED)
        else:
            training_class = make_class(other_institution if case == "other_county" else institution, occupation,
                                        batch_number="B1", start_date=start)
        if case != "not_approved":
            # Policy §8.2: a class opens for registrants once approved; each case is refused for its own reason.
            approve_opening(training_class)
        with pytest.raises(ServiceError, match="不是本旗县市即将开班的同职业"):
            demand.training_wishes_mark_told(actor=county_user, wishes=[wish], training_class=training_class)

    def test_a_class_starting_today_still_counts(self, county_user, wish, institution, occupation):
        today_class = make_class(institution, occupation, batch_number="B1", start_date=TODAY)
        approve_opening(today_class)
        assert demand.training_wishes_mark_told(actor=county_user, wishes=[wish], training_class=today_class) == 1

    def test_told_twice_and_mixed_occupations_and_nothing_are_refused(self, county_user, county, wish, urgent_entry, upcoming_class):
        with pytest.raises(ServiceError, match="请选择要通知的人员"):
            demand.training_wishes_mark_told(actor=county_user, wishes=[], training_class=upcoming_class)
        welder_wish = make_wish(urgent_entry, county, phone="13700000000")
        with pytest.raises(ServiceError, match="意向职业（工种）不同"):
            demand.training_wishes_mark_told(actor=county_user, wishes=[wish, welder_wish], training_class=upcoming_class)
        demand.training_wishes_mark_told(actor=county_user, wishes=[wish], training_class=upcoming_class)
        with pytest.raises(ServiceError, match="以下人员已经通知过：巴特尔"):
            demand.training_wishes_mark_told(actor=county_user, wishes=[wish], training_class=upcoming_class)

    def test_the_bulk_action_asks_for_confirmation_then_records(self, login, county_user, county, entry, wish, upcoming_class):
        second = make_wish(entry, county, name="其其格", phone="13800000000")
        client = login(county_user)
        confirm = client.post(reverse("supervision:wish_notify"), {"wishes": [wish.pk, second.pk]})
        page = confirm.content.decode()
        assert confirm.status_code == 200 and "巴特尔" in page and "其其格" in page and upcoming_class.batch_number in page
        assert not TrainingWish.objects.filter(told_at__isnull=False).exists()
        missing_class = client.post(reverse("supervision:wish_notify"), {"wishes": [wish.pk], "confirm": "1"})
        assert "请选择通知参加的培训班" in missing_class.content.decode()
        done = client.post(reverse("supervision:wish_notify"),
                           {"wishes": [wish.pk, second.pk], "training_class": upcoming_class.pk, "confirm": "1"}, follow=True)
        assert "已记录：通知 2 人参加培训班 XA152201-2026-201" in done.content.decode()
        assert TrainingWish.objects.filter(told_class=upcoming_class).count() == 2
        listing = client.get(reverse("supervision:wish_list")).content.decode()
        assert "已通知" in listing and "XA152201-2026-201" in listing

    def test_the_bulk_action_refuses_a_foreign_wish_id(self, login, county_user, wish, other_wish, upcoming_class):
        response = login(county_user).post(reverse("supervision:wish_notify"),
                                           {"wishes": [wish.pk, other_wish.pk], "training_class": upcoming_class.pk, "confirm": "1"})
        assert response.status_code == 400 and "所选人员不存在或无权操作" in response.content.decode()
        assert "乌云其木格" not in response.content.decode()
        assert not TrainingWish.objects.filter(told_at__isnull=False).exists()

    def test_without_an_open_class_the_page_says_so(self, login, county_user, wish):
        page = login(county_user).post(reverse("supervision:wish_notify"), {"wishes": [wish.pk]}).content.decode()
        assert "本旗县市暂无可通知的同职业（工种）培训班" in page and "确认已通知" not in page

    def test_league_staff_read_but_cannot_tell(self, login, league_user, wish, upcoming_class):
        client = login(league_user)
        assert "通知所选人员" not in client.get(reverse("supervision:wish_list")).content.decode()
        assert client.post(reverse("supervision:wish_notify"), {"wishes": [wish.pk]}).status_code == 404


def test_demo_data_is_idempotent_with_one_expired_entry_and_one_teacher_conflict(reference_data):
    import random

    from django.core.management import call_command

    from supervision.demo import seed_supervision_demo
    from supervision.models import ClassTeacher, Teacher
    from supervision.teacher_selectors import teacher_conflicts

    call_command("seed_demo", verbosity=0)
    first = seed_supervision_demo(random.Random(1))
    second = seed_supervision_demo(random.Random(2))
    assert first == second
    assert first["wishes"] == 40 and first["teachers"] == 15 and first["assignments"] > 30
    assert DemandCatalogueEntry.objects.filter(valid_to__lt=TODAY).count() == 1
    assert DemandCatalogueEntry.objects.filter(is_urgent=True, valid_to__gte=TODAY).exists()
    assert TrainingWish.objects.values("county").distinct().count() == 6
    assert set(Teacher.objects.values_list("status", flat=True)) == {"proposed", "confirmed", "rejected"}
    assert Teacher.objects.filter(status="rejected").count() == 1
    assert len(teacher_conflicts()) == 1
    assert not ClassTeacher.objects.exclude(teacher__status="confirmed").exists()
