from collections.abc import Mapping

from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    one_of,
    rule,
    unknown,
)

CONTACTS = "Microsoft.Security/securityContacts"
PATH = f"{CONTACTS}[].properties.isEnabled & notificationsSources[]"
EXPECTED = (
    "a security contact with isEnabled true and a notificationsSources entry of sourceType 'Alert' with "
    "minimalSeverity High, Medium or Low (older API: alertNotifications.state 'On')"
)
SEVERITY = one_of("High", "Medium", "Low")


def _judge(contact: Resource) -> tuple[Status, object, str]:
    """One contact: (status, observed, reason), for either API shape."""
    if not contact.properties_collected:
        return Status.UNKNOWN, None, "properties were not in the input"
    sources = lookup(contact, "properties.notificationsSources")
    if sources.found:
        # 2023-12-01-preview and later.
        alerts = [
            s.get("minimalSeverity")
            for s in (sources.value if isinstance(sources.value, list) else [])
            if isinstance(s, Mapping) and equals("Alert")(s.get("sourceType"))
        ]
        enabled = lookup(contact, "properties.isEnabled")
        observed = {"isEnabled": enabled.value, "alertMinimalSeverity": alerts}
        if enabled.found and not equals(True)(enabled.value):
            return Status.FAIL, observed, "the security contact is disabled"
        if not any(SEVERITY(a) for a in alerts):
            return Status.FAIL, observed, "no alert notification source at High severity or lower"
        if not enabled.found:
            return Status.UNKNOWN, observed, "isEnabled was not in the input"
        return Status.PASS, observed, ""
    legacy = lookup(contact, "properties.alertNotifications")
    if legacy.found:
        # 2020-01-01-preview: {state, minimalSeverity}; 2017-08-01-preview: the string 'On'/'Off'.
        value = legacy.value
        state = value.get("state") if isinstance(value, Mapping) else value
        if equals("On")(state):
            return Status.PASS, value, ""
        return Status.FAIL, value, "alert notifications are off"
    # No notification settings at all: Defender sends alert email to no one.
    return Status.FAIL, None, "no alert notification settings"


@rule(
    id="DEF-13",
    title="Security alert email notifications (severity High or lower)",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[CONTACTS],
    citations=["164.308(a)(6)(ii)"],
    rationale=(
        "Defender for Cloud alerts on resources holding ePHI are security incidents that must be identified and "
        "responded to; email notification of alerts of High severity (or lower thresholds) makes sure the "
        "security team learns of them without watching the portal (Azure Policy 6e2593d9)."
    ),
    remediation=(
        "Defender for Cloud > Environment settings > <subscription> > Email notifications: 'Notify about alerts "
        "with the following severity (or higher)': High (or Medium), and save; or PUT securityContacts/default "
        'with "isEnabled": true and "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "High"}]'
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, CONTACTS)
    if not related.known:
        return unknown(PATH, "security contacts for this subscription were not in the input", EXPECTED)
    if not related.items:
        return Verdict(Status.FAIL, PATH, None, EXPECTED, "no security contact exists")
    results = {c.name: _judge(c) for c in related.items}
    for wanted in (Status.PASS, Status.UNKNOWN):
        for name, (status, observed, reason) in results.items():
            if status is wanted:
                return Verdict(status, PATH, {name: observed}, EXPECTED, reason)
    observed_all = {name: observed for name, (_, observed, _) in results.items()}
    reasons = "; ".join(dict.fromkeys(reason for _, _, reason in results.values()))
    return Verdict(Status.FAIL, PATH, observed_all, EXPECTED, reasons)
