"""Settings screens: administrators only, every change through a service, coded errors beside the field."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kizuna.accounts.models import Team, User
from kizuna.core.models import AuditEntry
from kizuna.customers.models import CustomFieldDefinition, Tag
from kizuna.sales.models import Pipeline, Stage


def _login(client, user):
    user.language = "en"  # the middleware switches to the user's language; these tests read English
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    return _login(client, admin_user)


def _error_next_to(response, field_id, code):
    """The coded error is rendered in the field's error slot (not only somewhere on the page)."""
    html = response.content.decode()
    marker = f'id="{field_id}_error"'
    assert marker in html, f"no error beside {field_id}"
    assert code in html[html.index(marker) : html.index("</span>", html.index(marker)) + 200]


# --- access ------------------------------------------------------------------------------------


def _all_urls(team, user, pipeline, tag):
    stage = pipeline.stages.first()
    return {
        "get": [
            reverse("settings:index"),
            reverse("settings:users"),
            reverse("settings:user_edit", args=[user.pk]),
            reverse("settings:teams"),
            reverse("settings:roles"),
            reverse("settings:pipelines"),
            reverse("settings:pipeline_detail", args=[pipeline.pk]),
            reverse("settings:custom_fields"),
            reverse("settings:tags"),
        ],
        "post": [
            reverse("settings:users"),
            reverse("settings:user_edit", args=[user.pk]),
            reverse("settings:user_active", args=[user.pk]),
            reverse("settings:teams"),
            reverse("settings:team_rename", args=[team.pk]),
            reverse("settings:pipelines"),
            reverse("settings:pipeline_detail", args=[pipeline.pk]),
            reverse("settings:stage_add", args=[pipeline.pk]),
            reverse("settings:stage_order", args=[pipeline.pk]),
            reverse("settings:stage_update", args=[stage.pk]),
            reverse("settings:stage_move", args=[stage.pk]),
            reverse("settings:stage_delete", args=[stage.pk]),
            reverse("settings:custom_fields"),
            reverse("settings:tags"),
            reverse("settings:tag_update", args=[tag.pk]),
            reverse("settings:tag_delete", args=[tag.pk]),
        ],
    }


@pytest.mark.parametrize("persona", ["alice", "reader", "charlie"])
def test_non_administrators_get_the_coded_403_on_every_page_and_post(
    client, request, persona, team_a, bob, pipeline
):
    tag = Tag.objects.create(name="VIP")
    urls = _all_urls(team_a, bob, pipeline, tag)
    _login(client, request.getfixturevalue(persona))
    payload = {
        "name": "ハック",
        "username": "mallory",
        "password": "a-long-pass-123",
        "role": "administrator",
    }
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "KZ-AUTH-003" in response.content.decode(), url
    for url in urls["post"]:
        response = client.post(url, {**payload, "active": "0", "direction": "up"})
        assert response.status_code == 403, url
        assert "KZ-AUTH-003" in response.content.decode(), url
    assert not User.objects.filter(username="mallory").exists()
    assert Team.objects.filter(name="ハック").count() == 0
    assert Tag.objects.filter(pk=tag.pk).exists() and pipeline.stages.count() == 5
    assert User.objects.get(pk=bob.pk).is_active


