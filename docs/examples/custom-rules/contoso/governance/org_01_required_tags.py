"""ORG-01: Contoso's PHI resource groups (``rg-phi*``) are a naming convention
only Contoso knows, which is why this is a custom rule and not a shipped one."""

from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, lookup_in, not_applicable, rule

# Contoso names every resource group that holds ePHI rg-phi-<workload>.
PHI_GROUP_PREFIX = "rg-phi"
# Azure tag names are case-insensitive; values must be non-empty.
REQUIRED_TAGS = ("owner", "cost-center")
EXPECTED = "tags owner and cost-center set (non-empty)"


@rule(
    id="ORG-01",
    title="Resources in PHI resource groups carry owner and cost-center tags",
    severity="low",
    resource_types=[
        "Microsoft.KeyVault/vaults",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Sql/servers",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.DBforMySQL/flexibleServers",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/disks",
        "Microsoft.Web/sites",
        "Microsoft.HealthcareApis/services",
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.RecoveryServices/vaults",
    ],
    citations=["164.310(d)(2)(iii)", "164.308(a)(1)(ii)(A)"],
    rationale=(
        "Every resource that stores ePHI needs a named owner answerable for it and its movements "
        "(164.310(d)(2)(iii) accountability), and the risk analysis needs an accurate inventory of where "
        "ePHI lives and who runs it; Contoso records both as the owner and cost-center tags."
    ),
    remediation=(
        "az tag update --resource-id <resource id> --operation Merge --tags owner=<team alias> "
        "cost-center=<code>; enforce it for new resources with the built-in 'Require a tag on resources' "
        "policy (871b6d14-10aa-478d-b590-94f262ecfa99) assigned to each rg-phi resource group."
    ),
)
def check(resource: Resource, ctx: Context) -> Verdict:
    group = resource_group(resource.id)
    if group is None or not group.lower().startswith(PHI_GROUP_PREFIX):
        return not_applicable("resourceGroup", group, f"not in a PHI resource group ({PHI_GROUP_PREFIX}*)")
    found = lookup(resource, "tags")
    if found.presence is Presence.UNRESOLVED:
        return Verdict(Status.UNKNOWN, "tags", None, EXPECTED, "tags are an unresolved template expression")
    # ARM leaves out `tags` (or writes null) only when a resource has none.
    tags = {str(k).lower(): v for k, v in found.value.items()} if isinstance(found.value, Mapping) else {}
    observed = {name: value if isinstance(value := tags.get(name), str) else None for name in REQUIRED_TAGS}
    missing, unresolved = [], []
    for name in REQUIRED_TAGS:
        value = lookup_in(tags, name)
        if value.presence is Presence.UNRESOLVED:
            unresolved.append(name)
        elif not (isinstance(value.value, str) and value.value.strip()):
            missing.append(name)
    if missing:
        return Verdict(Status.FAIL, "tags", observed, EXPECTED, f"missing or empty: {', '.join(missing)}")
    if unresolved:
        return Verdict(Status.UNKNOWN, "tags", None, EXPECTED, f"unresolved template value: {', '.join(unresolved)}")
    return Verdict(Status.PASS, "tags", observed, EXPECTED)


def resource_group(resource_id: str) -> str | None:
    """The resource group named in an ARM id, or None for subscription-level ids."""
    parts = resource_id.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[i + 1]
    return None
