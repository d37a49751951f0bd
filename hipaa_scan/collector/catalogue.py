"""Where each resource type the rules read comes from, as data.

Azure Resource Graph indexes tracked resources and a few proxy types in its
tables; it does not hold most child settings (SQL auditing, TDE, blob service
properties...) nor extension resources such as diagnostic settings. Those are
listed with plain ARM GETs at the api-version given here. Anything a rule reads
that is in neither table is reported as a coverage gap, never guessed.
"""

from __future__ import annotations

# Child and extension types read with ARM GET {parent or scope}/{segment}
# (lower-cased type -> api-version). Verified against the REST API specs.
ARM_DETAIL_TYPES: dict[str, str] = {
    "microsoft.sql/servers/auditingsettings": "2021-11-01",
    "microsoft.sql/servers/encryptionprotector": "2021-11-01",
    "microsoft.sql/servers/administrators": "2021-11-01",
    "microsoft.sql/servers/firewallrules": "2021-11-01",
    "microsoft.sql/servers/azureadonlyauthentications": "2021-11-01",
    "microsoft.sql/servers/securityalertpolicies": "2021-11-01",
    "microsoft.sql/servers/databases/transparentdataencryption": "2021-11-01",
    "microsoft.sql/servers/databases/backuplongtermretentionpolicies": "2021-11-01",
    "microsoft.storage/storageaccounts/blobservices": "2023-05-01",
    "microsoft.keyvault/vaults/keys": "2023-07-01",
    "microsoft.keyvault/vaults/secrets": "2023-07-01",
    "microsoft.web/sites/config": "2023-12-01",
    "microsoft.dbformysql/flexibleservers/configurations": "2023-12-30",
    "microsoft.dbforpostgresql/flexibleservers/configurations": "2022-12-01",
    "microsoft.dbforpostgresql/flexibleservers/administrators": "2022-12-01",
    "microsoft.dbforpostgresql/flexibleservers/firewallrules": "2022-12-01",
    "microsoft.insights/diagnosticsettings": "2021-05-01-preview",
    "microsoft.security/pricings": "2024-01-01",
    "microsoft.authorization/policyassignments": "2023-04-01",
    "microsoft.authorization/roleassignmentscheduleinstances": "2020-10-01",
    "microsoft.authorization/roleeligibilityscheduleinstances": "2020-10-01",
    "microsoft.recoveryservices/vaults/backuppolicies": "2024-04-01",
    "microsoft.security/securitycontacts": "2023-12-01-preview",
    "microsoft.securityinsights/onboardingstates": "2024-09-01",
    "microsoft.security/settings": "2022-05-01",
    "microsoft.cdn/profiles/securitypolicies": "2024-02-01",
    "microsoft.cdn/profiles/customdomains": "2024-02-01",
    "microsoft.securityinsights/dataconnectors": "2024-09-01",
    "microsoft.securityinsights/alertrules": "2024-09-01",
}

SUBSCRIPTION = "microsoft.resources/subscriptions"
# Extension types, listed on a scope as {scope}/providers/{type}, and the
# scopes to list them on: a fixed scope type, or None for "the resources of
# the rules that read it" (diagnostic settings live on each resource).
EXTENSION_TYPES: dict[str, frozenset[str] | None] = {
    "microsoft.insights/diagnosticsettings": None,
    "microsoft.security/pricings": frozenset({SUBSCRIPTION}),
    "microsoft.authorization/policyassignments": frozenset({SUBSCRIPTION}),
    "microsoft.authorization/roleassignments": frozenset({SUBSCRIPTION}),
    "microsoft.authorization/roleassignmentscheduleinstances": frozenset({SUBSCRIPTION}),
    "microsoft.authorization/roleeligibilityscheduleinstances": frozenset({SUBSCRIPTION}),
    "microsoft.security/securitycontacts": frozenset({SUBSCRIPTION}),
    "microsoft.security/settings": frozenset({SUBSCRIPTION}),
    "microsoft.securityinsights/onboardingstates": frozenset({"microsoft.operationalinsights/workspaces"}),
    "microsoft.securityinsights/dataconnectors": frozenset({"microsoft.operationalinsights/workspaces"}),
    "microsoft.securityinsights/alertrules": frozenset({"microsoft.operationalinsights/workspaces"}),
}

# Child collections the parent already carries inline in its ARM body (and so
# in Resource Graph): listing them again would only repeat what is there.
INLINE_CHILD_TYPES: frozenset[str] = frozenset(
    {
        "microsoft.network/networksecuritygroups/securityrules",
        "microsoft.network/virtualnetworks/subnets",
    }
)

# Resource Graph tables by type; every other inventory type is in `resources`.
GRAPH_TABLES: dict[str, str] = {
    "microsoft.authorization/roleassignments": "authorizationresources",
    "microsoft.authorization/roledefinitions": "authorizationresources",
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems": "recoveryservicesresources",
    "microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/replicationprotecteditems": "recoveryservicesresources",
}
DEFAULT_TABLE = "resources"


def graph_table(type_key: str) -> str:
    if type_key.startswith("microsoft.security/"):
        return "securityresources"
    return GRAPH_TABLES.get(type_key, DEFAULT_TABLE)