def test_settings_need_sign_in(client):
    response = client.get(reverse("settings:users"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_post_only_actions_refuse_get(admin_client, bob):
    assert admin_client.get(reverse("settings:user_active", args=[bob.pk])).status_code == 405


def test_index_and_roles_pages(admin_client, alice, bob):
    assert admin_client.get(reverse("settings:index")).status_code == 200
    html = admin_client.get(reverse("settings:roles")).content.decode()
    for text in ("Administrator", "Read-only", "Team records", "All records", "Own records"):
        assert text in html
    # Sales: view team, edit team, delete own; two active sales users.
    row = html[html.index(">Sales<") :]
    row = row[: row.index("</tr>")]
    assert row.count("Team records") == 2 and "Own records" in row and '<td class="num">2</td>' in row


# --- users -------------------------------------------------------------------------------------


def test_admin_creates_a_user_with_role_team_and_given_password(admin_client, team_a):
    response = admin_client.post(
        reverse("settings:users"),
        {
            "username": "suzuki",
            "display_name": "鈴木 一郎",
            "email": "suzuki@example.co.jp",
            "role": "manager",
            "team": str(team_a.pk),
            "password": "kizuna-strong-pass-9",
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="suzuki")
    assert (user.role, user.team, user.display_name, user.is_superuser) == (
        "manager",
        team_a,
        "鈴木 一郎",
        False,
    )
    assert authenticate(username="suzuki", password="kizuna-strong-pass-9") == user
    assert 'data-testid="generated-password"' not in response.content.decode()
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=user.pk)
    assert (entry.action, entry.via) == ("create", "ui")
    assert "password" not in entry.changes


def test_admin_creates_a_user_with_a_generated_password_shown_once(admin_client):
    response = admin_client.post(
        reverse("settings:users"), {"username": "tanaka", "role": "sales", "password": ""}
    )
    html = response.content.decode()
    assert 'data-testid="generated-password"' in html
    start = html.index('<span class="secret">') + len('<span class="secret">')
    password = html[start : html.index("</span>", start)]
    assert len(password) == 16
    assert authenticate(username="tanaka", password=password) == User.objects.get(username="tanaka")
    # Not repeated on the next page (no message, no session copy).
    assert password not in admin_client.get(reverse("settings:users")).content.decode()


def test_user_form_errors_sit_beside_their_fields_and_nothing_is_saved(admin_client, alice):
    response = admin_client.post(
        reverse("settings:users"), {"username": "alice", "role": "wizard", "password": "12345", "email": "x@"}
    )
    assert response.status_code == 422
    _error_next_to(response, "id_username", "KZ-VAL-002")
    _error_next_to(response, "id_role", "KZ-VAL-003")
    _error_next_to(response, "id_password", "KZ-VAL-004")
    _error_next_to(response, "id_email", "KZ-VAL-008")
    assert User.objects.filter(username="alice").count() == 1
    response = admin_client.post(reverse("settings:users"), {"username": "", "role": "sales"})
    assert response.status_code == 422
    _error_next_to(response, "id_username", "KZ-VAL-001")
    assert User.objects.count() == 2


def test_admin_changes_role_and_team(admin_client, alice, team_b):
    url = reverse("settings:user_edit", args=[alice.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"role": "administrator", "team": str(team_b.pk), "display_name": "アリス"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.role, alice.team, alice.is_superuser, alice.display_name) == (
        "administrator",
        team_b,
        True,
        "アリス",
    )
    response = admin_client.post(url, {"role": "sales", "team": "999999"})
    assert response.status_code == 422
    _error_next_to(response, "id_team", "KZ-VAL-011")


def test_deactivate_never_deletes_and_refuses_yourself(admin_client, admin_user, alice):
    response = admin_client.post(reverse("settings:user_active", args=[alice.pk]), {"active": "0"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_active is False
    assert AuditEntry.objects.filter(
        object_type="accounts.user", object_id=alice.pk, action="update"
    ).exists()
    admin_client.post(reverse("settings:user_active", args=[alice.pk]), {"active": "1"})
    alice.refresh_from_db()
    assert alice.is_active is True
    response = admin_client.post(reverse("settings:user_active", args=[admin_user.pk]), {"active": "0"})
    assert response.status_code == 422 and "KZ-VAL-012" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_administrator_cannot_lose_the_role(admin_client, admin_user):
    response = admin_client.post(reverse("settings:user_edit", args=[admin_user.pk]), {"role": "sales"})
    assert response.status_code == 422 and "KZ-VAL-012" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "administrator"


# --- teams -------------------------------------------------------------------------------------


def test_admin_creates_and_renames_teams_with_coded_duplicates(admin_client, team_a, team_b):
    response = admin_client.post(reverse("settings:teams"), {"name": "名古屋営業部"})
    assert response.status_code == 302
    team = Team.objects.get(name="名古屋営業部")
    assert AuditEntry.objects.get(object_type="accounts.team", object_id=team.pk).via == "ui"
    response = admin_client.post(reverse("settings:teams"), {"name": "東京営業部"})
    assert response.status_code == 422
    _error_next_to(response, "id_name", "KZ-VAL-002")
    assert Team.objects.filter(name="東京営業部").count() == 1
    url = reverse("settings:team_rename", args=[team.pk])
    assert admin_client.post(url, {f"team-{team.pk}-name": "中部営業部"}).status_code == 302
    assert Team.objects.get(pk=team.pk).name == "中部営業部"
    response = admin_client.post(url, {f"team-{team.pk}-name": "大阪営業部"})
    assert response.status_code == 422
    _error_next_to(response, f"id_team-{team.pk}-name", "KZ-VAL-002")
    assert Team.objects.get(pk=team.pk).name == "中部営業部"


# --- pipelines and stages ----------------------------------------------------------------------


def test_admin_creates_a_pipeline_and_a_duplicate_is_refused(admin_client, pipeline):
    response = admin_client.post(
        reverse("settings:pipelines"), {"name": "既存深耕", "stages": "ヒアリング\n提案\n\n受注\n"}
    )
    created = Pipeline.objects.get(name="既存深耕")
    assert response.status_code == 302 and response["Location"] == reverse(
        "settings:pipeline_detail", args=[created.pk]
    )
    assert list(created.stages.order_by("position").values_list("name", flat=True)) == [
        "ヒアリング",
        "提案",
        "受注",
    ]
    response = admin_client.post(reverse("settings:pipelines"), {"name": "新規営業", "stages": "A"})
    assert response.status_code == 422
    _error_next_to(response, "id_name", "KZ-VAL-002")
    response = admin_client.post(reverse("settings:pipelines"), {"name": "空", "stages": ""})
    assert response.status_code == 422
    _error_next_to(response, "id_stages", "KZ-VAL-001")
    assert Pipeline.objects.count() == 2


def test_admin_renames_pipeline_and_makes_it_default(admin_client, pipeline):
    other = Pipeline.objects.create(name="その他", position=9)
    url = reverse("settings:pipeline_detail", args=[other.pk])
    assert admin_client.post(url, {"name": "代理店", "is_default": "on"}).status_code == 302
    other.refresh_from_db()
    pipeline.refresh_from_db()
    assert (other.name, other.is_default, pipeline.is_default) == ("代理店", True, False)


def test_admin_adds_and_edits_stages_with_coded_errors(admin_client, pipeline):
    add = reverse("settings:stage_add", args=[pipeline.pk])
    response = admin_client.post(add, {"new-name": "契約", "new-probability": "90"})
    assert response.status_code == 302
    stage = pipeline.stages.get(name="契約")
    assert (stage.position, stage.probability) == (6, 90)
    response = admin_client.post(add, {"new-name": "提案", "new-probability": "40"})
    assert response.status_code == 422
    _error_next_to(response, "id_new-name", "KZ-VAL-002")
    url = reverse("settings:stage_update", args=[stage.pk])
    p = f"stage-{stage.pk}"
    response = admin_client.post(url, {f"{p}-name": "契約", f"{p}-probability": "150"})
    assert response.status_code == 422
    _error_next_to(response, f"id_{p}-probability", "KZ-VAL-004")
    response = admin_client.post(
        url, {f"{p}-name": "契約", f"{p}-probability": "90", f"{p}-is_won": "on", f"{p}-is_lost": "on"}
    )
    assert response.status_code == 422
    _error_next_to(response, f"id_{p}-is_lost", "KZ-VAL-012")
    response = admin_client.post(url, {f"{p}-name": "契約締結", f"{p}-probability": "95"})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.probability, stage.is_won) == ("契約締結", 95, False)
    assert AuditEntry.objects.filter(
        object_type="sales.stage", object_id=stage.pk, action="update", via="ui"
    ).exists()


def _names(pipeline):
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


def test_admin_reorders_stages_by_buttons_and_by_drag(admin_client, pipeline):
    proposal = pipeline.stages.get(name="提案")
    assert (
        admin_client.post(reverse("settings:stage_move", args=[proposal.pk]), {"direction": "up"}).status_code
        == 302
    )
    assert _names(pipeline) == ["提案", "リード", "交渉", "受注", "失注"]
    moved = AuditEntry.objects.get(object_type="sales.stage", object_id=proposal.pk, action="update")
    assert (moved.via, moved.changes) == ("ui", {"position": {"before": 2, "after": 1}})
    ids = dict(pipeline.stages.values_list("name", "pk"))
    order = [ids[n] for n in ["リード", "交渉", "提案", "失注", "受注"]]
    response = admin_client.post(reverse("settings:stage_order", args=[pipeline.pk]), {"stage": order})
    assert response.status_code == 302
    assert _names(pipeline) == ["リード", "交渉", "提案", "失注", "受注"]
    assert sorted(pipeline.stages.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    response = admin_client.post(reverse("settings:stage_order", args=[pipeline.pk]), {"stage": order[:3]})
    assert response.status_code == 400 and "KZ-VAL-012" in response.content.decode()


def test_stage_in_use_cannot_be_deleted_and_says_why(admin_client, pipeline, alice):
    from kizuna.sales.services import deal_create

    deal_create(actor=alice, data={"title": "年間保守"})
    lead = pipeline.stages.get(name="リード")
    response = admin_client.post(reverse("settings:stage_delete", args=[lead.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "KZ-VAL-015" in html and 'class="error-panel"' in html and "<table" in html
    assert Stage.objects.filter(pk=lead.pk).exists()
    unused = pipeline.stages.get(name="交渉")
    assert admin_client.post(reverse("settings:stage_delete", args=[unused.pk])).status_code == 302
    assert not Stage.objects.filter(pk=unused.pk).exists()


# --- custom fields -----------------------------------------------------------------------------


def test_admin_defines_custom_fields_with_errors_beside_fields(admin_client):
    url = reverse("settings:custom_fields")
    data = {
        "object_type": "customers.contact",
        "key": "rank",
        "label_ja": "ランク",
        "label_en": "Rank",
        "field_type": "choice",
        "choices": "A\nB\nC",
        "required": "on",
    }
    assert admin_client.post(url, data).status_code == 302
    definition = CustomFieldDefinition.objects.get(key="rank")
    assert (definition.choices, definition.required, definition.unique) == (["A", "B", "C"], True, False)
    response = admin_client.post(url, data)
    assert response.status_code == 422
    _error_next_to(response, "id_key", "KZ-VAL-002")
    response = admin_client.post(url, {**data, "key": "grade", "choices": ""})
    assert response.status_code == 422
    _error_next_to(response, "id_choices", "KZ-VAL-001")
    response = admin_client.post(url, {**data, "key": "9 bad key", "label_ja": ""})
    assert response.status_code == 422
    _error_next_to(response, "id_label_ja", "KZ-VAL-001")
    response = admin_client.post(url, {**data, "key": "9 bad key"})
    _error_next_to(response, "id_key", "KZ-VAL-004")
    assert CustomFieldDefinition.objects.count() == 1
    assert "ランク" in admin_client.get(url).content.decode()


# --- tags --------------------------------------------------------------------------------------


def test_admin_creates_renames_recolours_and_deletes_tags(admin_client, alice):
    from kizuna.customers.services import contact_create

    url = reverse("settings:tags")
    assert admin_client.post(url, {"name": "VIP", "color": "#DC2626"}).status_code == 302
    tag = Tag.objects.get(name="VIP")
    assert tag.color == "#dc2626"
    response = admin_client.post(url, {"name": "VIP", "color": "#000000"})
    assert response.status_code == 422
    _error_next_to(response, "id_name", "KZ-VAL-002")
    response = admin_client.post(url, {"name": "展示会", "color": "red"})
    assert response.status_code == 422
    _error_next_to(response, "id_color", "KZ-VAL-004")
    assert Tag.objects.count() == 1
    update = reverse("settings:tag_update", args=[tag.pk])
    assert (
        admin_client.post(
            update, {f"tag-{tag.pk}-name": "重要顧客", f"tag-{tag.pk}-color": "#059669"}
        ).status_code
        == 302
    )
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("重要顧客", "#059669")
    contact = contact_create(actor=alice, data={"family_name": "山田", "tags": ["重要顧客"]})
    assert '<td class="num">1</td>' in admin_client.get(url).content.decode()
    assert admin_client.post(reverse("settings:tag_delete", args=[tag.pk])).status_code == 302
    assert not Tag.objects.exists() and contact.tags.count() == 0
    assert AuditEntry.objects.filter(
        object_type="customers.tag", object_id=tag.pk, action="delete", via="ui"
    ).exists()


# --- query counts ------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _make(kind, prefix, n, pipeline, team):
    """n more rows of ``kind``: what the page lists."""
    for i in range(n):
        name = f"{prefix}{i}"
        if kind == "users":
            User.objects.create_user(username=name, password="x" * 12, team=team)
        elif kind == "teams":
            Team.objects.create(name=name)
        elif kind == "pipelines":
            Stage.objects.create(
                pipeline=Pipeline.objects.create(name=name, position=100), name="A", position=1
            )
        elif kind == "stages":
            Stage.objects.create(pipeline=pipeline, name=name, position=10 + Stage.objects.count())
        elif kind == "tags":
            Tag.objects.create(name=name)
        elif kind == "custom_fields":
            CustomFieldDefinition.objects.create(
                object_type="customers.contact", key=name, label_ja=name, field_type="text"
            )


@pytest.mark.parametrize(
    ("kind", "url_name"),
    [
        ("users", "settings:users"),
        ("teams", "settings:teams"),
        ("pipelines", "settings:pipelines"),
        ("stages", "settings:pipeline_detail"),
        ("tags", "settings:tags"),
        ("custom_fields", "settings:custom_fields"),
    ],
)
def test_settings_query_count_is_constant(admin_client, pipeline, team_a, kind, url_name):
    url = reverse(url_name, args=[pipeline.pk]) if kind == "stages" else reverse(url_name)
    _make(kind, "one", 1, pipeline, team_a)
    one = _count(admin_client, url)
    _make(kind, "six", 5, pipeline, team_a)
    assert _count(admin_client, url) == one


def test_editing_a_superuser_keeps_them_administrator(admin_client, admin_user):
    root = User.objects.create_superuser(username="root", password="x" * 12)  # role left at its default
    url = reverse("settings:user_edit", args=[root.pk])
    assert 'value="administrator" selected' in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"role": "administrator", "display_name": "管理"}).status_code == 302
    root.refresh_from_db()
    assert (root.role, root.is_superuser, root.display_name) == ("administrator", True, "管理")
