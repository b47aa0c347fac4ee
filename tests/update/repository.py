"""Git in a test project: run with a fixed identity, commit everything, the outside-git warning."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
             "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd)},
    )  # fmt: skip
    return result.stdout


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def commit(project: Path) -> None:
    """Commit when the project is a git repository (so the tree is clean)."""
    if (project / ".git").is_dir() and git(project, "status", "--porcelain"):
        commit_all(project, "edits")


def outside_git(project: Path) -> str:
    """The warning `drgen update` gives before writing a project that git does not track."""
    if (project / ".git").is_dir():
        return ""
    return (
        f"warning: {project} is not in a git working tree: nothing keeps the files as they "
        "were, so this update cannot be reviewed or undone (--pretend shows it first)\n"
    )
