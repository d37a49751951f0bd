from typing import Any

from hipaa_scan.engine import Check, Context, Expectation, Resource, Verdict, child_settings, combine_all, equals, rule

CONFIGURATIONS = "Microsoft.DBforMySQL/flexibleServers/configurations"
MODERN = {"tlsv1.2", "tlsv1.3"}


def _modern_only(value: Any) -> bool:
    versions = [v.strip().lower() for v in value.split(",")] if isinstance(value, str) else []
    return bool(versions) and all(v in MODERN for v in versions)


@rule(
    id="MY-02",
    title="MySQL flexible: require_secure_transport ON + TLS 1.2+",
    severity="high",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    reads=["Microsoft.DBforMySQL/flexibleServers/configurations"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale=(
        "Unencrypted connections, or TLS 1.0/1.1, let clients send queries and receive ePHI in clear text "
        "or over deprecated encryption."
    ),
    remediation=(
        "az mysql flexible-server parameter set --resource-group <rg> --server-name <server> --name require_secure_transport --value ON; "
        "az mysql flexible-server parameter set --resource-group <rg> --server-name <server> --name tls_version --value TLSv1.2,TLSv1.3"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Server parameters are child resources named after the setting; tls_version is a comma-separated list.
    modern = Expectation("lists only TLSv1.2/TLSv1.3", _modern_only)
    return combine_all(
        [
            child_settings(
                server, ctx, CONFIGURATIONS, [Check("properties.value", equals("ON"))], name="require_secure_transport"
            ),
            child_settings(server, ctx, CONFIGURATIONS, [Check("properties.value", modern)], name="tls_version"),
        ]
    )
