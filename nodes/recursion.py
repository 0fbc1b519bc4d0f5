"""A function asked to be recursive that never calls itself.

The paper's factorial goal asks the chatbot to make the function recursive. The embedded chatbot
answered "we can use an iterative approach instead of a recursive one" with a loop, and the user's
reading and the judge both took it as the recursive version (grid run of the night of
2026-11-29); the user then asked for it "iterative". A person who asked for recursion looks for
the function calling itself. Python code is read with ``ast``; JavaScript by its ``function name``
or ``const name =`` definitions and the name called again after them.
"""

from __future__ import annotations

import ast
import re

from llm_roleplay.nodes.code_language import code_blocks

_RECURSIVE = re.compile(r"\brecursi(?:ve|vely|on)\b", re.IGNORECASE)
_JS_DEFINITION = re.compile(
    r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*="
)


def not_recursive(part: str, reply: str) -> str | None:
    """ "its factorialize does not call itself" when ``part`` asks for recursion and none of the
    functions the reply's code defines calls itself; None when it does, or there is no such code."""
    if not _RECURSIVE.search(part):
        return None
    names: list[str] = []
    for _, body in code_blocks(reply):
        defined = _python_functions(body)
        if defined is None:
            defined = _javascript_functions(body)
        for name, calls_itself in defined:
            if calls_itself:
                return None
            names.append(name)
    return f"its {names[0]} does not call itself: it is not recursive" if names else None


def _python_functions(code: str) -> list[tuple[str, bool]] | None:
    """Each function the code defines and whether it calls itself; None if it is not Python."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            calls = {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            }
            found.append((node.name, node.name in calls))
    return found


def _javascript_functions(code: str) -> list[tuple[str, bool]]:
    found = []
    for match in _JS_DEFINITION.finditer(code):
        name = match.group(1) or match.group(2)
        after = code[match.end() :]
        # an arrow function or a function expression only: "const vowels = 'aeiou'" defines none
        if match.group(2) and not re.match(r"\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*=>|\s*function\b", after):
            continue
        found.append((name, bool(re.search(rf"(?<![\w$.]){re.escape(name)}\s*\(", after))))
    return found
