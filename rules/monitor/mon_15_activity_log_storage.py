from collections.abc import Mapping

from hipaa_scan.engine import (
    DIAGNOSTIC_SETTINGS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    combine_all,
    equals,
    judge,
    lookup,
    not_applicable,
    rule,
    unknown,
)

ACCOUNTS = "Microsoft.Storage/storageAccounts"
PATH = f"{DIAGNOSTIC_SETTINGS}[].properties.storageAccountId"
EXPECTED = (
    "every storage account the Activity Log is exported to has encryption.keySource 'Microsoft.Keyvault' AND "
    "allowBlobPublicAccess false"
)


def _account_verdict(account: Resource) -> Verdict:
    return combine_all(
        [
            # keySource defaults to Microsoft.Storage (platform-managed keys).
            judge(lookup(account, "properties.encryption.keySource"), equals("Microsoft.Keyvault")),
            # Older accounts omit allowBlobPublicAccess and allow public containers (as ST-03).
            judge(lookup(account, "properties.allowBlobPublicAccess"), equals(False), Status.FAIL),
        ]
    )


@rule(
    id="MON-15",
    title="Activity-log storage account: CMK and not public",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[DIAGNOSTIC_SETTINGS, ACCOUNTS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.312(a)(2)(iv)"],
    rationale=(
        "The storage account that archives the Activity Log holds the audit trail of every change to resources "
        "with ePHI. Encrypting it with a customer-managed key and disallowing anonymous blob access keeps that "
        "trail confidential and under the organisation's key control (Azure Policy fbb99e8e). A subscription "
        "whose Activity Log goes to no storage account is not applicable."
    ),
    remediation=(
        "az storage account update --name <account> --resource-group <rg> --allow-blob-public-access false "
        "--encryption-key-source Microsoft.Keyvault --encryption-key-vault <vault-uri> --encryption-key-name <key> "
        "--identity-type SystemAssigned"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, DIAGNOSTIC_SETTINGS)
    if not related.known:
        return unknown(PATH, "subscription diagnostic settings were not in the input", EXPECTED)
    targets: set[str] = set()
    for setting in related.items:
        props = setting.raw.get("properties")
        target = props.get("storageAccountId") if isinstance(props, Mapping) else None
        if isinstance(target, str) and target:
            targets.add(target)
    if not targets:
        if not related.items or all(s.properties_collected for s in related.items):
            return not_applicable(PATH, None, "the Activity Log is not exported to a storage account", EXPECTED)
        return unknown(PATH, "diagnostic setting properties were not in the input", EXPECTED)
    verdicts: list[Verdict] = []
    for target in sorted(targets):
        account = ctx.get(target)
        name = target.rstrip("/").rsplit("/", 1)[-1]
        if account is None:
            verdicts.append(unknown(f"{name}: properties", "the storage account is not in the input", EXPECTED))
            continue
        found = _account_verdict(account)
        verdicts.append(Verdict(found.status, f"{name}: {found.path}", found.observed, found.expected, found.message))
    return combine_all(verdicts)
