"""A griffe extension that lets the package's numpydoc docstrings render as Markdown.

The docstrings are written for numpydoc (reStructuredText inside numpydoc sections), while
mkdocstrings renders Markdown. Before griffe parses a docstring this extension rewrites
the few reStructuredText constructs the package uses:

- cross-reference roles (``:func:`~sccgames.model.motives.beta_mean```) become inline code
  (``beta_mean``), the text a reader of ``help()`` sees;
- citations ``[Key]_`` become links to the key's entry in the references of
  ``docs/model.md`` (an unknown key fails the strict build);
- doctest lines outside an ``Examples`` section, simple tables (``=====  ====`` rules)
  and literal blocks introduced by ``::`` become fenced code blocks;
- a prose paragraph at the end of a ``Parameters`` or ``Attributes`` section, which
  numpydoc reads as text but griffe would read as one more parameter, is moved to a
  ``Notes`` section.

Nothing here changes what a docstring says; the docstrings themselves stay numpydoc.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?[a-z]+:`(~?)([^`<]*?)\s*(?:<([^>`]+)>)?`")
CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9]+)\]_")
SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")
TABLE_RULE = re.compile(r"^\s*=+(\s+=+)+\s*$")
PARAMETER_LINE = re.compile(r"^[*\w.]+(, [*\w.]+)*( : .*)?$")
LISTED_SECTIONS = {"parameters", "attributes", "other parameters"}


def _role(match: re.Match[str]) -> str:
    short, text, target = match.groups()
    if target is not None and text:
        return f"``{text}``"
    name = text.strip()
    if short:
        name = name.rsplit(".", 1)[-1]
    return f"``{name}``"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _fence(lines: list[str], language: str, indent: int | None = None) -> list[str]:
    """``lines`` as a fenced block at ``indent`` (default: the lines' own indentation)."""
    least = min(_indent(line) for line in lines if line.strip())
    pad = " " * (least if indent is None else indent)
    body = [line[least:] if line.strip() else "" for line in lines]
    return [f"{pad}```{language}", *(pad + line if line else "" for line in body), f"{pad}```"]


def convert(text: str) -> str:
    """The docstring ``text`` with its reStructuredText constructs made Markdown."""
    text = ROLE.sub(_role, text)
    text = CITATION.sub(r"[\\[\1\\]][bib-\1]", text)
    lines = text.split("\n")
    out: list[str] = []
    notes: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and SECTION_RULE.match(following):
            section = line.strip().lower()
            out += [line, following]
            i += 2
            continue
        if line.lstrip().startswith(">>>") and section != "examples":
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            out += _fence(lines[i:j], "pycon")
            i = j
            continue
        if TABLE_RULE.match(line):
            rules = [k for k in range(i, len(lines)) if TABLE_RULE.match(lines[k])][:3]
            end = rules[-1] + 1
            out += _fence(lines[i:end], "text")
            i = end
            continue
        if line.rstrip().endswith("::") and not line.strip().startswith(".."):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            k = j
            base = _indent(line)
            while k < len(lines) and (not lines[k].strip() or _indent(lines[k]) > base):
                k += 1
            while k > j and not lines[k - 1].strip():
                k -= 1
            out.append(line.rstrip()[:-1])
            if k > j:
                out += ["", *_fence(lines[j:k], "text", indent=base)]
            i = k
            continue
        starts_item = line.strip() and _indent(line) == 0 and (not out or not out[-1].strip())
        if section in LISTED_SECTIONS and starts_item and not PARAMETER_LINE.match(line.strip()):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            notes += [*lines[i:j], ""]
            i = j
            continue
        out.append(line)
        i += 1
    if notes:
        while out and not out[-1].strip():
            out.pop()
        out += ["", "Notes", "-----", *notes]
    return "\n".join(out).rstrip() + "\n"


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring with :func:`convert` before griffe parses it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Convert the docstring of each object as it is loaded."""
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
