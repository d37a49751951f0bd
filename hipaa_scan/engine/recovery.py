"""Recovery Services items (Azure Backup protected items, Site Recovery
replicated items): they live in a vault and name the resource they protect, so
a rule on that resource finds its items through an index built once per scan."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hipaa_scan.engine.expect import Expectation
from hipaa_scan.engine.index import ResourceIndex
from hipaa_scan.engine.lookup import lookup
from hipaa_scan.engine.rule import Context, Verdict
from hipaa_scan.model import Resource, Status

ItemTest = Callable[[Resource], bool]


@dataclass(frozen=True, slots=True)
class ProtectionItems:
    """Items by the lower-cased id of the resource they protect, and the
    subscriptions holding an item whose source could not be read (there, no
    item for a resource proves nothing)."""

    by_source: dict[str, list[Resource]]
    unreadable: frozenset[str | None]

    def of(self, resource: Resource) -> list[Resource]:
        return self.by_source.get(resource.key, [])


def _every(_item: Resource) -> bool:
    return True


def _none(_item: Resource) -> bool:
    return False


_BUILT: weakref.WeakKeyDictionary[ResourceIndex, dict[tuple[str, str, ItemTest, ItemTest], ProtectionItems]] = (
    weakref.WeakKeyDictionary()
)


def protection_items(
    ctx: Context,
    item_type: str,
    source_path: str,
    *,
    counts: ItemTest = _every,
    outside_azure: ItemTest = _none,
) -> ProtectionItems:
    """Items of ``item_type`` indexed by the Azure id at ``source_path``. Built
    once per snapshot index, not once per resource: pass module-level functions
    as ``counts`` and ``outside_azure``, which are part of the cache key.

    Only items that ``counts`` are indexed (a whole-VM backup, not SQL in the
    VM). An item whose source is not readable marks its subscription unreadable,
    unless ``outside_azure`` says it protects a machine outside Azure."""
    key = (item_type.lower(), source_path, counts, outside_azure)
    built = _BUILT.setdefault(ctx.index, {})
    if key not in built:
        by_source: dict[str, list[Resource]] = {}
        unreadable: set[str | None] = set()
        for item in ctx.of_type(item_type):
            source = lookup(item, source_path).value
            if not isinstance(source, str):
                if not outside_azure(item):
                    unreadable.add(item.subscription_id)
            elif counts(item):
                by_source.setdefault(source.lower().rstrip("/"), []).append(item)
        built[key] = ProtectionItems(by_source, frozenset(unreadable))
    return built[key]


def protection_state(
    items: Sequence[Resource], protected: Expectation, path: str, expected: str, not_protected: str
) -> Verdict:
    """The verdict on a resource's own items: pass when one's protectionState
    is ``protected``, fail (``not_protected``) when every state was read and
    none is, else unknown."""
    states = {i.name: lookup(i, "properties.protectionState").value for i in items}
    if any(protected(s) for s in states.values()):
        return Verdict(Status.PASS, path, states, expected)
    if all(isinstance(s, str) for s in states.values()):
        return Verdict(Status.FAIL, path, states, expected, not_protected)
    return Verdict(Status.UNKNOWN, path, states, expected, "protection state not in the input")
