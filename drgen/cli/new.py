"""`drgen new NAME`: its options, and the person at the terminal who answers what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drgen.answers.fields import CI_SYSTEMS, NETWORKS
from drgen.answers.model import Answers
from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.cli import terminal
from drgen.cli.options import JSON_OPTION, QUIET_OPTION, VERBOSE_OPTION, complete
from drgen.cli.output import start
from drgen.commands.new import NewOptions, run_new

if TYPE_CHECKING:
    from drgen.answers.prompts import Asker


class AtTerminal:
    """Asks at the terminal (questionary loads only now: 9 MB nobody else needs)."""

    def __init__(self) -> None:
        #: One asker for the whole run: each question's history lasts to the recap's re-asks.
        self.asker: Asker | None = None

    def ask_name(self, default: str | None, check: Callable[[str], None]) -> str:
        """The project name, checked as NAME is."""
        from drgen.answers import prompts

        return prompts.ask_name(default, check)

    def ask_missing(self, project_name: str, raw: dict[str, object]) -> int:
        """Ask each missing question in turn."""
        return self._asker(project_name, raw).ask_all()

    def confirm_write(self, answers: Answers, target: str) -> bool:
        """The recap, then "write it?"."""
        from drgen.answers import prompts

        return prompts.confirm_write(answers, target)

    def change_one(self, answers: Answers, raw: dict[str, object]) -> bool:
        """Which answer to change, then that question again."""
        return self._asker(answers.project_name, raw).change_one(answers)

    def _asker(self, project_name: str, raw: dict[str, object]) -> Asker:
        from drgen.answers import prompts

        if self.asker is None:
            self.asker = prompts.Asker(project_name, raw)
        return self.asker


def new(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="Project name: lowercase letters, digits, hyphens (asked in a terminal if left "
            "out).",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="AWS region, primary first; repeat it or separate with commas "
            "(default: us-east-1, us-west-2).",
            autocompletion=complete(sorted(COMMERCIAL_REGIONS)),
        ),
    ] = None,
    env_suffix: Annotated[
        str | None,
        typer.Option(
            "--env-suffix",
            "-e",
            metavar="SUFFIX",
            help="Environment suffix ending every physical name (default: dev).",
        ),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers-file",
            "-a",
            metavar="FILE",
            help="YAML or JSON answers, or a project's .drgen/answers.yml; flags override it.",
        ),
    ] = None,
    use_defaults: Annotated[
        bool, typer.Option("--defaults", help="Use the default for every answer not given.")
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help="Where to create the project; missing parent folders are created "
            "(default: ./NAME).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory that holds no drgen project: drgen's files "
            "replace files at the same paths, infra/extensions.py and all others are kept.",
        ),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip running the generated project's tests.")
    ] = False,
    pretend: Annotated[
        bool,
        typer.Option(
            "--pretend",
            help="List the files it would write and the answers it would use; write nothing.",
        ),
    ] = False,
    route53: Annotated[
        bool | None,
        typer.Option(
            "--route53/--no-route53",
            help="Route 53 failover on a custom domain in an existing hosted zone (default: off).",
        ),
    ] = None,
    hosted_zone_id: Annotated[
        str | None,
        typer.Option(
            "--hosted-zone-id", metavar="ZONE_ID", help="Existing hosted zone id (with --route53)."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain", metavar="DOMAIN", help="The hosted zone's domain (with --route53)."
        ),
    ] = None,
    record_name: Annotated[
        str | None,
        typer.Option(
            "--record-name",
            metavar="NAME",
            help="Record in the zone, serving <record>.<domain> (default: NAME-SUFFIX).",
        ),
    ] = None,
    network: Annotated[
        str | None,
        typer.Option(
            "--network",
            metavar="none|vpc",
            help="Function networking (default: none).",
            autocompletion=complete(NETWORKS),
        ),
    ] = None,
    base_cidr: Annotated[
        str | None,
        typer.Option(
            "--base-cidr",
            metavar="CIDR",
            help="With --network vpc: one /16 per region (default: 10.0.0.0/8).",
        ),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option(
            "--ci",
            metavar="github|none",
            help="CI workflows to generate (default: github).",
            autocompletion=complete(CI_SYSTEMS),
        ),
    ] = None,
    alarm_email: Annotated[
        str | None,
        typer.Option(
            "--alarm-email",
            metavar="EMAIL",
            help="Address every alarm topic mails, or none for nobody (no default).",
        ),
    ] = None,
    drgen_source: Annotated[
        str | None,
        typer.Option(
            "--drgen-source",
            metavar="pypi|URL",
            help="Where requirements-dev.txt installs drgen from: pypi, or an https:// "
            "package index (default: pypi).",
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="In a terminal, write without the recap and confirmation."
        ),
    ] = False,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Create a DR stack project NAME and prove it with its own tests at 100% coverage."""
    flags: dict[str, object | None] = {
        "regions": region or None,
        "env_suffix": env_suffix,
        "route53": route53,
        "hosted_zone_id": hosted_zone_id,
        "domain": domain,
        "record_name": record_name,
        "network": network,
        "base_cidr": base_cidr,
        "ci": ci,
        "alarm_email": alarm_email,
        "drgen_source": drgen_source,
    }
    report = start(ctx, "new", json_mode, quiet=quiet, verbose=verbose)
    options = NewOptions(
        answers_file=answers_file,
        use_defaults=use_defaults,
        output_dir=output_dir,
        force=force,
        pretend=pretend,
        no_verify=no_verify,
        yes=yes,
    )
    person = AtTerminal() if not json_mode and terminal.stdin_is_terminal() else None
    run_new(report, name, flags, options, terminal.Display, person)
