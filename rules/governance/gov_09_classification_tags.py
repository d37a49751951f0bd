from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, not_applicable, rule, unknown

PATH = "tags"
# Tag keys that count, compared without case, '-', '_' or spaces: DataClassification, data-classification,
# data_classification, Classification, DataSensitivity, Sensitivity.
CLASSIFICATION_KEYS = frozenset({"dataclassification", "classification", "datasensitivity", "sensitivity"})
OWNER_KEYS = frozenset({"owner", "dataowner", "businessowner", "technicalowner", "ownedby"})
EXPECTED = "a non-empty data-classification tag (DataClassification, Classification, DataSensitivity or Sensitivity)"


def _normal(key: object) -> str:
    return str(key).lower().replace("-", "").replace("_", "").replace(" ", "")


@rule(
    id="GOV-09",
    title="Asset inventory/classification tags on in-scope resources (NPRM-readiness)",
    severity="low",
    resource_types=[
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Sql/servers",
        "Microsoft.Sql/servers/databases",
        "Microsoft.Sql/managedInstances",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.DBforMySQL/flexibleServers",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/disks",
        "Microsoft.HealthcareApis/services",
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces/fhirservices",
        "Microsoft.HealthcareApis/workspaces/dicomservices",
        "Microsoft.Web/sites",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.Cache/Redis",
        "Microsoft.RecoveryServices/vaults",
        "Microsoft.DataProtection/backupVaults",
    ],
    citations=["164.308(a)(1)(ii)(A)"],
    rationale=(
        "The risk analysis starts from knowing which systems create, receive, maintain or transmit ePHI; the 2025 "
        "NPRM makes that a written technology asset inventory. A classification tag on every resource type that "
        "can store or process ePHI (storage, databases, VMs and disks, FHIR/DICOM, web apps, ML, caches, backup "
        "vaults) turns the Resource Graph export into that inventory. Tag keys that count, compared without case, "
        "'-', '_' or spaces: DataClassification, Classification, DataSensitivity, Sensitivity; any non-empty "
        "value (PHI, ePHI, Confidential, Public ...) passes, since classifying a resource as not holding ePHI is "
        "part of the inventory. A missing owner tag (Owner, DataOwner, BusinessOwner, TechnicalOwner, OwnedBy) is "
        "noted but not required. The 'master' database of a SQL server is not applicable."
    ),
    remediation=(
        "az tag update --resource-id <resource-id> --operation merge --tags DataClassification=PHI Owner=<team>; "
        "assign the built-in policy 'Require a tag on resources' (871b6d14-10aa-478d-b590-94f262ecfa99) with "
        "tagName DataClassification to keep new resources classified."
    ),
)
def check(resource: Resource, _ctx: Context) -> Verdict:
    if resource.type_key == "microsoft.sql/servers/databases" and resource.name.lower() == "master":
        return not_applicable(PATH, None, "system database", EXPECTED)
    found_tags = lookup(resource, PATH)
    if found_tags.presence is Presence.UNRESOLVED:
        return Verdict(
            Status.UNKNOWN, PATH, str(found_tags.value), EXPECTED, "value is an unresolved template expression"
        )
    if not found_tags.found:
        # ARM and Resource Graph omit or null the tags of an untagged resource.
        return Verdict(Status.FAIL, PATH, None, EXPECTED, "the resource has no tags")
    tags = found_tags.value
    if not isinstance(tags, Mapping):
        return unknown(PATH, "tags is not an object", EXPECTED)
    found = {k: v for k, v in tags.items() if _normal(k) in CLASSIFICATION_KEYS}
    if any(not isinstance(v, str) and v is not None for v in found.values()):
        return Verdict(Status.UNKNOWN, PATH, {k: str(v) for k, v in found.items()}, EXPECTED, "unresolved tag value")
    labelled = {k: v for k, v in found.items() if isinstance(v, str) and v.strip()}
    if not labelled:
        message = "classification tag is empty" if found else "no classification tag"
        return Verdict(Status.FAIL, PATH, sorted(str(k) for k in tags), EXPECTED, message)
    owner = any(_normal(k) in OWNER_KEYS and isinstance(v, str) and v.strip() for k, v in tags.items())
    return Verdict(Status.PASS, PATH, labelled, EXPECTED, "" if owner else "no owner tag")
