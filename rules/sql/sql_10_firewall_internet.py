from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, lookup, rule, unknown

FIREWALL_RULES = "Microsoft.Sql/servers/firewallRules"
PATH = f"{FIREWALL_RULES}[].properties"
EXPECTED = "no firewall rule with startIpAddress 0.0.0.0 and endIpAddress 255.255.255.255"


@rule(
    id="SQL-10",
    title="No SQL firewall rule open to the whole Internet",
    severity="critical",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/firewallRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="A 0.0.0.0-255.255.255.255 firewall rule lets any Internet host attempt logins against databases holding ePHI.",
    remediation="az sql server firewall-rule delete --server <server> --resource-group <rg> --name <rule>",
)
def check(server: Resource, ctx: Context) -> Verdict:
    related = ctx.children(server, FIREWALL_RULES)
    if not related.known:
        return unknown(PATH, "firewall rules for this server were not in the input", EXPECTED)
    undecided: list[str] = []
    for fw in related.items:
        start = lookup(fw, "properties.startIpAddress")
        end = lookup(fw, "properties.endIpAddress")
        if not (start.found and end.found):
            undecided.append(fw.name)
        elif equals("0.0.0.0")(start.value) and equals("255.255.255.255")(end.value):
            observed = {"name": fw.name, "startIpAddress": start.value, "endIpAddress": end.value}
            return Verdict(
                Status.FAIL, PATH, observed, EXPECTED, f"firewall rule '{fw.name}' allows the whole Internet"
            )
    if undecided:
        return Verdict(Status.UNKNOWN, PATH, sorted(undecided), EXPECTED, "firewall rules without readable addresses")
    return Verdict(Status.PASS, PATH, sorted(fw.name for fw in related.items), EXPECTED)
