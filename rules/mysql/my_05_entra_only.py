from hipaa_scan.engine import Check, Context, Resource, Status, Verdict, child_settings, equals, rule


@rule(
    id="MY-05",
    title="MySQL flexible: Microsoft Entra-only authentication",
    severity="medium",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    reads=["Microsoft.DBforMySQL/flexibleServers/configurations"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "Entra-only authentication disables MySQL passwords, so every connection to ePHI is made by a unique, "
        "MFA-capable identity that can be disabled centrally."
    ),
    remediation=(
        "az mysql flexible-server ad-admin create --resource-group <rg> --server-name <server> --display-name <group> --object-id <object-id> --identity <uami>; "
        "az mysql flexible-server parameter set --resource-group <rg> --server-name <server> --name aad_auth_only --value ON"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # aad_auth_only defaults to OFF; a complete parameter listing without it means the server cannot enforce it.
    return child_settings(
        server,
        ctx,
        "Microsoft.DBforMySQL/flexibleServers/configurations",
        [Check("properties.value", equals("ON"))],
        name="aad_auth_only",
        absent=Status.FAIL,
    )
