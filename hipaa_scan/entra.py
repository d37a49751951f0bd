"""Microsoft Entra ID data as the scanner sees it: one pseudo-resource per
tenant whose ``properties`` hold the Microsoft Graph datasets a collector read.

This module is plain data shared by the collector (what to fetch, with which
permission) and the engine and rules (what a missing dataset means). A dataset
that is absent was not collected; rules report ``unknown`` and name the
permission that would have let the collector read it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Entra has no ARM type; this pseudo-type keeps identity checks in the same
# rule x resource model as everything else. Its id is ``/tenants/{tenant id}``.
TENANT_TYPE = "Microsoft.Graph/tenant"


def tenant_resource_id(tenant_id: str) -> str:
    return f"/tenants/{tenant_id.lower()}"


def graph_type(dataset: str) -> str:
    """The type a rule lists in ``reads`` to read a dataset of the tenant:
    ``Microsoft.Graph/conditionalAccessPolicies``. The collector reads only
    datasets some rule declares, and a rule sees only the datasets it declares."""
    return f"Microsoft.Graph/{dataset}"


@dataclass(frozen=True, slots=True)
class GraphDataset:
    """One Microsoft Graph read: its key in the snapshot, the v1.0 path, the
    least-privilege application permission, and whether it is a collection."""

    name: str
    path: str
    permission: str
    collection: bool = True
    licence: str = "Free"


CONDITIONAL_ACCESS_POLICIES = "conditionalAccessPolicies"
NAMED_LOCATIONS = "namedLocations"
SECURITY_DEFAULTS = "securityDefaults"
AUTHORIZATION_POLICY = "authorizationPolicy"
AUTHENTICATION_METHODS_POLICY = "authenticationMethodsPolicy"
USER_REGISTRATION_DETAILS = "userRegistrationDetails"
ROLE_DEFINITIONS = "roleDefinitions"
ROLE_ASSIGNMENTS = "roleAssignments"
ROLE_ELIGIBILITY_SCHEDULE_INSTANCES = "roleEligibilityScheduleInstances"
ROLE_ASSIGNMENT_SCHEDULE_INSTANCES = "roleAssignmentScheduleInstances"
DEVICE_COMPLIANCE_POLICIES = "deviceCompliancePolicies"
# Only the principals that hold privileged directory roles or Azure Owner, and
# the configured break-glass accounts: the minimum personal data the checks need.
USERS = "users"

DATASETS: tuple[GraphDataset, ...] = (
    GraphDataset(
        CONDITIONAL_ACCESS_POLICIES, "/identity/conditionalAccess/policies", "Policy.Read.All", licence="Entra ID P1"
    ),
    GraphDataset(
        NAMED_LOCATIONS, "/identity/conditionalAccess/namedLocations", "Policy.Read.All", licence="Entra ID P1"
    ),
    GraphDataset(SECURITY_DEFAULTS, "/policies/identitySecurityDefaultsEnforcementPolicy", "Policy.Read.All", False),
    GraphDataset(AUTHORIZATION_POLICY, "/policies/authorizationPolicy", "Policy.Read.All", False),
    GraphDataset(AUTHENTICATION_METHODS_POLICY, "/policies/authenticationMethodsPolicy", "Policy.Read.All", False),
    GraphDataset(
        USER_REGISTRATION_DETAILS,
        "/reports/authenticationMethods/userRegistrationDetails"
        "?$select=id,userType,isAdmin,isMfaCapable,isMfaRegistered,methodsRegistered",
        "AuditLog.Read.All",
        licence="Entra ID P1",
    ),
    GraphDataset(
        ROLE_DEFINITIONS,
        "/roleManagement/directory/roleDefinitions?$select=id,displayName,templateId,isBuiltIn",
        "RoleManagement.Read.Directory",
    ),
    GraphDataset(ROLE_ASSIGNMENTS, "/roleManagement/directory/roleAssignments", "RoleManagement.Read.Directory"),
    GraphDataset(
        ROLE_ELIGIBILITY_SCHEDULE_INSTANCES,
        "/roleManagement/directory/roleEligibilityScheduleInstances",
        "RoleManagement.Read.Directory",
        licence="Entra ID P2",
    ),
    GraphDataset(
        ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
        "/roleManagement/directory/roleAssignmentScheduleInstances",
        "RoleManagement.Read.Directory",
        licence="Entra ID P2",
    ),
    GraphDataset(
        DEVICE_COMPLIANCE_POLICIES,
        "/deviceManagement/deviceCompliancePolicies?$expand=assignments",
        "DeviceManagementConfiguration.Read.All",
        licence="Intune",
    ),
    # Read per principal: GET /users/{id}?$select=... (see collector.graph).
    GraphDataset(
        USERS, "/users/{id}?$select=id,userPrincipalName,userType,accountEnabled,onPremisesSyncEnabled", "User.Read.All"
    ),
)

BY_NAME: dict[str, GraphDataset] = {d.name: d for d in DATASETS}

# Built-in directory role template ids (stable across tenants).
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814"
# The directory roles Microsoft documents as privileged for PIM and phishing-resistant MFA.
PRIVILEGED_DIRECTORY_ROLES: frozenset[str] = frozenset(
    {
        GLOBAL_ADMINISTRATOR,
        PRIVILEGED_ROLE_ADMINISTRATOR,
        "194ae4cb-b126-40b2-bd5b-6091b380977d",  # Security Administrator
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",  # SharePoint Administrator
        "29232cdf-9323-42fd-ade2-1d097af3e4de",  # Exchange Administrator
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",  # Conditional Access Administrator
        "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",  # Authentication Administrator
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  # Application Administrator
        "158c047a-c907-4556-b7ef-446551a6b5f7",  # Cloud Application Administrator
        "966707d0-3269-4727-9be2-8c3a10f19b9d",  # Password Administrator
        "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",  # Billing Administrator
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",  # Helpdesk Administrator
        "3a2c62db-5318-420d-8d74-23affee5d9d5",  # Intune Administrator
    }
)


def missing_message(dataset: str) -> str:
    """Why a rule is unknown when a dataset is absent: the permission to grant."""
    entry = BY_NAME.get(dataset)
    if entry is None:
        return f"Microsoft Graph data '{dataset}' was not collected"
    return (
        f"Microsoft Graph data '{dataset}' was not collected "
        f"(needs application permission {entry.permission}; licence {entry.licence})"
    )
