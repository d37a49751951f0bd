from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, lookup, one_of, rule, unknown

FIREWALL_RULES = "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"
PATH = f"{FIREWALL_RULES}[].properties"
EXPECTED = "no firewall rule 0.0.0.0-0.0.0.0 (all Azure) or 0.0.0.0-255.255.255.255 (all Internet)"


@rule(
    id="PG-09",
    title="PostgreSQL flexible: no allow-all / allow-all-Azure firewall rules",
    severity="high",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=["Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A 0.0.0.0 firewall rule admits connections from every Azure tenant's resources, and 0.0.0.0-255.255.255.255 "
        "from the whole Internet, to the server holding ePHI."
    ),
    remediation="az postgres flexible-server firewall-rule delete --resource-group <rg> --name <server> --rule-name <rule> --yes",
)
def check(server: Resource, ctx: Context) -> Verdict:
    related = ctx.children(server, FIREWALL_RULES)
    if not related.known:
        return unknown(PATH, "firewall rules for this server were not in the input", EXPECTED)
    opened: list[dict[str, object]] = []
    undecided: list[str] = []
    for fw in related.items:
        start = lookup(fw, "properties.startIpAddress")
        end = lookup(fw, "properties.endIpAddress")
        if not (start.found and end.found):
            undecided.append(fw.name)
        elif equals("0.0.0.0")(start.value) and one_of("0.0.0.0", "255.255.255.255")(end.value):
            opened.append({"name": fw.name, "startIpAddress": start.value, "endIpAddress": end.value})
    if opened:
        return Verdict(Status.FAIL, PATH, opened, EXPECTED, "allow-all firewall rule")
    if undecided:
        return Verdict(Status.UNKNOWN, PATH, sorted(undecided), EXPECTED, "firewall rules without readable addresses")
    # No rules in a complete listing: nothing is admitted through the firewall.
    return Verdict(Status.PASS, PATH, sorted(fw.name for fw in related.items), EXPECTED)
