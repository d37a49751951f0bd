import re
from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    list_at,
    lookup,
    not_applicable,
    rule,
    unknown,
)

PATH = "properties.permissions[].actions[] & properties.assignableScopes[]"
EXPECTED = "a custom role does not grant '*' actions at root, management group or subscription scope"
BROAD_SCOPE = re.compile(r"^/$|^/subscriptions/[^/]+/?$|^/providers/microsoft\.management/managementgroups/[^/]+/?$")


@rule(
    id="GOV-04",
    title="No custom roles with subscription-owner ('*') permissions",
    severity="high",
    resource_types=["Microsoft.Authorization/roleDefinitions"],
    citations=["164.308(a)(4)(ii)(B)", "164.308(a)(3)(ii)(A)"],
    rationale=(
        "A custom role with '*' actions at subscription or wider scope is an unreviewed copy of Owner: whoever "
        "holds it can grant themselves access to every ePHI store, defeating least-privilege access."
    ),
    remediation=(
        "az role definition update --role-definition <role.json> with the specific actions the job needs "
        "(or delete the role and assign a built-in role instead)."
    ),
)
def check(role: Resource, _ctx: Context) -> Verdict:
    kind = lookup(role, "properties.type")
    if kind.found and not equals("CustomRole")(kind.value):
        return not_applicable(
            "properties.type", kind.value, "built-in role", expected="properties.type == 'CustomRole'"
        )
    permissions = lookup(role, "properties.permissions")
    scopes = lookup(role, "properties.assignableScopes")
    if (
        kind.presence is not Presence.FOUND
        or not isinstance(permissions.value, list)
        or not isinstance(scopes.value, list)
    ):
        return unknown(PATH, "role type, permissions or assignable scopes were not in the input", EXPECTED)
    actions: list[Any] = []
    for permission in permissions.value:
        actions.extend(list_at(permission, "actions") if isinstance(permission, Mapping) else [permission])
    if not all(isinstance(v, str) for v in [*actions, *scopes.value]):
        return unknown(PATH, "actions or assignable scopes could not be read (unresolved values)", EXPECTED)
    broad = [s for s in scopes.value if BROAD_SCOPE.match(s.lower())]
    observed = {"actions": actions, "assignableScopes": scopes.value}
    if "*" in actions and broad:
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, f"'*' actions assignable at {broad}")
    return Verdict(Status.PASS, PATH, observed, EXPECTED)
