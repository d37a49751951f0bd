from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Status, Verdict, lookup, rule, unknown

CONTACTS = "Microsoft.Security/securityContacts"
PATH = f"{CONTACTS}[].properties.emails"
EXPECTED = "a security contact with at least one email address"


def _emails(contact: Resource) -> list[str] | None:
    """The contact's addresses: ``emails`` (';'-separated, 2020-01-01-preview and later)
    or ``email`` (2017-08-01-preview); None when the contact's properties were not collected."""
    if not contact.properties_collected:
        return None
    found: list[str] = []
    for path in ("properties.emails", "properties.email"):
        value = lookup(contact, path).value
        if isinstance(value, str):
            found += [e.strip() for e in value.replace(",", ";").split(";") if e.strip()]
    return found


@rule(
    id="DEF-12",
    title="Security contact email configured",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[CONTACTS],
    citations=["164.308(a)(2)", "164.308(a)(6)(ii)"],
    rationale=(
        "Microsoft sends Defender for Cloud alerts and notices of compromised resources to the subscription's "
        "security contact; without an address that reaches the security official's team, incidents affecting "
        "ePHI go unreported (Azure Policy 4f4f78b8)."
    ),
    remediation=(
        "Defender for Cloud > Environment settings > <subscription> > Email notifications: add the security "
        "team's distribution list, or az rest --method put --url https://management.azure.com/subscriptions/<sub>/"
        "providers/Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview --body "
        '\'{"properties":{"emails":"secops@contoso.example","isEnabled":true,"notificationsByRole":{"state":"On",'
        '"roles":["Owner"]},"notificationsSources":[{"sourceType":"Alert","minimalSeverity":"Medium"}]}}\''
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, CONTACTS)
    if not related.known:
        return unknown(PATH, "security contacts for this subscription were not in the input", EXPECTED)
    observed: dict[str, list[str]] = {}
    unread: list[str] = []
    for contact in related.items:
        emails = _emails(contact)
        if emails is None:
            unread.append(contact.name)
        elif emails:
            return Verdict(Status.PASS, PATH, {contact.name: emails}, EXPECTED)
        else:
            observed[contact.name] = emails
    if unread:
        return Verdict(
            Status.UNKNOWN, PATH, sorted(unread), EXPECTED, "security contact properties were not in the input"
        )
    message = "no security contact exists" if not related.items else "security contact has no email address"
    return Verdict(Status.FAIL, PATH, observed, EXPECTED, message)
