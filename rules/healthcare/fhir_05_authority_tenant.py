import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    judge,
    list_at,
    lookup,
    non_empty,
    rule,
    unknown,
)

PATH = "properties.authenticationConfiguration.authority"
EXPECTED = "authority https://login.microsoftonline.com/<the organization's Entra tenant id>"
# Entra ID sign-in hosts: public cloud, US Government, China (21Vianet).
ENTRA_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _tenant_id(fhir: Resource, ctx: Context) -> str | None:
    """The organisation's tenant: expected_tenant from the organization policy, else the
    resource's own tenantId (Resource Graph rows), its subscription's, or its managed
    identity's (always the subscription's tenant)."""
    if ctx.settings.expected_tenant:
        return ctx.settings.expected_tenant.lower()
    subscription = ctx.get(f"/subscriptions/{fhir.subscription_id}") if fhir.subscription_id else None
    for source, path in ((fhir, "tenantId"), (subscription, "tenantId"), (fhir, "identity.tenantId")):
        value = lookup(source, path).value if source is not None else None
        if isinstance(value, str) and GUID.match(value.lower()):
            return value.lower()
    return None


def _authority_tenant(authority: str) -> tuple[str, str] | None:
    """(host, tenant segment) of an authority URL, lower-cased."""
    parts = urlsplit(authority.strip())
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme.lower() != "https" or not parts.hostname or not segments:
        return None
    return parts.hostname.lower(), segments[0].lower()


@rule(
    id="FHIR-05",
    title="FHIR authentication authority is the organization's Entra tenant",
    severity="medium",
    resource_types=["Microsoft.HealthcareApis/services", "Microsoft.HealthcareApis/workspaces/fhirservices"],
    reads=[SUBSCRIPTION_TYPE],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "The authority decides whose tokens the FHIR service accepts: only the organisation's own Entra tenant, "
        "where users are uniquely identified, MFA-protected and removed at termination, should vouch for access to "
        "patient records. The expected tenant is expected_tenant from the organization policy; without it, the "
        "tenant that holds the subscription (the resource's or the subscription's tenantId, or the service's "
        "managed identity). Third-party identity providers for SMART on FHIR apps are configured separately under "
        "smartIdentityProviders and are listed, not judged."
    ),
    remediation=(
        "Set the authority to https://login.microsoftonline.com/<tenant-id> and the audience to the FHIR service "
        "URL: az healthcareapis workspace fhir-service update --resource-group <rg> --workspace-name <ws> "
        "--fhir-service-name <fhir> --authentication-configuration authority=https://login.microsoftonline.com/"
        "<tenant-id> audience=https://<ws>-<fhir>.fhir.azurehealthcareapis.com"
    ),
)
def check(fhir: Resource, ctx: Context) -> Verdict:
    found = lookup(fhir, PATH)
    if not found.found:
        if found.presence is Presence.MISSING:
            return unknown(PATH, "authenticationConfiguration.authority was not in the input", EXPECTED)
        return judge(found, non_empty())
    authority = found.value
    if not isinstance(authority, str):
        return unknown(PATH, "authority is not a string", EXPECTED)
    tenant = _tenant_id(fhir, ctx)
    if tenant is None:
        return Verdict(
            Status.UNKNOWN,
            PATH,
            authority,
            EXPECTED,
            "no expected_tenant in the policy, and the subscription's tenant id is not in the input",
        )
    expected = f"authority https://login.microsoftonline.com/{tenant}"
    extra = [
        p.get("authority")
        for p in list_at(lookup(fhir, "properties.authenticationConfiguration").value, "smartIdentityProviders")
        if isinstance(p, Mapping)
    ]
    note = f"SMART identity providers also configured: {extra}" if extra else ""
    parsed = _authority_tenant(authority)
    if parsed is None or parsed[0] not in ENTRA_HOSTS:
        return Verdict(Status.FAIL, PATH, authority, expected, "the authority is not Microsoft Entra ID")
    if not GUID.match(parsed[1]):
        reason = "; ".join(m for m in ("the authority names the tenant by domain, not by id", note) if m)
        return Verdict(Status.UNKNOWN, PATH, authority, expected, reason)
    if parsed[1] != tenant:
        return Verdict(Status.FAIL, PATH, authority, expected, "the authority is another Entra tenant")
    return Verdict(Status.PASS, PATH, authority, expected, note)
