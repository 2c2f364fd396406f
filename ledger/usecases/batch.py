"""Batch appends for integrating systems: many actions in one call, atomic per report.

Each item is one lifecycle action, exactly as the single-action use cases take it (same
vocabulary, arguments, authorization and domain rules, same idempotency keys). The items of
one report are applied in order to one in-memory copy of it; if any of them fails, none of
that report's items is written. The reports that passed are then saved together through
`LedgerApplication.save_each` (group commit): one storage transaction, with a conflict
(another writer got there first) refused per report.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ledger.access.principal import Principal
from ledger.domain import Action, InvalidCommand, LedgerError
from ledger.usecases.actions import Actions
from ledger.usecases.appends import _NAMES
from ledger.usecases.batch_staging import Staging
from ledger.usecases.results import ActionResult

MAX_ITEMS = 100
ACTION_NAMES = frozenset(
    name for name in (_NAMES.get(a, a.value) for a in Action) if hasattr(Actions, name)
)
"""The action vocabulary: the API names of the single-action use cases."""

__all__ = ["MAX_ITEMS", "BatchAborted", "BatchActions", "BatchItem", "ItemOutcome"]


class BatchAborted(LedgerError):
    """Not written because another item of the same report in the batch failed."""

    def __init__(self, report_id: UUID, failed_item: int) -> None:
        self.report_id, self.failed_item = report_id, failed_item
        super().__init__(f"item {failed_item} of the same report failed; nothing of it was written")


@dataclass(frozen=True)
class BatchItem:
    """One action of a batch: what the single-action endpoint takes as path, body and headers."""

    report_id: UUID
    action: str  # the API name, e.g. "follow_up"
    args: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int | None = None  # the report's version just before this item
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ItemOutcome:
    """Exactly one of: the appended (or replayed) action, or why nothing was written."""

    result: ActionResult | None = None
    error: LedgerError | None = None


ArgsCheck = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def bind_args(action: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The default argument check: the keyword arguments the action's use case accepts."""
    method = getattr(Actions, action)
    try:
        inspect.signature(method).bind(None, None, None, None, **args)
    except TypeError as e:
        raise InvalidCommand(f"arguments of {action}: {e}", field="args") from None
    return dict(args)


class BatchActions:
    """Append up to `MAX_ITEMS` actions in one call; one outcome per item, in item order."""

    def __init__(self, actions: Actions) -> None:
        self.actions = actions

    def append(
        self,
        principal: Principal,
        items: Sequence[BatchItem],
        *,
        check_args: ArgsCheck = bind_args,
    ) -> list[ItemOutcome]:
        """Apply the items (per-report atomic); replays of earlier keys write nothing."""
        _check_shape(items)
        staging = Staging(self.actions, principal)
        errors: dict[int, LedgerError] = {}
        args: dict[int, dict[str, Any]] = {}
        for index, item in enumerate(items):  # every item's own argument errors are told
            try:
                args[index] = check_args(item.action, item.args)
                if item.idempotency_key is not None:
                    staging.fingerprint(index, item, args[index])
            except LedgerError as e:
                errors[index] = e
                staging.fail(item.report_id, index)
        errors |= staging.claim(items)
        todo = [
            (index, item)
            for index, item in enumerate(items)
            if index not in errors
            and index not in staging.replays
            and item.report_id not in staging.failed
        ]
        staging.preload([item.report_id for _, item in todo])
        for index, item in todo:
            if item.report_id in staging.failed:
                continue  # an item not attempted: its outcome says which item failed
            try:
                staging.apply(index, item, args[index])
            except LedgerError as e:
                errors[index] = e
                staging.fail(item.report_id, index)
        staging.save()
        outcomes = [self._outcome(staging, errors, i, item) for i, item in enumerate(items)]
        staging.settle(outcomes)
        return outcomes

    def _outcome(
        self, staging: Staging, errors: dict[int, LedgerError], index: int, item: BatchItem
    ) -> ItemOutcome:
        if index in errors:
            return ItemOutcome(error=errors[index])
        if index in staging.replays:
            return ItemOutcome(result=staging.replays[index])
        failure = staging.failed.get(item.report_id)
        if isinstance(failure, LedgerError):  # the save refused it (a concurrent append)
            return ItemOutcome(error=failure)
        if failure is not None:
            return ItemOutcome(error=BatchAborted(item.report_id, failure))
        return ItemOutcome(result=staging.final(index))


def _check_shape(items: Sequence[BatchItem]) -> None:
    if not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidCommand(f"a batch holds 1 to {MAX_ITEMS} items", field="items")
    keys = [i.idempotency_key for i in items if i.idempotency_key is not None]
    if len(keys) != len(set(keys)):
        raise InvalidCommand("idempotency keys must be unique within a batch", field="items")
    unknown = {i.action for i in items} - ACTION_NAMES
    if unknown:
        raise InvalidCommand(f"unknown actions: {sorted(unknown)}", field="items")
