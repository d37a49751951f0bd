"""The ARM template expression language: what is evaluated, what stays
unresolved (deploy-time functions), laziness, and bounds against hostile input."""

from __future__ import annotations

from typing import Any

import pytest

from hipaa_scan.loaders.expressions import Evaluator, UnresolvableError, parse
from hipaa_scan.loaders.template import _Evaluator
from hipaa_scan.model import Unresolved

TEMPLATE = {
    "parameters": {
        "env": {"type": "string", "defaultValue": "prod"},
        "ports": {"type": "array", "defaultValue": ["22", "443"]},
        "settings": {"type": "object", "defaultValue": {"tls": "1.2", "nested": {"on": True}}},
        "noDefault": {"type": "string"},
    },
    "variables": {
        "isProd": "[equals(parameters('env'), 'prod')]",
        "twice": "[concat(variables('isProdText'), '!')]",
        "isProdText": "[string(variables('isProd'))]",
    },
}


def _resolve(expression: str) -> Any:
    return _Evaluator(TEMPLATE, "rg").resolve_string(expression)


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("[equals(parameters('env'), 'prod')]", True),
        ("[equals('Prod', 'prod')]", False),  # case-sensitive, like Bicep's ==
        ("[not(variables('isProd'))]", False),
        ("[and(true(), greater(3, 2), lessOrEquals('a', 'b'))]", True),
        ("[or(false(), equals(1, 1))]", True),
        ("[if(variables('isProd'), 'Disabled', reference('x').y)]", "Disabled"),  # lazy if
        ("[coalesce(null(), parameters('settings').tls)]", "1.2"),
        ("[parameters('settings').nested.on]", True),
        ("[parameters('ports')[1]]", "443"),
        ("[union(createObject('a', 1), createObject('b', 2))]", {"a": 1, "b": 2}),
        ("[union(createArray(1, 2), createArray(2, 3))]", [1, 2, 3]),
        ("[length(parameters('ports'))]", 2),
        ("[first(parameters('ports'))]", "22"),
        ("[last(split('a/b/c', '/'))]", "c"),
        ("[join(take(skip(range(1, 5), 1), 2), ',')]", "2,3"),
        ("[contains(parameters('ports'), '22')]", True),
        ("[empty('')]", True),
        ("[json('{\"x\": [1]}').x[0]]", 1),
        ("[variables('twice')]", "True!"),  # variables that use variables
        ("[format('{0}-{1}', 'kv', 7)]", "kv-7"),
        ("[div(-7, 2)]", -3),
        ("[[not an expression]", "[not an expression]"),
    ],
)
def test_evaluates(expression: str, value: Any) -> None:
    assert _resolve(expression) == value


@pytest.mark.parametrize(
    "expression",
    [
        "[reference('pip').ipAddress]",
        "[uniqueString(resourceGroup().id)]",
        "[utcNow()]",
        "[listKeys('st', '2023-01-01').keys[0].value]",
        "[parameters('noDefault')]",
        "[if(reference('x').on, 'a', 'b')]",
        "[and(true(), reference('x').on)]",
        "[range(0, 100000000)]",
        "[copyIndex()]",
        "[" + "concat(" * 2000 + "'x'" + ")" * 2000 + "]",
    ],
)
def test_deploy_time_and_hostile_expressions_stay_unresolved(expression: str) -> None:
    assert isinstance(_resolve(expression), Unresolved)


def test_one_decisive_operand_settles_and_or() -> None:
    assert _resolve("[and(false(), reference('x').on)]") is False
    assert _resolve("[or(true(), reference('x').on)]") is True


def test_the_grammar_rejects_garbage() -> None:
    for text in ("concat('a'", "concat('a') extra", ".x", "f(,)"):
        with pytest.raises(UnresolvableError):
            Evaluator({}).evaluate(parse(text))


def test_a_variable_keeps_its_known_parts() -> None:
    # Only the part that needs a deployment stays unresolved; rules read the rest.
    ev = _Evaluator(
        {
            "parameters": {"user": {"type": "string"}},
            "variables": {
                "linux": {"disablePasswordAuthentication": True, "path": "[format('/home/{0}', parameters('user'))]"}
            },
        },
        "rg",
    )
    value = ev.resolve_string("[variables('linux')]")
    assert value["disablePasswordAuthentication"] is True
    assert isinstance(value["path"], Unresolved)
    assert isinstance(ev.resolve_string("[concat(variables('linux').path, '/x')]"), Unresolved)


def test_symbols_in_names_only() -> None:
    ev = _Evaluator(
        {
            "parameters": {
                "nsg": {"type": "string"},
                "st": {"type": "string", "defaultValue": "[uniqueString(resourceGroup().id)]"},
            }
        },
        "rg",
    )
    assert ev.resolve_name("[format('{0}/rdp', parameters('nsg'))]") == "{nsg}/rdp"
    assert ev.resolve_name("[parameters('st')]") == "{st}"
    assert isinstance(ev.resolve("[parameters('nsg')]"), Unresolved)  # in a property it stays unknown


def test_resource_id_reads_its_arguments_as_names() -> None:
    # A reference joins resources whatever the name will be; it is not a value a rule judges.
    ev = _Evaluator({"parameters": {"nic": {"type": "string"}}}, "rg")
    assert ev.resolve("[resourceId('Microsoft.Network/networkInterfaces', parameters('nic'))]") == (
        "/subscriptions/template/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/{nic}"
    )
    assert isinstance(ev.resolve("[concat('x', parameters('nic'))]"), Unresolved)
