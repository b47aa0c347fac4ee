"""The drgen pin of a generated requirements-dev.txt, and what a template change is.

The pin is the version that rendered the file, so every release renders it differently; a
release whose template renders nothing else is not a change a project must take: the pin
moves with the next `drgen update`, or with the Dependabot pull request that bumped it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from drgen.project.blob import Blob

#: The file that pins drgen (CI installs from it, Dependabot bumps it).
PIN_FILE = "requirements-dev.txt"
PIN_LINE = re.compile(rb"^drgen==\S+$", re.MULTILINE)
UNPINNED = b"drgen==*"


def unpinned(files: Mapping[str, Blob]) -> dict[str, Blob]:
    """The files with the drgen pin's version left out."""
    result = dict(files)
    blob = result.get(PIN_FILE)
    if blob is not None:
        result[PIN_FILE] = Blob(PIN_LINE.sub(UNPINNED, blob.data), blob.mode)
    return result


def template_changed(rendered: Mapping[str, Blob], base: Mapping[str, Blob]) -> bool:
    """Whether the template renders anything else than the recorded files besides the pin."""
    return unpinned(rendered) != unpinned(base)
