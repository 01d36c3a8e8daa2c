"""Parameter descriptions from a Python docstring: Google, NumPy or reST style."""

from __future__ import annotations


def docstring_params(doc: str) -> dict[str, str]:
    """Parameter descriptions from a Google, NumPy or reST docstring."""
    out: dict[str, str] = {}
    lines = doc.expandtabs().splitlines()
    # reST / Sphinx: ":param name: text"
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(":param "):
            head, _, text = stripped[len(":param ") :].partition(":")
            name = head.split()[-1] if head.split() else ""
            if name:
                out[name] = text.strip()
    if out:
        return out
    for i, line in enumerate(lines):
        header = line.strip().rstrip(":").lower()
        if header in {"args", "arguments", "parameters", "params", "keyword args"} and line.strip().endswith(
            ":"
        ):
            out.update(_google_section(lines[i + 1 :], _indent(line)))
        elif header == "parameters" and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            out.update(_numpy_section(lines[i + 2 :], _indent(line)))
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google_section(lines: list[str], base: int) -> dict[str, str]:
    out: dict[str, str] = {}
    current: str | None = None
    item_indent: int | None = None
    for line in lines:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= base:
            break  # the next section
        if item_indent is None:
            item_indent = indent
        if indent == item_indent and ":" in line:
            head, _, text = line.strip().partition(":")
            current = head.split("(")[0].strip().lstrip("*")
            out[current] = text.strip()
        elif current is not None:
            out[current] = f"{out[current]} {line.strip()}".strip()
    return out


def _numpy_section(lines: list[str], base: int) -> dict[str, str]:
    out: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= base and current is not None and set(line.strip()) == {"-"}:
            break
        if indent <= base:
            if current is not None and not line.strip()[0].isalnum():
                break
            name = line.split(":")[0].strip()
            if not name.isidentifier():
                break
            current = name
            out[current] = ""
        elif current is not None:
            out[current] = f"{out[current]} {line.strip()}".strip()
    return {k: v for k, v in out.items() if v}
