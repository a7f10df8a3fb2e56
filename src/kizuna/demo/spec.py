"""What the row generator needs from the database, as plain picklable data.

The generator may run in a separate process (see ``pipeline``) that never touches Django's models
or connections, so everything it needs is read first and handed over in a :class:`GenerationSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pools import Pools


@dataclass(frozen=True, slots=True)
class PipelineRef:
    pipeline_id: int
    open_stage_ids: tuple[int, ...]
    won_stage_id: int | None
    lost_stage_id: int | None


@dataclass(frozen=True, slots=True)
class Reference:
    """Ids the bulk rows point at; owners are (user id, team id) pairs so team always follows owner."""

    sales: tuple[tuple[int, int], ...]
    support: tuple[tuple[int, int], ...]
    pipelines: tuple[PipelineRef, ...]
    products: tuple[tuple[int, int], ...]
    tag_ids: tuple[int, ...]
    created_users: int


@dataclass(frozen=True, slots=True)
class GenerationSpec:
    """Everything that determines the rows: the same spec always yields the same rows."""

    seed: int
    contacts: int
    chunk_size: int
    now: int  # epoch seconds; demo history ends here
    pools: Pools
    ref: Reference
    first_ids: dict[str, int]
    taken_numbers: frozenset[str]
