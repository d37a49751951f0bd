"""A deterministic synthetic Azure estate for benchmarks and load tests.

Property shapes follow the Azure REST API specs' x-ms-examples (MIT; see
shared/azure-api-examples) and the Microsoft Graph v1.0 reference examples;
values are varied per resource (seeded) so every rule sees both passing and
failing resources.

``resources_per_subscription`` counts primary resources (what Resource Graph
lists: storage accounts, key vaults, SQL servers, NSGs, VNets, web sites, VMs,
disks, Cosmos DB accounts). Each also brings its ARM-only children (blob
service, keys, SQL auditing/TDE/..., site config), SQL databases and VM OS
disks, and about half carry a diagnostic setting. Every subscription also gets
a Log Analytics workspace, Defender plans, a subscription diagnostic setting
(two subscriptions in three), activity log alerts and policy assignments.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from emulator.tenant import Subscription, Tenant
from hipaa_scan import entra

Resource = dict[str, Any]

LOCATIONS = (("eastus", 40), ("eastus2", 25), ("westus2", 15), ("centralus", 10), ("westeurope", 10))
DISPLAY_LOCATION = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westus2": "West US 2",
    "centralus": "Central US",
    "westeurope": "West Europe",
}
WORKLOADS = ("clinical", "billing", "research", "portal", "imaging", "analytics", "claims", "shared")
KINDS = (
    ("storage", 15),
    ("keyvault", 10),
    ("sql", 8),
    ("nsg", 12),
    ("vnet", 8),
    ("web", 12),
    ("vm", 10),
    ("disk", 10),
    ("cosmos", 5),
)
DEFENDER_PLANS = (
    "VirtualMachines",
    "SqlServers",
    "SqlServerVirtualMachines",
    "StorageAccounts",
    "KeyVaults",
    "AppServices",
    "Arm",
    "CloudPosture",
    "Containers",
    "OpenSourceRelationalDatabases",
    "CosmosDbs",
)
CREATED = "2025-09-15T13:55:20.0000000Z"


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weighted: tuple[tuple[str, int], ...]) -> str:
        values = [v for v, _ in weighted]
        weights = [w for _, w in weighted]
        return self.rng.choices(values, weights)[0]


def _rid(sub: str, rg: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider_type}/{name}"


def _tags(g: _Gen, workload: str, phi: bool) -> dict[str, str]:
    tags = {"environment": g.rng.choice(("prod", "prod", "staging", "dev")), "application": workload}
    if phi:
        tags["dataClassification"] = "ePHI"
    if g.chance(0.8):
        tags["owner"] = f"{workload}-team@contosohealth.example"
    if g.chance(0.7):
        tags["costCenter"] = f"CC-{g.rng.randint(1000, 9999)}"
    return tags


def _diagnostic(g: _Gen, scope: str, name: str, workspace: str, categories: tuple[str, ...]) -> Resource:
    to_workspace = g.chance(0.85)
    return {
        "id": f"{scope}/providers/Microsoft.Insights/diagnosticSettings/{name}",
        "type": "Microsoft.Insights/diagnosticSettings",
        "name": name,
        "properties": {
            "storageAccountId": None,
            "workspaceId": workspace if to_workspace else "",
            "eventHubAuthorizationRuleId": None,
            "metrics": [{"category": "AllMetrics", "enabled": True, "retentionPolicy": {"enabled": False, "days": 0}}],
            "logs": (
                [
                    {
                        "category": None,
                        "categoryGroup": "allLogs",
                        "enabled": True,
                        "retentionPolicy": {"enabled": False, "days": 0},
                    }
                ]
                if g.chance(0.5)
                else [
                    {
                        "category": c,
                        "categoryGroup": None,
                        "enabled": g.chance(0.85),
                        "retentionPolicy": {"enabled": False, "days": 0},
                    }
                    for c in categories
                ]
            ),
            "logAnalyticsDestinationType": None,
        },
    }


class _Subscription:
    """Builds one subscription's resources."""

    def __init__(self, g: _Gen, tenant_id: str, sub: str, index: int, count: int) -> None:
        self.g, self.tenant_id, self.sub, self.index = g, tenant_id, sub, index
        self.out: list[Resource] = []
        groups = max(2, count // 40)
        self.groups = [f"rg-{WORKLOADS[i % len(WORKLOADS)]}-{i // len(WORKLOADS) + 1:02d}" for i in range(groups)]
        self.workspace = _rid(sub, "rg-monitoring", "Microsoft.OperationalInsights/workspaces", f"law-sec-{index:02d}")
        self.count = count

    def build(self) -> list[Resource]:
        self._subscription_level()
        builders = {
            "storage": self._storage,
            "keyvault": self._keyvault,
            "sql": self._sql,
            "nsg": self._nsg,
            "vnet": self._vnet,
            "web": self._web,
            "vm": self._vm,
            "disk": self._disk,
            "cosmos": self._cosmos,
        }
        for i in range(self.count):
            kind = self.g.pick(KINDS)
            rg = self.g.rng.choice(self.groups)
            location = self.g.pick(LOCATIONS)
            builders[kind](i, rg, location)
        return self.out

    # -- subscription level -------------------------------------------------

    def _subscription_level(self) -> None:
        g, sub = self.g, self.sub
        self.out.append(
            {
                "id": self.workspace,
                "name": self.workspace.rsplit("/", 1)[1],
                "type": "Microsoft.OperationalInsights/workspaces",
                "location": "eastus",
                "tags": {"environment": "prod", "application": "siem"},
                "properties": {
                    "customerId": g.guid(),
                    "provisioningState": "Succeeded",
                    "sku": {"name": "PerGB2018", "lastSkuUpdate": CREATED},
                    "retentionInDays": g.rng.choice((30, 90, 365, 730)),
                    "features": {"enableLogAccessUsingOnlyResourcePermissions": True},
                    "workspaceCapping": {"dailyQuotaGb": -1.0},
                    "publicNetworkAccessForIngestion": "Enabled",
                    "publicNetworkAccessForQuery": g.rng.choice(("Enabled", "Disabled")),
                    "createdDate": CREATED,
                    "modifiedDate": CREATED,
                },
            }
        )
        for plan in DEFENDER_PLANS:
            standard = g.chance(0.7)
            properties: dict[str, Any] = {
                "pricingTier": "Standard" if standard else "Free",
                "freeTrialRemainingTime": "PT0S",
                "enforce": "False",
                "resourcesCoverageStatus": "FullyCovered" if standard else "NotCovered",
            }
            if standard:
                properties["enablementTime"] = "2025-03-01T12:42:42.1921106Z"
            if standard and plan == "VirtualMachines":
                properties["subPlan"] = g.rng.choice(("P1", "P2"))
            if standard and plan == "StorageAccounts":
                properties["subPlan"] = "DefenderForStorageV2"
                properties["extensions"] = [
                    {"name": "OnUploadMalwareScanning", "isEnabled": "True"},
                    {"name": "SensitiveDataDiscovery", "isEnabled": "True"},
                ]
            self.out.append(
                {
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{plan}",
                    "name": plan,
                    "type": "Microsoft.Security/pricings",
                    "properties": properties,
                }
            )
        if self.index % 3 != 2:
            self.out.append(
                {
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Insights/diagnosticSettings/activity-to-law",
                    "type": "Microsoft.Insights/diagnosticSettings",
                    "name": "activity-to-law",
                    "properties": {
                        "storageAccountId": None,
                        "workspaceId": self.workspace,
                        "eventHubAuthorizationRuleId": None,
                        "logs": [
                            {"category": c, "categoryGroup": None, "enabled": c != "Autoscale" or g.chance(0.5)}
                            for c in ("Administrative", "Security", "ServiceHealth", "Alert", "Policy", "Autoscale")
                        ],
                    },
                }
            )
        for n, operation in enumerate(
            (
                "Microsoft.Authorization/policyAssignments/write",
                "Microsoft.Network/networkSecurityGroups/securityRules/write",
                "Microsoft.Sql/servers/firewallRules/write",
            )[: g.rng.randint(0, 3)]
        ):
            self.out.append(
                {
                    "id": _rid(sub, "rg-monitoring", "Microsoft.Insights/activityLogAlerts", f"ala-{n + 1:02d}"),
                    "type": "Microsoft.Insights/activityLogAlerts",
                    "name": f"ala-{n + 1:02d}",
                    "location": "Global",
                    "tags": {},
                    "properties": {
                        "scopes": [f"/subscriptions/{sub}"],
                        "condition": {
                            "allOf": [
                                {"field": "category", "equals": "Administrative"},
                                {"field": "operationName", "equals": operation},
                            ]
                        },
                        "actions": {
                            "actionGroups": [
                                {
                                    "actionGroupId": _rid(
                                        sub, "rg-monitoring", "microsoft.insights/actionGroups", "ag-secops"
                                    ),
                                    "webhookProperties": {},
                                }
                            ]
                        },
                        "enabled": g.chance(0.9),
                        "description": f"Alert on {operation}",
                    },
                }
            )
        for name, definition, display in (
            ("hipaa-hitrust", "a169a624-5599-4385-a696-c8d643089fab", "HITRUST/HIPAA"),
            ("asc-default", "1f3afdf9-d0c9-4c3d-847f-89da613e70a8", "Microsoft cloud security benchmark"),
        )[: g.rng.randint(1, 2)]:
            self.out.append(
                {
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/policyAssignments/{name}",
                    "type": "Microsoft.Authorization/policyAssignments",
                    "name": name,
                    "location": "eastus",
                    "identity": {"type": "SystemAssigned", "principalId": g.guid(), "tenantId": self.tenant_id},
                    "properties": {
                        "displayName": display,
                        "policyDefinitionId": f"/providers/Microsoft.Authorization/policySetDefinitions/{definition}",
                        "scope": f"/subscriptions/{sub}",
                        "notScopes": [],
                        "parameters": {},
                        "enforcementMode": g.rng.choice(("Default", "DoNotEnforce")),
                        "metadata": {"assignedBy": "Platform Security"},
                    },
                }
            )

    def _identity(self, p: float) -> dict[str, Any]:
        if not self.g.chance(p):
            return {}
        return {"identity": {"type": "SystemAssigned", "principalId": self.g.guid(), "tenantId": self.tenant_id}}

    def _maybe_diagnostic(self, scope: str, name: str, categories: tuple[str, ...]) -> None:
        if self.g.chance(0.5):
            self.out.append(_diagnostic(self.g, scope, f"diag-{name}", self.workspace, categories))

    # -- primary resources ----------------------------------------------------

    def _storage(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"st{self.index:02d}{i:05d}{g.hex(6)}"
        rid = _rid(self.sub, rg, "Microsoft.Storage/storageAccounts", name)
        workload = rg.split("-")[1]
        cmk = g.chance(0.3)
        encryption: dict[str, Any] = {
            "services": {
                "file": {"keyType": "Account", "enabled": True, "lastEnabledTime": CREATED},
                "blob": {"keyType": "Account", "enabled": True, "lastEnabledTime": CREATED},
            },
            "keySource": "Microsoft.Keyvault" if cmk else "Microsoft.Storage",
            "requireInfrastructureEncryption": g.chance(0.3),
        }
        if cmk:
            encryption["keyvaultproperties"] = {
                "keyname": "cmk-storage",
                "keyvaulturi": f"https://kv-{self.index:02d}-cmk.vault.azure.net",
            }
        endpoints = {
            svc: f"https://{name}.{svc}.core.windows.net/" for svc in ("web", "dfs", "blob", "file", "queue", "table")
        }
        self.out.append(
            {
                "id": rid,
                "kind": "StorageV2",
                "location": location,
                "name": name,
                "type": "Microsoft.Storage/storageAccounts",
                "sku": {"name": g.rng.choice(("Standard_LRS", "Standard_GRS", "Standard_ZRS")), "tier": "Standard"},
                "tags": _tags(g, workload, g.chance(0.6)),
                "properties": {
                    "keyCreationTime": {"key1": CREATED, "key2": CREATED},
                    "isHnsEnabled": g.chance(0.2),
                    "creationTime": CREATED,
                    "networkAcls": {
                        "bypass": "AzureServices",
                        "defaultAction": g.rng.choice(("Allow", "Deny", "Deny")),
                        "ipRules": [],
                        "virtualNetworkRules": [],
                        "resourceAccessRules": [],
                    },
                    "primaryEndpoints": endpoints,
                    "primaryLocation": location,
                    "provisioningState": "Succeeded",
                    "encryption": encryption,
                    "statusOfPrimary": "available",
                    "supportsHttpsTrafficOnly": g.chance(0.9),
                    "minimumTlsVersion": g.rng.choice(("TLS1_2", "TLS1_2", "TLS1_2", "TLS1_0")),
                    "allowBlobPublicAccess": g.chance(0.2),
                    "allowSharedKeyAccess": g.chance(0.5),
                    "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
                    "isSkuConversionBlocked": False,
                    "accountMigrationInProgress": False,
                },
            }
        )
        blob = f"{rid}/blobServices/default"
        self.out.append(
            {
                "name": "default",
                "type": "Microsoft.Storage/storageAccounts/blobServices",
                "id": blob,
                "properties": {
                    "changeFeed": {"enabled": g.chance(0.5), "retentionInDays": 7},
                    "cors": {"corsRules": []},
                    "deleteRetentionPolicy": {"days": g.rng.choice((7, 14, 30)), "enabled": g.chance(0.7)},
                    "containerDeleteRetentionPolicy": {"days": 7, "enabled": g.chance(0.6)},
                    "isVersioningEnabled": g.chance(0.5),
                },
                "sku": {"name": "Standard_GRS", "tier": "Standard"},
            }
        )
        self._maybe_diagnostic(blob, name, ("StorageRead", "StorageWrite", "StorageDelete"))

    def _keyvault(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"kv-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.KeyVault/vaults", name)
        rbac = g.chance(0.6)
        properties: dict[str, Any] = {
            "sku": {"family": "A", "name": g.rng.choice(("standard", "premium"))},
            "tenantId": self.tenant_id,
            "accessPolicies": []
            if rbac
            else [
                {
                    "tenantId": self.tenant_id,
                    "objectId": g.guid(),
                    "permissions": {"keys": ["get", "list", "wrapKey", "unwrapKey"], "secrets": ["get", "list"]},
                }
            ],
            "enabledForDeployment": False,
            "enabledForDiskEncryption": g.chance(0.5),
            "enabledForTemplateDeployment": False,
            "enableRbacAuthorization": rbac,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": g.rng.choice((7, 90, 90)),
            "vaultUri": f"https://{name}.vault.azure.net/",
            "provisioningState": "Succeeded",
            "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
            "networkAcls": {"bypass": "AzureServices", "defaultAction": g.rng.choice(("Allow", "Deny"))},
        }
        if g.chance(0.7):
            properties["enablePurgeProtection"] = True
        self.out.append(
            {
                "id": rid,
                "name": name,
                "type": "Microsoft.KeyVault/vaults",
                "location": location,
                "tags": _tags(g, rg.split("-")[1], g.chance(0.5)),
                "systemData": {
                    "createdBy": "platform-automation@contosohealth.example",
                    "createdByType": "User",
                    "createdAt": CREATED,
                    "lastModifiedBy": "platform-automation@contosohealth.example",
                    "lastModifiedByType": "User",
                    "lastModifiedAt": CREATED,
                },
                "properties": properties,
            }
        )
        for key in range(g.rng.randint(1, 2)):
            key_name = f"key-{key + 1}"
            attributes: dict[str, Any] = {
                "enabled": True,
                "created": 1757944520,
                "updated": 1757944520,
                "recoveryLevel": "Recoverable+Purgeable",
            }
            if g.chance(0.5):
                attributes["exp"] = 1820000000
            self.out.append(
                {
                    "id": f"{rid}/keys/{key_name}",
                    "name": key_name,
                    "type": "Microsoft.KeyVault/vaults/keys",
                    "location": location,
                    "properties": {
                        "attributes": attributes,
                        "kty": g.rng.choice(("RSA", "RSA-HSM")),
                        "keyOps": ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
                        "keySize": g.rng.choice((2048, 3072, 4096)),
                        "keyUri": f"https://{name}.vault.azure.net/keys/{key_name}",
                        "keyUriWithVersion": f"https://{name}.vault.azure.net/keys/{key_name}/{g.hex(32)}",
                        "rotationPolicy": {
                            "lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "rotate"}}]
                        }
                        if g.chance(0.5)
                        else {},
                    },
                }
            )
        self._maybe_diagnostic(rid, name, ("AuditEvent", "AzurePolicyEvaluationDetails"))

    def _sql(self, i: int, rg: str, location: str) -> None:
        g, sub = self.g, self.sub
        name = f"sql-{self.index:02d}-{i:05d}"
        rid = _rid(sub, rg, "Microsoft.Sql/servers", name)
        aad_only = g.chance(0.4)
        self.out.append(
            {
                "tags": _tags(g, rg.split("-")[1], True),
                "id": rid,
                "name": name,
                "type": "Microsoft.Sql/servers",
                "location": location,
                "kind": "v12.0",
                "properties": {
                    "fullyQualifiedDomainName": f"{name}.database.windows.net",
                    "administratorLogin": "sqladmin",
                    "version": "12.0",
                    "state": "Ready",
                    "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
                    "minimalTlsVersion": g.rng.choice(("1.2", "1.2", "1.0")),
                    "restrictOutboundNetworkAccess": "Disabled",
                    "privateEndpointConnections": [],
                },
            }
        )
        auditing = g.chance(0.7)
        self.out.append(
            {
                "id": f"{rid}/auditingSettings/default",
                "name": "default",
                "type": "Microsoft.Sql/servers/auditingSettings",
                "properties": {
                    "state": "Enabled" if auditing else "Disabled",
                    "storageEndpoint": "",
                    "retentionDays": g.rng.choice((0, 90, 180)) if auditing else 0,
                    "auditActionsAndGroups": [
                        "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
                        "FAILED_DATABASE_AUTHENTICATION_GROUP",
                        "BATCH_COMPLETED_GROUP",
                    ]
                    if auditing
                    else [],
                    "storageAccountSubscriptionId": "00000000-0000-0000-0000-000000000000",
                    "isStorageSecondaryKeyInUse": False,
                    "isAzureMonitorTargetEnabled": auditing,
                    "isManagedIdentityInUse": False,
                },
            }
        )
        cmk = g.chance(0.4)
        self.out.append(
            {
                "id": f"{rid}/encryptionProtector/current",
                "name": "current",
                "type": "Microsoft.Sql/servers/encryptionProtector",
                "location": DISPLAY_LOCATION[location],
                "kind": "azurekeyvault" if cmk else "servicemanaged",
                "properties": {
                    "serverKeyName": f"kv-{self.index:02d}-cmk_cmk-sql_{g.hex(32)}" if cmk else "ServiceManaged",
                    "serverKeyType": "AzureKeyVault" if cmk else "ServiceManaged",
                    "uri": f"https://kv-{self.index:02d}-cmk.vault.azure.net/keys/cmk-sql/{g.hex(32)}" if cmk else None,
                    "autoRotationEnabled": cmk and g.chance(0.5),
                },
            }
        )
        if g.chance(0.8):
            self.out.append(
                {
                    "id": f"{rid}/administrators/ActiveDirectory",
                    "name": "ActiveDirectory",
                    "type": "Microsoft.Sql/servers/administrators",
                    "properties": {
                        "administratorType": "ActiveDirectory",
                        "login": "sql-admins@contosohealth.example",
                        "sid": g.guid(),
                        "tenantId": self.tenant_id,
                        "azureADOnlyAuthentication": aad_only,
                    },
                }
            )
        for n in range(g.rng.randint(0, 2)):
            wide = g.chance(0.3)
            rule = "AllowAllWindowsAzureIps" if n == 0 and g.chance(0.5) else f"fw-office-{n + 1}"
            start = "0.0.0.0" if rule == "AllowAllWindowsAzureIps" or wide else f"203.0.113.{10 * (n + 1)}"
            end = (
                "0.0.0.0"
                if rule == "AllowAllWindowsAzureIps"
                else ("255.255.255.255" if wide else f"203.0.113.{10 * (n + 1) + 5}")
            )
            self.out.append(
                {
                    "id": f"{rid}/firewallRules/{rule}",
                    "name": rule,
                    "type": "Microsoft.Sql/servers/firewallRules",
                    "properties": {"startIpAddress": start, "endIpAddress": end},
                }
            )
        databases = ["master"] + [f"sqldb-{n + 1}" for n in range(g.rng.randint(1, 2))]
        for db in databases:
            system = db == "master"
            db_id = f"{rid}/databases/{db}"
            sku = (
                {"name": "System", "tier": "System", "capacity": 0}
                if system
                else {"name": "GP_Gen5_2", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 2}
            )
            database: Resource = {
                "sku": sku,
                "kind": "v12.0,system" if system else "v12.0,user,vcore",
                "properties": {
                    "collation": "SQL_Latin1_General_CP1_CI_AS",
                    "maxSizeBytes": 34359738368,
                    "status": "Online",
                    "databaseId": g.guid(),
                    "creationDate": "2025-09-16T11:02:37.113Z",
                    "currentServiceObjectiveName": sku["name"],
                    "requestedServiceObjectiveName": sku["name"],
                    "catalogCollation": "SQL_Latin1_General_CP1_CI_AS",
                    "zoneRedundant": g.chance(0.3),
                    "readScale": "Disabled",
                    "currentSku": sku,
                    "currentBackupStorageRedundancy": g.rng.choice(("Geo", "Local", "Zone")),
                    "requestedBackupStorageRedundancy": "Geo",
                    "isLedgerOn": False,
                },
                "location": location,
                "id": db_id,
                "name": db,
                "type": "Microsoft.Sql/servers/databases",
            }
            if system:
                database["managedBy"] = rid
            else:
                database["tags"] = _tags(g, rg.split("-")[1], True)
            self.out.append(database)
            if not system:
                self.out.append(
                    {
                        "id": f"{db_id}/transparentDataEncryption/current",
                        "name": "current",
                        "type": "Microsoft.Sql/servers/databases/transparentDataEncryption",
                        "properties": {"state": "Enabled" if g.chance(0.9) else "Disabled"},
                    }
                )
                self._maybe_diagnostic(db_id, f"{name}-{db}", ("SQLSecurityAuditEvents", "Errors", "Timeouts"))

    def _nsg(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"nsg-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.Network/networkSecurityGroups", name)
        rules = []
        for n, (port, source) in enumerate(
            g.rng.sample(
                [
                    ("443", "*"),
                    ("22", "*"),
                    ("3389", "Internet"),
                    ("1433", "10.0.0.0/8"),
                    ("80", "*"),
                    ("22", "10.0.0.0/16"),
                ],
                g.rng.randint(1, 3),
            )
        ):
            rule = f"allow-{port}-{n + 1}"
            rules.append(
                {
                    "name": rule,
                    "id": f"{rid}/securityRules/{rule}",
                    "etag": f'W/"{g.guid()}"',
                    "type": "Microsoft.Network/networkSecurityGroups/securityRules",
                    "properties": {
                        "provisioningState": "Succeeded",
                        "protocol": "Tcp",
                        "sourcePortRange": "*",
                        "destinationPortRange": port,
                        "sourceAddressPrefix": source,
                        "destinationAddressPrefix": "*",
                        "access": "Allow",
                        "priority": 100 + 10 * n,
                        "direction": "Inbound",
                        "sourcePortRanges": [],
                        "destinationPortRanges": [],
                        "sourceAddressPrefixes": [],
                        "destinationAddressPrefixes": [],
                    },
                }
            )
        defaults = [
            ("AllowVnetInBound", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"),
            ("AllowAzureLoadBalancerInBound", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
            ("DenyAllInBound", "*", "*", "Deny", 65500, "Inbound"),
            ("AllowVnetOutBound", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
            ("AllowInternetOutBound", "*", "Internet", "Allow", 65001, "Outbound"),
            ("DenyAllOutBound", "*", "*", "Deny", 65500, "Outbound"),
        ]
        self.out.append(
            {
                "name": name,
                "id": rid,
                "etag": f'W/"{g.guid()}"',
                "type": "Microsoft.Network/networkSecurityGroups",
                "location": location,
                "tags": _tags(g, rg.split("-")[1], False),
                "properties": {
                    "provisioningState": "Succeeded",
                    "resourceGuid": g.guid(),
                    "securityRules": rules,
                    "defaultSecurityRules": [
                        {
                            "name": d[0],
                            "id": f"{rid}/defaultSecurityRules/{d[0]}",
                            "properties": {
                                "provisioningState": "Succeeded",
                                "protocol": "*",
                                "sourcePortRange": "*",
                                "destinationPortRange": "*",
                                "sourceAddressPrefix": d[1],
                                "destinationAddressPrefix": d[2],
                                "access": d[3],
                                "priority": d[4],
                                "direction": d[5],
                            },
                        }
                        for d in defaults
                    ],
                },
            }
        )
        self._maybe_diagnostic(rid, name, ("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter"))

    def _vnet(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"vnet-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.Network/virtualNetworks", name)
        octet = i % 250
        subnets = []
        for n in range(g.rng.randint(1, 3)):
            subnet: dict[str, Any] = {
                "name": f"snet-{n + 1}",
                "id": f"{rid}/subnets/snet-{n + 1}",
                "properties": {"provisioningState": "Succeeded", "addressPrefix": f"10.{octet}.{n}.0/24"},
            }
            if g.chance(0.7):
                subnet["properties"]["networkSecurityGroup"] = {
                    "id": _rid(self.sub, rg, "Microsoft.Network/networkSecurityGroups", f"nsg-{self.index:02d}-shared")
                }
            subnets.append(subnet)
        self.out.append(
            {
                "name": name,
                "id": rid,
                "type": "Microsoft.Network/virtualNetworks",
                "location": location,
                "tags": _tags(g, rg.split("-")[1], False),
                "properties": {
                    "provisioningState": "Succeeded",
                    "resourceGuid": g.guid(),
                    "addressSpace": {"addressPrefixes": [f"10.{octet}.0.0/16"]},
                    "subnets": subnets,
                    "virtualNetworkPeerings": [],
                    "enableDdosProtection": g.chance(0.2),
                },
            }
        )
        self._maybe_diagnostic(rid, name, ("VMProtectionAlerts",))

    def _web(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"app-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.Web/sites", name)
        display = DISPLAY_LOCATION[location]
        tls = g.rng.choice(("1.2", "1.2", "1.0"))
        ftps = g.rng.choice(("Disabled", "FtpsOnly", "AllAllowed"))
        https_only = g.chance(0.8)
        config = {
            "numberOfWorkers": 1,
            "defaultDocuments": ["Default.htm", "Default.html", "index.htm", "index.html", "hostingstart.html"],
            "netFrameworkVersion": "v4.0",
            "phpVersion": "",
            "pythonVersion": "",
            "nodeVersion": "",
            "powerShellVersion": "",
            "linuxFxVersion": g.rng.choice(("DOTNETCORE|8.0", "PYTHON|3.12", "NODE|20-lts")),
            "requestTracingEnabled": False,
            "remoteDebuggingEnabled": g.chance(0.1),
            "httpLoggingEnabled": g.chance(0.6),
            "acrUseManagedIdentityCreds": False,
            "logsDirectorySizeLimit": 35,
            "detailedErrorLoggingEnabled": False,
            "use32BitWorkerProcess": False,
            "webSocketsEnabled": False,
            "alwaysOn": True,
            "appCommandLine": "",
            "managedPipelineMode": "Integrated",
            "virtualApplications": [{"virtualPath": "/", "physicalPath": "site\\wwwroot", "preloadEnabled": True}],
            "loadBalancing": "LeastRequests",
            "autoHealEnabled": False,
            "vnetName": "",
            "vnetRouteAllEnabled": g.chance(0.5),
            "vnetPrivatePortsCount": 0,
            "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
            "http20Enabled": g.chance(0.7),
            "minTlsVersion": tls,
            "scmMinTlsVersion": tls,
            "ftpsState": ftps,
            "functionAppScaleLimit": 0,
            "functionsRuntimeScaleMonitoringEnabled": False,
            "minimumElasticInstanceCount": 1,
            "azureStorageAccounts": {},
        }
        site_config = {
            k: config[k]
            for k in (
                "numberOfWorkers",
                "linuxFxVersion",
                "requestTracingEnabled",
                "remoteDebuggingEnabled",
                "httpLoggingEnabled",
                "alwaysOn",
                "http20Enabled",
                "minTlsVersion",
                "scmMinTlsVersion",
                "ftpsState",
            )
        }
        self.out.append(
            {
                "id": rid,
                "name": name,
                "type": "Microsoft.Web/sites",
                "kind": "app,linux",
                "location": display,
                "tags": _tags(g, rg.split("-")[1], g.chance(0.5)),
                **self._identity(0.6),
                "properties": {
                    "state": "Running",
                    "hostNames": [f"{name}.azurewebsites.net"],
                    "repositorySiteName": name,
                    "usageState": "Normal",
                    "enabled": True,
                    "enabledHostNames": [f"{name}.azurewebsites.net", f"{name}.scm.azurewebsites.net"],
                    "availabilityState": "Normal",
                    "hostNameSslStates": [
                        {"name": f"{name}.azurewebsites.net", "sslState": "Disabled", "hostType": "Standard"},
                        {"name": f"{name}.scm.azurewebsites.net", "sslState": "Disabled", "hostType": "Repository"},
                    ],
                    "serverFarmId": _rid(self.sub, rg, "Microsoft.Web/serverfarms", f"asp-{self.index:02d}"),
                    "reserved": True,
                    "siteConfig": site_config,
                    "clientAffinityEnabled": False,
                    "clientCertEnabled": g.chance(0.2),
                    "clientCertMode": "Required",
                    "hostNamesDisabled": False,
                    "outboundIpAddresses": "20.42.0.1,20.42.0.2",
                    "containerSize": 0,
                    "dailyMemoryTimeQuota": 0,
                    "resourceGroup": rg,
                    "defaultHostName": f"{name}.azurewebsites.net",
                    "httpsOnly": https_only,
                    "redundancyMode": "None",
                    "publicNetworkAccess": config["publicNetworkAccess"],
                    "storageAccountRequired": False,
                    "keyVaultReferenceIdentity": "SystemAssigned",
                },
            }
        )
        self.out.append(
            {
                "id": f"{rid}/config/web",
                "name": "web",
                "type": "Microsoft.Web/sites/config",
                "kind": "app,linux",
                "location": display,
                "properties": config,
            }
        )
        self._maybe_diagnostic(rid, name, ("AppServiceHTTPLogs", "AppServiceAuditLogs", "AppServiceAppLogs"))

    def _disk_body(self, rid: str, name: str, location: str, managed_by: str | None, os_type: str | None) -> Resource:
        g = self.g
        cmk = g.chance(0.25)
        encryption: dict[str, Any] = {
            "type": "EncryptionAtRestWithCustomerKey" if cmk else "EncryptionAtRestWithPlatformKey"
        }
        if cmk:
            encryption["diskEncryptionSetId"] = _rid(
                self.sub, "rg-shared-01", "Microsoft.Compute/diskEncryptionSets", f"des-{self.index:02d}"
            )
        properties: dict[str, Any] = {
            "hyperVGeneration": "V2",
            "creationData": {"createOption": "FromImage" if os_type else "Empty"},
            "diskSizeGB": g.rng.choice((32, 64, 128, 256, 512)),
            "encryption": encryption,
            "networkAccessPolicy": g.rng.choice(("AllowAll", "DenyAll", "AllowPrivate")),
            "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
            "timeCreated": "2025-09-16T04:41:35.079872+00:00",
            "provisioningState": "Succeeded",
            "diskState": "Attached" if managed_by else "Unattached",
        }
        if os_type:
            properties["osType"] = os_type
        disk: Resource = {
            "sku": {"name": g.rng.choice(("Premium_LRS", "StandardSSD_LRS", "Standard_LRS")), "tier": "Premium"},
            "properties": properties,
            "type": "Microsoft.Compute/disks",
            "location": location,
            "tags": {},
            "id": rid,
            "name": name,
        }
        if managed_by:
            disk["managedBy"] = managed_by
        return disk

    def _vm(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"vm-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.Compute/virtualMachines", name)
        windows = g.chance(0.4)
        os_type = "Windows" if windows else "Linux"
        disk_name = f"{name}_OsDisk_1_{g.hex(32)}"
        disk_id = _rid(self.sub, rg, "Microsoft.Compute/disks", disk_name)
        image = (
            {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition"}
            if windows
            else {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server"}
        )
        os_profile: dict[str, Any] = {"computerName": name[:15], "adminUsername": "azureadmin", "secrets": []}
        if windows:
            os_profile["windowsConfiguration"] = {"provisionVMAgent": True, "enableAutomaticUpdates": True}
        else:
            os_profile["linuxConfiguration"] = {
                "disablePasswordAuthentication": g.chance(0.8),
                "provisionVMAgent": True,
            }
        self.out.append(
            {
                "name": name,
                "id": rid,
                "type": "Microsoft.Compute/virtualMachines",
                "location": location,
                "tags": _tags(g, rg.split("-")[1], g.chance(0.4)),
                **self._identity(0.5),
                "properties": {
                    "vmId": g.guid(),
                    "hardwareProfile": {
                        "vmSize": g.rng.choice(("Standard_D2s_v5", "Standard_D4s_v5", "Standard_E4s_v5"))
                    },
                    "storageProfile": {
                        "imageReference": {**image, "version": "latest"},
                        "osDisk": {
                            "osType": os_type,
                            "name": disk_name,
                            "createOption": "FromImage",
                            "caching": "ReadWrite",
                            "managedDisk": {"storageAccountType": "Premium_LRS", "id": disk_id},
                            "diskSizeGB": 128,
                        },
                        "dataDisks": [],
                    },
                    "osProfile": os_profile,
                    "networkProfile": {
                        "networkInterfaces": [
                            {"id": _rid(self.sub, rg, "Microsoft.Network/networkInterfaces", f"nic-{name}")}
                        ]
                    },
                    "diagnosticsProfile": {"bootDiagnostics": {"enabled": g.chance(0.7)}},
                    "provisioningState": "Succeeded",
                    "timeCreated": "2025-09-16T01:02:38.3138469+00:00",
                },
            }
        )
        if g.chance(0.6):
            self.out[-1]["properties"]["securityProfile"] = {
                "securityType": "TrustedLaunch",
                "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
                "encryptionAtHost": g.chance(0.3),
            }
        self.out.append(self._disk_body(disk_id, disk_name, location, rid, os_type))

    def _disk(self, i: int, rg: str, location: str) -> None:
        name = f"disk-{self.index:02d}-{i:05d}"
        self.out.append(
            self._disk_body(_rid(self.sub, rg, "Microsoft.Compute/disks", name), name, location, None, None)
        )

    def _cosmos(self, i: int, rg: str, location: str) -> None:
        g = self.g
        name = f"cosmos-{self.index:02d}-{i:05d}"
        rid = _rid(self.sub, rg, "Microsoft.DocumentDB/databaseAccounts", name)
        display = DISPLAY_LOCATION[location]
        region = {
            "id": f"{name}-{location}",
            "locationName": display,
            "documentEndpoint": f"https://{name}-{location}.documents.azure.com:443/",
            "provisioningState": "Succeeded",
            "failoverPriority": 0,
            "isZoneRedundant": False,
        }
        self.out.append(
            {
                "id": rid,
                "name": name,
                "location": display,
                "type": "Microsoft.DocumentDB/databaseAccounts",
                "kind": "GlobalDocumentDB",
                "tags": _tags(g, rg.split("-")[1], True),
                "properties": {
                    "provisioningState": "Succeeded",
                    "documentEndpoint": f"https://{name}.documents.azure.com:443/",
                    "publicNetworkAccess": g.rng.choice(("Enabled", "Disabled")),
                    "ipRules": [],
                    "isVirtualNetworkFilterEnabled": g.chance(0.4),
                    "virtualNetworkRules": [],
                    "databaseAccountOfferType": "Standard",
                    "disableKeyBasedMetadataWriteAccess": g.chance(0.5),
                    "disableLocalAuth": g.chance(0.4),
                    "defaultIdentity": "FirstPartyIdentity",
                    "consistencyPolicy": {
                        "defaultConsistencyLevel": "Session",
                        "maxIntervalInSeconds": 5,
                        "maxStalenessPrefix": 100,
                    },
                    "writeLocations": [region],
                    "readLocations": [region],
                    "locations": [region],
                    "failoverPolicies": [{"id": region["id"], "locationName": display, "failoverPriority": 0}],
                    "privateEndpointConnections": [],
                    "cors": [],
                    "enableFreeTier": False,
                    "apiProperties": {},
                    "enableAnalyticalStorage": False,
                    "instanceId": g.guid(),
                    "createMode": "Default",
                    "backupPolicy": {
                        "type": "Periodic",
                        "periodicModeProperties": {
                            "backupIntervalInMinutes": 240,
                            "backupRetentionIntervalInHours": g.rng.choice((8, 168, 720)),
                            "backupStorageRedundancy": g.rng.choice(("Geo", "Local")),
                        },
                    }
                    if g.chance(0.6)
                    else {"type": "Continuous", "continuousModeProperties": {"tier": "Continuous30Days"}},
                    "networkAclBypass": "None",
                    "networkAclBypassResourceIds": [],
                    "minimalTlsVersion": g.rng.choice(("Tls12", "Tls12", "Tls")),
                },
                "identity": {"type": "None"},
            }
        )
        if g.chance(0.3):
            self.out[-1]["properties"]["keyVaultKeyUri"] = (
                f"https://kv-{self.index:02d}-cmk.vault.azure.net/keys/cmk-cosmos"
            )
        self._maybe_diagnostic(rid, name, ("DataPlaneRequests", "ControlPlaneRequests"))


# -- Microsoft Graph ---------------------------------------------------------

ROLE_NAMES = {
    entra.GLOBAL_ADMINISTRATOR: "Global Administrator",
    entra.PRIVILEGED_ROLE_ADMINISTRATOR: "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}


def synthetic_graph(g: _Gen, domain: str) -> dict[str, Any]:
    """Graph datasets in the shapes of the v1.0 reference examples."""
    people = [
        ("Adele Vance", "AdeleV", "member", entra.GLOBAL_ADMINISTRATOR, True),
        ("Alex Wilber", "AlexW", "member", entra.PRIVILEGED_ROLE_ADMINISTRATOR, True),
        ("Bianca Pisani", "BiancaP", "member", "194ae4cb-b126-40b2-bd5b-6091b380977d", False),
        ("Diego Siciliani", "DiegoS", "member", "fe930be7-5e62-47db-91af-98c3a49a38b1", True),
        ("Grady Archie", "GradyA", "member", "729827e3-9c14-49f7-bb1b-9608f156bbb8", False),
        ("Break Glass 1", "breakglass1", "member", entra.GLOBAL_ADMINISTRATOR, True),
        ("Break Glass 2", "breakglass2", "member", entra.GLOBAL_ADMINISTRATOR, False),
        ("Allan Deyoung", "AllanD_fabrikam.example#EXT#", "guest", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", False),
        ("Megan Bowen", "MeganB", "member", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", True),
    ]
    users, registrations, assignments, eligible, active = [], [], [], [], []
    for display, alias, user_type, role, mfa in people:
        uid = g.guid()
        upn = f"{alias}@{domain}"
        users.append(
            {
                "id": uid,
                "displayName": display,
                "userPrincipalName": upn,
                "userType": "Guest" if user_type == "guest" else "Member",
                "accountEnabled": True,
                "onPremisesSyncEnabled": True if not alias.startswith("breakglass") and g.chance(0.3) else None,
            }
        )
        methods = ["microsoftAuthenticatorPush", "softwareOneTimePasscode"] if mfa else []
        if mfa and g.chance(0.4):
            methods.append("fido2")
        registrations.append(
            {
                "id": uid,
                "userPrincipalName": upn,
                "userDisplayName": display,
                "isAdmin": role in entra.PRIVILEGED_DIRECTORY_ROLES,
                "isSsprRegistered": mfa,
                "isSsprEnabled": True,
                "isSsprCapable": mfa,
                "isMfaRegistered": mfa,
                "isMfaCapable": mfa,
                "isPasswordlessCapable": "fido2" in methods,
                "lastUpdatedDateTime": "2026-11-19T19:15:41.6195833Z",
                "methodsRegistered": methods,
                "isSystemPreferredAuthenticationMethodEnabled": True,
                "systemPreferredAuthenticationMethods": ["push"] if mfa else [],
                "userPreferredMethodForSecondaryAuthentication": "push" if mfa else "",
                "userType": user_type,
            }
        )
        assignment_id = f"{g.hex(43)}-1"
        assignments.append(
            {
                "id": assignment_id,
                "principalId": uid,
                "resourceScope": "/",
                "directoryScopeId": "/",
                "roleDefinitionId": role,
            }
        )
        active.append(
            {
                "id": assignment_id,
                "principalId": uid,
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": None,
                "startDateTime": None,
                "endDateTime": None,
                "assignmentType": "Assigned",
                "memberType": "Direct",
                "roleAssignmentOriginId": assignment_id,
                "roleAssignmentScheduleId": assignment_id,
            }
        )
        if role in entra.PRIVILEGED_DIRECTORY_ROLES and g.chance(0.5):
            eligible.append(
                {
                    "id": f"{g.hex(43)}-1-e",
                    "principalId": uid,
                    "roleDefinitionId": role,
                    "directoryScopeId": "/",
                    "appScopeId": None,
                    "startDateTime": "2026-04-12T14:44:50.287Z",
                    "endDateTime": "2027-04-10T00:00:00Z",
                    "memberType": "Direct",
                    "roleEligibilityScheduleId": g.guid(),
                }
            )
    return {
        entra.USERS: users,
        entra.USER_REGISTRATION_DETAILS: registrations,
        entra.ROLE_DEFINITIONS: [
            {
                "id": tid,
                "description": f"Built-in role {name}.",
                "displayName": name,
                "isBuiltIn": True,
                "isEnabled": True,
                "templateId": tid,
                "version": "1",
                "rolePermissions": [
                    {"allowedResourceActions": ["microsoft.directory/allEntities/read"], "condition": None}
                ],
            }
            for tid, name in ROLE_NAMES.items()
        ],
        entra.ROLE_ASSIGNMENTS: assignments,
        entra.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: active,
        entra.ROLE_ELIGIBILITY_SCHEDULE_INSTANCES: eligible,
        entra.CONDITIONAL_ACCESS_POLICIES: [
            {
                "id": g.guid(),
                "displayName": "Require MFA for administrators",
                "createdDateTime": "2025-10-01T10:00:00Z",
                "modifiedDateTime": None,
                "state": "enabled",
                "sessionControls": None,
                "conditions": {
                    "signInRiskLevels": [],
                    "clientAppTypes": ["all"],
                    "platforms": None,
                    "locations": None,
                    "applications": {
                        "includeApplications": ["All"],
                        "excludeApplications": [],
                        "includeUserActions": [],
                    },
                    "users": {
                        "includeUsers": [],
                        "excludeUsers": [users[5]["id"], users[6]["id"]],
                        "includeGroups": [],
                        "excludeGroups": [],
                        "includeRoles": sorted(ROLE_NAMES)[:5],
                        "excludeRoles": [],
                    },
                },
                "grantControls": {
                    "operator": "OR",
                    "builtInControls": ["mfa"],
                    "customAuthenticationFactors": [],
                    "termsOfUse": [],
                },
            },
            {
                "id": g.guid(),
                "displayName": "Block legacy authentication",
                "createdDateTime": "2025-10-01T10:05:00Z",
                "modifiedDateTime": None,
                "state": g.rng.choice(("enabled", "enabledForReportingButNotEnforced")),
                "sessionControls": None,
                "conditions": {
                    "signInRiskLevels": [],
                    "clientAppTypes": ["exchangeActiveSync", "other"],
                    "platforms": None,
                    "locations": None,
                    "applications": {
                        "includeApplications": ["All"],
                        "excludeApplications": [],
                        "includeUserActions": [],
                    },
                    "users": {
                        "includeUsers": ["All"],
                        "excludeUsers": [],
                        "includeGroups": [],
                        "excludeGroups": [],
                        "includeRoles": [],
                        "excludeRoles": [],
                    },
                },
                "grantControls": {
                    "operator": "OR",
                    "builtInControls": ["block"],
                    "customAuthenticationFactors": [],
                    "termsOfUse": [],
                },
            },
        ],
        entra.NAMED_LOCATIONS: [
            {
                "@odata.type": "#microsoft.graph.ipNamedLocation",
                "id": g.guid(),
                "displayName": "Corporate egress",
                "modifiedDateTime": "2025-07-26T18:00:43.5796446Z",
                "createdDateTime": "2025-06-22T11:56:12Z",
                "isTrusted": True,
                "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}],
            },
            {
                "@odata.type": "#microsoft.graph.countryNamedLocation",
                "id": g.guid(),
                "displayName": "Allowed countries",
                "modifiedDateTime": "2025-09-10T16:54:53.7238848Z",
                "createdDateTime": "2025-09-10T16:54:53.7238848Z",
                "countriesAndRegions": ["US"],
                "includeUnknownCountriesAndRegions": False,
            },
        ],
        entra.SECURITY_DEFAULTS: {
            "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
            "displayName": "Security Defaults",
            "id": "00000000-0000-0000-0000-000000000005",
            "isEnabled": False,
        },
        entra.AUTHORIZATION_POLICY: {
            "id": "authorizationPolicy",
            "allowInvitesFrom": g.rng.choice(("everyone", "adminsAndGuestInviters")),
            "allowedToSignUpEmailBasedSubscriptions": True,
            "allowedToUseSSPR": True,
            "allowEmailVerifiedUsersToJoinOrganization": False,
            "allowUserConsentForRiskyApps": False,
            "blockMsolPowerShell": True,
            "displayName": "Authorization Policy",
            "description": "Used to manage authorization related settings across the company.",
            "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
            "defaultUserRolePermissions": {
                "allowedToCreateApps": g.chance(0.5),
                "allowedToCreateSecurityGroups": True,
                "allowedToReadOtherUsers": True,
                "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"],
            },
        },
        entra.AUTHENTICATION_METHODS_POLICY: {
            "id": "authenticationMethodsPolicy",
            "displayName": "Authentication Methods Policy",
            "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant",
            "lastModifiedDateTime": "2026-01-26T10:47:26.6044384Z",
            "policyVersion": "1.5",
            "registrationEnforcement": {
                "authenticationMethodsRegistrationCampaign": {
                    "snoozeDurationInDays": 1,
                    "state": "default",
                    "excludeTargets": [],
                    "includeTargets": [
                        {
                            "id": "all_users",
                            "targetType": "group",
                            "targetedAuthenticationMethod": "microsoftAuthenticator",
                        }
                    ],
                }
            },
            "authenticationMethodConfigurations": [
                {
                    "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
                    "id": "Fido2",
                    "state": "enabled",
                    "isSelfServiceRegistrationAllowed": True,
                    "isAttestationEnforced": True,
                    "keyRestrictions": {"isEnforced": False, "enforcementType": "block", "aaGuids": []},
                    "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}],
                },
                {
                    "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
                    "id": "MicrosoftAuthenticator",
                    "state": "enabled",
                    "includeTargets": [
                        {
                            "targetType": "group",
                            "id": "all_users",
                            "isRegistrationRequired": False,
                            "authenticationMode": "any",
                        }
                    ],
                },
                {
                    "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
                    "id": "Sms",
                    "state": g.rng.choice(("enabled", "disabled")),
                    "includeTargets": [
                        {
                            "targetType": "group",
                            "id": "all_users",
                            "isRegistrationRequired": False,
                            "isUsableForSignIn": True,
                        }
                    ],
                },
            ],
        },
        entra.DEVICE_COMPLIANCE_POLICIES: [
            {
                "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
                "id": g.guid(),
                "createdDateTime": "2025-01-01T00:02:43.5775965-08:00",
                "description": "Clinical workstation baseline",
                "lastModifiedDateTime": "2026-01-01T00:00:35.1329464-08:00",
                "displayName": "Windows 10/11 clinical workstations",
                "version": 7,
                "passwordRequired": True,
                "passwordBlockSimple": True,
                "passwordRequiredToUnlockFromIdle": True,
                "passwordMinutesOfInactivityBeforeLock": 15,
                "passwordMinimumLength": 12,
                "passwordRequiredType": "alphanumeric",
                "requireHealthyDeviceReport": True,
                "earlyLaunchAntiMalwareDriverEnabled": True,
                "bitLockerEnabled": True,
                "secureBootEnabled": True,
                "codeIntegrityEnabled": True,
                "storageRequireEncryption": g.chance(0.7),
                "assignments": [
                    {
                        "id": g.guid(),
                        "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"},
                    }
                ],
            }
        ],
    }


def build_synthetic_tenant(subscriptions: int, resources_per_subscription: int, seed: int = 0) -> Tenant:
    if subscriptions < 1 or resources_per_subscription < 0:
        raise ValueError("need at least one subscription and a non-negative resource count")
    g = _Gen(seed)
    tenant_id = g.guid()
    subs = [Subscription(g.guid(), f"Contoso Health {i + 1:02d}") for i in range(subscriptions)]
    resources: list[Resource] = []
    for index, sub in enumerate(subs):
        resources.extend(_Subscription(g, tenant_id, sub.id, index, resources_per_subscription).build())
    tenant = Tenant(
        tenant_id=tenant_id,
        display_name="Contoso Health Synthetic",
        subscriptions=subs,
        resources=resources,
    )
    tenant.graph = synthetic_graph(g, tenant.domain)
    return tenant
