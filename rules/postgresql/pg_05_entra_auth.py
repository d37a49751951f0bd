from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    child_settings,
    combine_all,
    equals,
    judge,
    lookup,
    non_empty,
    rule,
)


@rule(
    id="PG-05",
    title="PostgreSQL flexible: Entra authentication (Entra-only preferred)",
    severity="medium",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=["Microsoft.DBforPostgreSQL/flexibleServers/administrators"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "Microsoft Entra authentication gives each person who reaches ePHI in the database a unique, "
        "MFA-capable identity instead of shared PostgreSQL passwords."
    ),
    remediation=(
        "az postgres flexible-server update --name <server> --resource-group <rg> --active-directory-auth Enabled --password-auth Disabled; "
        "az postgres flexible-server ad-admin create --resource-group <rg> --server-name <server> --display-name <group> --object-id <object-id> --type Group"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Absent authConfig means password authentication only, the default.
    entra = judge(lookup(server, "properties.authConfig.activeDirectoryAuth"), equals("Enabled"), Status.FAIL)
    # Entra authentication is usable only once an Entra administrator exists.
    admin = child_settings(
        server,
        ctx,
        "Microsoft.DBforPostgreSQL/flexibleServers/administrators",
        [Check("properties.objectId", non_empty())],
        absent=Status.FAIL,
    )
    verdict = combine_all([entra, admin])
    password = lookup(server, "properties.authConfig.passwordAuth")
    if verdict.status is Status.PASS and not (password.found and equals("Disabled")(password.value)):
        note = "password authentication is still enabled; Entra-only (passwordAuth Disabled) is preferred"
        return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, note)
    return verdict
