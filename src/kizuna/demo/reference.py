"""The few reference rows the bulk data hangs on: teams, users, pipelines with stages, products, tags.

They are created through the ORM (a few dozen rows) and reused when they already exist, so a second
``kizuna demo`` adds contacts without duplicating users or breaking the unique names.
"""

from __future__ import annotations

from typing import Final

from kizuna.accounts.models import Team, User
from kizuna.accounts.services import password_check
from kizuna.core.permissions import Role
from kizuna.customers.models import Tag
from kizuna.sales.models import Pipeline, Product, Stage, forecast_category_for

from .pools import Dice, Pools
from .spec import PipelineRef, Reference

SALES_TOKYO: Final = "東京営業部"
SALES_OSAKA: Final = "大阪営業部"
SUPPORT: Final = "カスタマーサポート"
MARKETING: Final = "マーケティング"

# (username, role, team): a manager per sales team, sales people, support, marketing and a read-only.
DEMO_USERS: Final[tuple[tuple[str, str, str], ...]] = (
    ("demo_manager_tokyo", Role.MANAGER, SALES_TOKYO),
    ("demo_sales_tokyo1", Role.SALES, SALES_TOKYO),
    ("demo_sales_tokyo2", Role.SALES, SALES_TOKYO),
    ("demo_sales_tokyo3", Role.SALES, SALES_TOKYO),
    ("demo_manager_osaka", Role.MANAGER, SALES_OSAKA),
    ("demo_sales_osaka1", Role.SALES, SALES_OSAKA),
    ("demo_sales_osaka2", Role.SALES, SALES_OSAKA),
    ("demo_support1", Role.SUPPORT, SUPPORT),
    ("demo_support2", Role.SUPPORT, SUPPORT),
    ("demo_support3", Role.SUPPORT, SUPPORT),
    ("demo_marketing1", Role.MARKETING, MARKETING),
    ("demo_marketing2", Role.MARKETING, MARKETING),
    ("demo_readonly", Role.READ_ONLY, SALES_TOKYO),
)

# (name, ((stage, probability, won, lost), ...)); the first pipeline is the default one.
PIPELINES: Final = (
    (
        "新規営業",
        (
            ("リード", 10, False, False),
            ("提案", 40, False, False),
            ("見積", 60, False, False),
            ("交渉", 80, False, False),
            ("受注", 100, True, False),
            ("失注", 0, False, True),
        ),
    ),
    (
        "既存深耕",
        (
            ("ヒアリング", 20, False, False),
            ("提案", 50, False, False),
            ("見積", 70, False, False),
            ("受注", 100, True, False),
            ("失注", 0, False, True),
        ),
    ),
)

PRODUCTS: Final = (
    ("KZ-ACC-STD", "クラウド会計 スタンダード（年額）", 120_000),
    ("KZ-ACC-PRO", "クラウド会計 プロフェッショナル（年額）", 240_000),
    ("KZ-HR-BASE", "勤怠管理 基本ライセンス（月額・1名）", 300),
    ("KZ-HR-PAY", "給与計算オプション（月額・1名）", 200),
    ("KZ-CRM-SEAT", "顧客管理 ユーザーライセンス（年額）", 36_000),
    ("KZ-SUP-STD", "保守サポート スタンダード（年額）", 60_000),
    ("KZ-SUP-PREM", "保守サポート プレミアム（年額）", 150_000),
    ("KZ-ONB-PACK", "導入支援パック", 300_000),
    ("KZ-TRN-HALF", "オンサイト研修（半日）", 80_000),
    ("KZ-TRN-DAY", "オンサイト研修（1日）", 150_000),
    ("HW-PC-14", "ノートPC 14型", 158_000),
    ("HW-MON-27", "液晶モニター 27型", 42_800),
    ("HW-PRN-A3", "複合機 A3カラー", 680_000),
    ("SP-PAPER-A4", "コピー用紙 A4（5,000枚）", 4_980),
    ("SP-TONER-K", "トナーカートリッジ（ブラック）", 12_800),
    ("SP-TONER-C", "トナーカートリッジ（カラー）", 18_400),
)

