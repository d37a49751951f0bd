from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Expectation,
    Lookup,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    judge,
    lookup,
    lookup_in,
    rule,
)

PATH = "properties.rotationPolicy.lifetimeActions"


def _action_types(actions: Any) -> list[Lookup]:
    return [lookup_in(a, "action.type") for a in actions if isinstance(a, Mapping)] if isinstance(actions, list) else []


ROTATES = Expectation(
    "contains a lifetime action with action.type 'Rotate'",
    lambda v: any(t.found and equals("Rotate")(t.value) for t in _action_types(v)),
)


@rule(
    id="KV-10",
    title="Key Vault keys have an automatic rotation policy",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults/keys"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "Automatic rotation limits how much ePHI any one key version protects and removes the manual step "
        "that is most often skipped."
    ),
    remediation=(
        "az keyvault key rotation-policy update --vault-name <vault> --name <key> --value @policy.json, where policy.json has "
        '"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}]'
    ),
)
def check(key: Resource, _ctx: Context) -> Verdict:
    found = lookup(key, PATH)
    # No rotation policy means the key is never rotated automatically (the default).
    verdict = judge(found, ROTATES, Status.FAIL)
    if verdict.status is Status.FAIL and found.found:
        types = _action_types(found.value)
        observed = [t.value for t in types]
        if any(t.presence is Presence.UNRESOLVED for t in types):
            return Verdict(
                Status.UNKNOWN, f"{PATH}[].action.type", observed, ROTATES.description, "unresolved action type"
            )
        return Verdict(Status.FAIL, f"{PATH}[].action.type", observed, ROTATES.description, "no Rotate action")
    return verdict
