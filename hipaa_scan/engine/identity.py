"""Building blocks for identity rules over the Entra tenant pseudo-resource
(see hipaa_scan.entra): read a Microsoft Graph dataset, or say why it is unknown."""

from __future__ import annotations

from typing import Any

from hipaa_scan.engine.lookup import lookup
from hipaa_scan.engine.rule import Verdict, unknown
from hipaa_scan.entra import missing_message
from hipaa_scan.model import Resource


def graph_dataset(tenant: Resource, dataset: str, expected: str) -> Any:
    """The dataset's value, or an ``unknown`` Verdict naming the Graph
    permission whose absence kept it out of the input. Callers test
    ``isinstance(result, Verdict)``."""
    path = f"graph.{dataset}"
    if not tenant.properties_collected:
        return unknown(path, f"no Microsoft Graph data in the input; {missing_message(dataset)}", expected)
    found = lookup(tenant, f"properties.{dataset}")
    if not found.found:
        return unknown(path, missing_message(dataset), expected)
    return found.value


__all__ = ["Verdict", "graph_dataset"]
