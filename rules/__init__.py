"""The hipaa-scan rule pack: one module per check, grouped by Azure service.

Bump RULE_PACK_VERSION whenever a rule's logic, metadata or citations change;
reports name it (and a SHA-256 of the pack's files) as evidence.
"""

RULE_PACK_VERSION = "2026.12.1"
