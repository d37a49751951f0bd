from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-03",
    title="Defender for open-source relational DBs on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(6)(ii)"],
    rationale=(
        "Defender for open-source relational databases detects brute force, SQL injection and anomalous access "
        "on PostgreSQL, MySQL and MariaDB servers that may store ePHI."
    ),
    remediation="az security pricing create --name OpenSourceRelationalDatabases --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "OpenSourceRelationalDatabases")
