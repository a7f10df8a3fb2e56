"""Rows that hang off a chunk's contacts: deals with their stage history, orders with lines, tickets,
feedback, activities and tasks. Owner and team always come from the contact or record they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from kizuna.core.normalize.search import join_documents, part_document

from .pools import bag
from .rows import DAY, ChunkGenerator, CompanyInfo, ContactInfo, Row
from .spec import PipelineRef

DEAL_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "title", "company_id", "contact_id",
    "pipeline_id", "stage_id", "amount", "expected_close_date", "closed_at", "lost_reason", "custom",
    "search_text",
)  # fmt: skip
STAGE_CHANGE_COLUMNS: Final = ("id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id")
ORDER_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "number", "company_id", "contact_id",
    "order_date", "status", "total", "custom",
)  # fmt: skip
ORDER_LINE_COLUMNS: Final = ("id", "order_id", "product_id", "quantity", "unit_price", "amount")
TICKET_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "subject", "body", "channel", "status",
    "priority", "assignee_id", "contact_id", "company_id", "sla_due_at", "first_response_at", "resolved_at",
    "custom", "search_text",
)  # fmt: skip
FEEDBACK_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "kind", "score", "comment", "contact_id",
    "ticket_id", "order_id", "received_at",
)  # fmt: skip
ACTIVITY_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "contact_id", "company_id", "deal_id",
    "ticket_id", "kind", "subject", "body", "occurred_at", "author_id",
)  # fmt: skip
TASK_COLUMNS: Final = (
    "id", "created_at", "updated_at", "version", "owner_id", "team_id", "contact_id", "company_id", "deal_id",
    "ticket_id", "title", "description", "due_at", "assignee_id", "status", "priority", "remind_at",
    "completed_at",
)  # fmt: skip

DEAL_THEMES: Final = (
    "クラウド会計導入", "勤怠管理システム更新", "PC入替", "保守契約更新", "複合機リプレース", "社内研修",
    "顧客管理導入", "給与計算アウトソーシング", "拠点追加ライセンス",
)  # fmt: skip
LOST_REASONS: Final = (
    "価格面で他社に決定",
    "予算凍結",
    "導入時期の延期",
    "要件不一致",
    "先方担当者と連絡途絶",
)
TICKETS: Final = (
    ("ログインできない", "パスワードを再設定してもログインできません。至急確認をお願いします。"),
    ("請求書の再発行について", "先月分の請求書を紛失したため、再発行をお願いできますでしょうか。"),
    ("納期の確認", "注文した商品の納期を教えてください。"),
    ("CSV取込でエラー", "顧客データのCSV取込で文字化けが発生します。"),
    ("契約内容の変更", "来月からユーザー数を追加したいです。手続きを教えてください。"),
    ("操作方法の質問", "月次レポートの出力方法が分かりません。"),
    ("トナーが届かない", "注文したトナーがまだ届いていません。配送状況を確認してください。"),
    ("解約の相談", "事業縮小のため、契約の見直しを検討しています。"),
)  # fmt: skip
FEEDBACK_COMMENTS: Final = (
    ("対応が遅く、困りました。", "期待していた機能がありませんでした。"),
    ("概ね満足していますが、改善の余地があります。", "普通です。"),
    ("丁寧に対応いただきありがとうございました。", "とても使いやすいです。", "今後もよろしくお願いします。"),
)
ACTIVITY_SUBJECTS: Final = {
    "call": ("初回ヒアリングの電話", "見積内容の確認電話", "導入後のフォローコール", "折り返し連絡"),
    "meeting": ("訪問打ち合わせ", "オンライン商談", "製品デモ", "定例ミーティング"),
    "email": ("資料送付", "見積書送付", "お礼メール", "セミナーのご案内"),
    "note": ("決裁者は部長", "来期予算で検討中", "競合A社も検討中", "紹介元は既存顧客"),
}
ACTIVITY_KINDS: Final = tuple(ACTIVITY_SUBJECTS)
ACTIVITY_KIND_BAG: Final = bag(ACTIVITY_KINDS, (35, 20, 35, 10))
TASK_TITLES: Final = (
    "見積書を送付する", "提案資料を作成する", "お礼の電話をする", "契約書を確認する", "請求書を発行する",
    "訪問日程を調整する", "デモ環境を準備する", "更新の案内を送る",
)  # fmt: skip
PRIORITIES: Final = bag(("low", "normal", "high", "urgent"), (15, 60, 20, 5))
SLA_SECONDS: Final = {"low": 5 * DAY, "normal": 3 * DAY, "high": DAY, "urgent": 4 * 3600}
OLD_ORDER_STATUSES: Final = bag(("completed", "cancelled"), (19, 1))
RECENT_ORDER_STATUSES: Final = ("pending", "confirmed", "shipped", "completed")


@dataclass(slots=True)
class Linked:
    """Rows of one table that later tables link to: id, contact, company, owner and time (parallel lists)."""

    ids: list[int] = field(default_factory=list)
    contact: list[int] = field(default_factory=list)
    company: list[int | None] = field(default_factory=list)
    owner: list[tuple[int, int]] = field(default_factory=list)
    at: list[int] = field(default_factory=list)

    def add(self, row_id: int, contact: int, company: int | None, owner: tuple[int, int], at: int) -> None:
        self.ids.append(row_id)
        self.contact.append(contact)
        self.company.append(company)
        self.owner.append(owner)
        self.at.append(at)


def _stage_path(g: ChunkGenerator, pipeline: PipelineRef) -> list[int]:
    """The stages a deal went through, ending in its current one: リード → 提案 → 見積 (→ 受注/失注)."""
    opens = pipeline.open_stage_ids
    outcome = g.dice.random()
    if outcome < 0.2 and pipeline.won_stage_id is not None:
        return [*opens, pipeline.won_stage_id]
    if outcome < 0.35 and pipeline.lost_stage_id is not None:
        return [*opens[: g.dice.between(1, len(opens))], pipeline.lost_stage_id]
    # Open deals thin out towards the later stages, as in a real funnel: 4, 3, 2, 1 of 10 with 4 stages.
    reached = g.dice.pick(bag(range(1, len(opens) + 1), range(len(opens), 0, -1)))
    return list(opens[:reached])


def _deal_title(g: ChunkGenerator, companies: CompanyInfo, company_id: int | None, family: str) -> str:
    who = companies.name[company_id - companies.ids[0]] if company_id is not None else f"{family}様"
    return f"{who} {g.dice.pick(DEAL_THEMES)}"


def deals(
    g: ChunkGenerator, contacts: ContactInfo, companies: CompanyInfo, count: int
) -> tuple[list[Row], list[Row], Linked]:
    """Deals across the stages of both pipelines, each with its full stage history."""
    dice, clock = g.dice, g.clock
    eligible = [i for i, status in enumerate(contacts.status) if status != "churned"] or list(
        range(len(contacts.ids))
    )
    first = g.ids.take("deal", count)
    deal_rows: list[Row] = []
    paths: list[tuple[int, list[int], int, list[int]]] = []
    linked = Linked()
    for deal_id in range(first, first + count):
        i = dice.pick(eligible)
        owner, company_id = contacts.owner[i], contacts.company[i]
        pipeline = g.ref.pipelines[0] if dice.chance(0.8) or len(g.ref.pipelines) == 1 else g.ref.pipelines[1]
        path = _stage_path(g, pipeline)
        created = clock.between(contacts.created[i], clock.now - DAY)
        times = [created]
        for _ in path[1:]:
            times.append(min(times[-1] + clock.between(DAY, 20 * DAY), clock.now))
        closed = path[-1] in (pipeline.won_stage_id, pipeline.lost_stage_id)
        lost = path[-1] == pipeline.lost_stage_id
        # Open deals are expected to close soon: a few already late, most in the coming six months.
        expected = times[-1] if closed else max(created, clock.now) + clock.between(-20, 180) * DAY
        title = _deal_title(g, companies, company_id, contacts.family[i])
        company_document = companies.document[company_id - companies.ids[0]] if company_id is not None else ""
        deal_rows.append((
            deal_id, clock.dt(created), clock.dt(times[-1]), len(path), owner[0], owner[1],
            title, company_id, contacts.ids[i],
            pipeline.pipeline_id, path[-1], dice.between(5, 500) * 10_000, clock.date(expected),
            clock.dt(times[-1]) if closed else None, dice.pick(LOST_REASONS) if lost else "", "{}",
            join_documents((part_document(title), company_document)),  # as Deal.search_parts
        ))  # fmt: skip
        paths.append((deal_id, path, owner[0], times))
        linked.add(deal_id, contacts.ids[i], company_id, owner, created)
    return deal_rows, _stage_changes(g, paths), linked


def _stage_changes(g: ChunkGenerator, paths: list[tuple[int, list[int], int, list[int]]]) -> list[Row]:
    first = g.ids.take("stage_change", sum(len(path) for _, path, _, _ in paths))
    rows: list[Row] = []
    for deal_id, path, user_id, times in paths:
        previous = None
        for stage_id, at in zip(path, times, strict=True):
            rows.append((first + len(rows), deal_id, previous, stage_id, g.clock.dt(at), user_id))
            previous = stage_id
    return rows


def _order_status(g: ChunkGenerator, order_ts: int) -> str:
    if g.clock.now - order_ts > 30 * DAY:
        return g.dice.pick(OLD_ORDER_STATUSES)
    return g.dice.pick(RECENT_ORDER_STATUSES)


def orders(g: ChunkGenerator, contacts: ContactInfo, count: int) -> tuple[list[Row], list[Row], Linked]:
    """Purchases, mostly by customers, with 1–3 lines; total = Σ quantity × unit price."""
    dice, clock = g.dice, g.clock
    buyers = [i for i, status in enumerate(contacts.status) if status == "customer"] or list(
        range(len(contacts.ids))
    )
    first = g.ids.take("order", count)
    order_rows: list[Row] = []
    lines: list[tuple[int, int, int, int]] = []
    linked = Linked()
    for order_id in range(first, first + count):
        i = dice.pick(buyers)
        owner, company_id = contacts.owner[i], contacts.company[i]
        ordered = clock.business_time(contacts.created[i], clock.now - 3600)
        total = 0
        for product_id, price in dice.rng.sample(g.ref.products, dice.between(1, 3)):
            quantity = dice.between(1, 10) if price >= 10_000 else dice.between(5, 100)
            lines.append((order_id, product_id, quantity, price))
            total += quantity * price
        order_rows.append((
            order_id, clock.dt(ordered), clock.dt(min(ordered + clock.between(0, 10) * DAY, clock.now)), 1,
            owner[0], owner[1], f"DEMO-{order_id:08d}", company_id, contacts.ids[i],
            clock.date(ordered + 9 * 3600), _order_status(g, ordered), total, "{}",
        ))  # fmt: skip
        linked.add(order_id, contacts.ids[i], company_id, owner, ordered)
    line_first = g.ids.take("order_line", len(lines))
    line_rows = [
        (line_first + n, order_id, product_id, quantity, price, quantity * price)
        for n, (order_id, product_id, quantity, price) in enumerate(lines)
    ]
    return order_rows, line_rows, linked
