from hipaa_scan.engine import Check, Context, Resource, Status, Verdict, child_settings, equals, rule


@rule(
    id="SQL-04",
    title="TDE enabled on every user database",
    severity="high",
    resource_types=["Microsoft.Sql/servers/databases"],
    reads=["Microsoft.Sql/servers/databases/transparentDataEncryption"],
    citations=["164.312(a)(2)(iv)", "164.310(d)(1)"],
    rationale="Transparent data encryption keeps ePHI in database files, backups and logs encrypted at rest.",
    remediation="az sql db tde set --server <server> --resource-group <rg> --database <db> --status Enabled",
)
def check(database: Resource, ctx: Context) -> Verdict:
    name = database.id.rstrip("/").rsplit("/", 1)[-1]
    if name.lower() == "master":
        return Verdict(
            Status.NOT_APPLICABLE, "name", name, "name != 'master'", "TDE does not apply to the master system database"
        )
    return child_settings(
        database,
        ctx,
        "Microsoft.Sql/servers/databases/transparentDataEncryption",
        [Check("properties.state", equals("Enabled"))],
        name="current",
    )
