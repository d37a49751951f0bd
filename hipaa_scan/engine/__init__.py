"""The rule API, registry and runner. Rule modules import only from here."""

from hipaa_scan.engine.checks import (
    DIAGNOSTIC_SETTINGS,
    approved_private_endpoint,
    child_settings,
    defender_plan,
    diagnostic_logs,
    location_allowed,
    nsg_internet_exposure,
)
from hipaa_scan.engine.expect import (
    Expectation,
    at_least,
    equals,
    non_empty,
    not_one_of,
    one_of,
    version_at_least,
)
from hipaa_scan.engine.index import SUBSCRIPTION_TYPE, Related, ResourceIndex
from hipaa_scan.engine.lookup import Lookup, Presence, lookup, lookup_in
from hipaa_scan.engine.registry import RulePack, load_rule_pack
from hipaa_scan.engine.rule import (
    Check,
    Context,
    Rule,
    Settings,
    Verdict,
    all_of,
    any_of,
    combine_all,
    combine_any,
    judge,
    not_applicable,
    property_rule,
    rule,
    unknown,
)
from hipaa_scan.engine.runner import run_rules
from hipaa_scan.model import Resource, Status

__all__ = [
    "DIAGNOSTIC_SETTINGS",
    "SUBSCRIPTION_TYPE",
    "Check",
    "Context",
    "Expectation",
    "Lookup",
    "Presence",
    "Related",
    "Resource",
    "ResourceIndex",
    "Rule",
    "RulePack",
    "Settings",
    "Status",
    "Verdict",
    "all_of",
    "any_of",
    "approved_private_endpoint",
    "at_least",
    "child_settings",
    "combine_all",
    "combine_any",
    "defender_plan",
    "diagnostic_logs",
    "equals",
    "judge",
    "load_rule_pack",
    "location_allowed",
    "lookup",
    "lookup_in",
    "non_empty",
    "not_applicable",
    "not_one_of",
    "nsg_internet_exposure",
    "one_of",
    "property_rule",
    "rule",
    "run_rules",
    "unknown",
    "version_at_least",
]
