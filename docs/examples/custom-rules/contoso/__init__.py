"""Contoso Health's own rules, loaded beside the shipped pack with `--rules-dir`.

Bump RULE_PACK_VERSION whenever a rule's logic, metadata or citations change;
reports name it, with a SHA-256 of this directory's Python files, as evidence.
(Without it, or without this file, the pack is reported as "unversioned".)
"""

RULE_PACK_VERSION = "contoso-2026.12.1"