TAGS: Final = (
    ("VIP", "#dc2626"),
    ("展示会2024", "#2563eb"),
    ("要フォロー", "#d97706"),
    ("紹介", "#059669"),
    ("休眠", "#6b7280"),
    ("メルマガ購読", "#7c3aed"),
)


def _user(username: str, role: str, team: Team, display_name: str, password: str | None) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, team=team, display_name=display_name, language="ja")
    if password:
        password_check(password, user)
        user.set_password(password)
    else:
        # Demo accounts must not become a way in: nobody can sign in with them until an
        # administrator sets a password.
        user.set_unusable_password()
    user.save()
    return user, True


def _users(dice: Dice, pools: Pools, password: str | None) -> tuple[dict[str, list[User]], int]:
    teams = {
        name: Team.objects.get_or_create(name=name)[0]
        for name in (SALES_TOKYO, SALES_OSAKA, SUPPORT, MARKETING)
    }
    by_role: dict[str, list[User]] = {}
    created = 0
    for username, role, team_name in DEMO_USERS:
        family, given = dice.pick(pools.family_names), dice.pick(pools.given_names)
        user, new = _user(username, role, teams[team_name], f"{family.kanji} {given.kanji}", password)
        created += new
        by_role.setdefault(role, []).append(user)
    return by_role, created


def _pipeline(name: str, stages: tuple[tuple[str, int, bool, bool], ...], *, default: bool) -> PipelineRef:
    pipeline = Pipeline.objects.filter(name=name).first()
    if pipeline is None:
        # Only one pipeline may be the default (a partial unique constraint): never steal the flag.
        is_default = default and not Pipeline.objects.filter(is_default=True).exists()
        position = Pipeline.objects.count() + 1
        pipeline = Pipeline.objects.create(name=name, is_default=is_default, position=position)
        for index, (stage, probability, won, lost) in enumerate(stages, start=1):
            Stage.objects.create(
                pipeline=pipeline,
                name=stage,
                position=index,
                probability=probability,
                is_won=won,
                is_lost=lost,
                forecast_category=forecast_category_for(probability=probability, is_won=won, is_lost=lost),
            )
    existing = list(pipeline.stages.order_by("position"))
    return PipelineRef(
        pipeline_id=pipeline.pk,
        open_stage_ids=tuple(s.pk for s in existing if not (s.is_won or s.is_lost)),
        won_stage_id=next((s.pk for s in existing if s.is_won), None),
        lost_stage_id=next((s.pk for s in existing if s.is_lost), None),
    )


def ensure_reference(*, dice: Dice, pools: Pools, password: str | None) -> Reference:
    """Create (or find) the demo teams, users, pipelines, products and tags."""
    by_role, created = _users(dice, pools, password)
    pipelines = tuple(_pipeline(name, stages, default=i == 0) for i, (name, stages) in enumerate(PIPELINES))
    products = []
    for code, name, price in PRODUCTS:
        product = Product.objects.get_or_create(code=code, defaults={"name": name, "unit_price": price})[0]
        products.append((product.pk, product.unit_price))
    tags = tuple(
        Tag.objects.get_or_create(name=name, defaults={"color": color})[0].pk for name, color in TAGS
    )
    sellers = by_role[Role.SALES] + by_role[Role.MANAGER]
    return Reference(
        sales=tuple((u.pk, u.team_id) for u in sellers if u.team_id),
        support=tuple((u.pk, u.team_id) for u in by_role[Role.SUPPORT] if u.team_id),
        pipelines=tuple(p for p in pipelines if p.open_stage_ids),
        products=tuple(products),
        tag_ids=tags,
        created_users=created,
    )
