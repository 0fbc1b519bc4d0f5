"""Python code flattened onto one line, laid out again as the person who pastes it has it.

The paper's factorial goal holds its code on one line ("def factorialize(num): factorial = 1 for i
in range(1, num): factorial *= i return factorial"), and the user pasted it so under their first
message in every factorial dialogue (grid run of 2026-11-29): nobody's code looks like that. The
layout is rebuilt only when the line does not parse as Python and the rebuilt code does (``ast``),
so code that is already laid out, or is not Python, is left exactly as it is.
"""

from __future__ import annotations

import ast
import re

INDENT = "    "

# Where a statement begins inside the flattened line: before a keyword that opens one. A keyword
# inside an expression ("x if y else z", "[i for i in xs]") is not preceded by a complete statement;
# such code is left alone when the rebuilt layout does not parse.
_STATEMENT_KEYWORD = re.compile(
    r"\s+(?=(?:def|class|for|while|if|elif|else|try|except|finally|with|return|yield|break|continue|pass"
    r"|raise|import|from|print)\b)"
)
_HEADER = re.compile(r"^(?:def|class|for|while|if|elif|else|try|except|finally|with)\b.*:\s*(?P<body>.*)$")
_DEDENTED = re.compile(r"^(?:elif|else|except|finally)\b")


def laid_out(code: str) -> str:
    """``code`` on several lines with its indentation, when it came flattened onto one line."""
    if "\n" in code.strip() or _parses(code):
        return code
    statements = [piece.strip() for piece in _STATEMENT_KEYWORD.split(code.strip()) if piece.strip()]
    lines: list[str] = []
    depth = 0
    function_body = 0  # the depth of the current function's body, where a "return" goes
    for statement in statements:
        if _DEDENTED.match(statement):
            depth = max(depth - 1, 0)
        if statement.startswith("return") and function_body:
            depth = function_body
        header = _HEADER.match(statement)
        if not header:
            lines.append(INDENT * depth + statement)
            continue
        body = header.group("body")
        lines.append(INDENT * depth + statement[: len(statement) - len(body)].rstrip())
        depth += 1
        if statement.startswith("def"):
            function_body = depth
        if body:
            lines.append(INDENT * depth + body)
    rebuilt = "\n".join(lines)
    return rebuilt if _parses(rebuilt) else code


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True
