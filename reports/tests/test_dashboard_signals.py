"""The fraud-signal figure of the league and county dashboards (policy §8.4): open signals by kind and by county
(institution), against a hand-counted fixture, each number linked to the signal list that shows exactly those
signals; institutions get no such figure; a fixed number of queries however many signals there are."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from conftest import make_class

from .figures_fixture import counted_classes  # noqa: F401 (fixture)
from .signals_fixture import DISMISSED, NOT_DETECTED, SIMPLE_KINDS, add_signal
from .test_dashboards import dashboard, drawn, table

@pytest.fixture
def counted_signals(counted_classes, county_user):  # noqa: F811
    """乌兰浩特市: A1 two shared phones and an ID overlap, A2 an attendance shortfall (4 open), plus a dismissed and a no
    longer detected signal on A1 (not open: not counted). 突泉县: B1 a shared phone, B3 (still in training, so
    outside every period) a teacher conflict: open signals count whatever the period (2 open)."""
    a1, a2, b1, b3 = (counted_classes[name] for name in ("A1", "A2", "B1", "B3"))
    add_signal(a1, "shared_phone", key="phone:a")
    add_signal(a1, "shared_phone", key="phone:b")
    add_signal(a1, "id_overlap")
    add_signal(a2, "attendance_shortfall")
    add_signal(a1, "attendance_shortfall", status=DISMISSED, dismissed_by=county_user)
    add_signal(a1, "teacher_conflict", status=NOT_DETECTED)
    add_signal(b1, "shared_phone")
    add_signal(b3, "teacher_conflict")
    return counted_classes


def listed_signals(client, link: str) -> list[tuple[str, str]]:
    """(kind, batch number) of every signal the signal list shows for a figure's link."""
    response = client.get(link)
    assert response.status_code == 200
    return sorted((signal.kind, signal.training_class.batch_number) for signal in response.context["page"].paginator.object_list)


class TestLeague:
    def test_open_signals_by_county_and_kind_match_the_hand_counts(self, client, league_user, counted_signals):
        figure = drawn(dashboard(client, league_user))["fraud_signals"]
        assert figure.result.columns == ["旗县市", "待核实", "身份证重叠", "共用手机", "出勤不足", "教师冲突"]
        assert table(figure) == [
            ["乌兰浩特市", "4", "1", "2", "1", "0"],
            ["突泉县", "2", "0", "1", "0", "1"],
            ["合计", "6", "1", "3", "1", "1"],
        ]
        assert any("教师冲突＝同一教师同时段在两个培训班授课" in note for note in figure.result.notes)

    def test_each_number_lists_exactly_its_signals(self, client, league_user, counted_signals):
        figure = drawn(dashboard(client, league_user))["fraud_signals"]
        urumqi, tuquan = figure.result.rows
        total = figure.result.total
        assert listed_signals(client, urumqi[3].link) == [("shared_phone", "XA152201-2026-101")] * 2
        assert listed_signals(client, urumqi[1].link) == sorted([
            ("shared_phone", "XA152201-2026-101"), ("shared_phone", "XA152201-2026-101"),
            ("id_overlap", "XA152201-2026-101"), ("attendance_shortfall", "XA152201-2026-102")])
        assert listed_signals(client, tuquan[5].link) == [("teacher_conflict", "XA152224-2026-103")]
        assert len(listed_signals(client, total[1].link)) == 6
        assert listed_signals(client, total[3].link) == sorted([("shared_phone", "XA152201-2026-101")] * 2
                                                               + [("shared_phone", "XA152224-2026-101")])

    def test_the_chart_carries_the_tables_numbers_and_links(self, client, league_user, counted_signals):
        figure = drawn(dashboard(client, league_user))["fraud_signals"]
        chart = figure.result.chart
        assert chart["yAxis"]["data"] == ["乌兰浩特市", "突泉县"]
        phones = next(series for series in chart["series"] if series["name"] == "共用手机")
        assert [item["value"] for item in phones["data"]] == [2, 1]
        assert phones["data"][0]["link"] == figure.result.rows[0][3].link

    def test_the_dashboards_filters_narrow_the_figure_and_its_links(
        self, client, league_user, other_county, occupation, counted_signals
    ):
        figure = drawn(dashboard(client, league_user, county=other_county.pk))["fraud_signals"]
        assert table(figure) == [["突泉县", "2", "1", "1"], ["合计", "2", "1", "1"]]
        assert f"county={other_county.pk}" in figure.result.rows[0][1].link
        figure = drawn(dashboard(client, league_user, category="entrepreneurship"))["fraud_signals"]
        assert figure.result.rows == [] and "没有待核实的疑点" in dashboard(
            client, league_user, category="entrepreneurship").content.decode()


class TestCounty:
    def test_rows_are_its_institutions_and_nothing_of_another_county(self, client, county_user, institution, counted_signals):
        figure = drawn(dashboard(client, county_user))["fraud_signals"]
        assert figure.result.columns == ["培训机构", "待核实", "身份证重叠", "共用手机", "出勤不足"]
        assert table(figure) == [[institution.name, "4", "1", "2", "1"], ["合计", "4", "1", "2", "1"]]
        assert len(listed_signals(client, figure.result.total[1].link)) == 4
        assert f"institution={institution.pk}" in figure.result.rows[0][1].link


class TestInstitution:
    def test_institutions_see_no_signals(self, client, institution_user, counted_signals):
        response = dashboard(client, institution_user)
        assert "fraud_signals" not in drawn(response)
        assert "待核实的疑点" not in response.content.decode()
        client.force_login(institution_user)
        assert client.get(reverse("supervision:signal_list"), {"status": "open"}).status_code == 404


def test_the_figure_reads_a_fixed_number_of_queries(
    client, league_user, institution, other_institution, occupation, django_assert_max_num_queries,
    django_assert_num_queries,
):
    def more_signals(count: int, prefix: str):
        for number in range(count):
            for owner in (institution, other_institution):
                ended = date(2026, 4, 1) + timedelta(days=number)
                training_class = make_class(owner, occupation, batch_number=f"{prefix}-{owner.pk}-{number:03d}",
                                            start_date=ended - timedelta(days=10), end_date=ended)
                add_signal(training_class, SIMPLE_KINDS[number % len(SIMPLE_KINDS)])

    client.force_login(league_user)
    url = reverse("reports:dashboard")
    more_signals(1, "XA-S")
    client.get(url, {"year": 2026})  # caches filled once per process are not the page's
    with django_assert_max_num_queries(25) as few:
        first = client.get(url, {"year": 2026})
    more_signals(12, "XA-M")
    with django_assert_num_queries(len(few.captured_queries)):
        many = client.get(url, {"year": 2026})
    assert table(drawn(first)["fraud_signals"])[-1][1] == "2"
    assert table(drawn(many)["fraud_signals"])[-1][1] == "26"
