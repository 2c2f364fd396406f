"""`lapor-verify sla`: compliance figures recomputed from a bundle (checks 1-6, 7, 12)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from verify.bundle import verify_bundle_signatures
from verify.cli import common
from verify.cli.bundle_command import bundle_opener, entries_progress
from verify.cli.sla_options import load_compare, selection_options
from verify.cli.sla_table import table_lines
from verify.sla import RecomputedBundle, Selection, SlaRow, compliance_rows, recompute_from_bundle
from verify.sla_agencies import load_agency_tree
from verify.sla_compare import compare_figures
from verify.sla_document import FIGURE_NAMES, document
from verify.sla_rules.figures import Period


@click.command(epilog=common.EXIT_CODES_HELP)
@click.argument("bundle", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@selection_options
@common.log_key_option(required=False)
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="List at most this many failures (all are counted).",
)
@common.json_option
def sla(
    bundle: str,
    agencies: str | None,
    as_of: datetime | None,
    periods: list[Period],
    by_year: bool,
    classification: str | None,
    agency: str | None,
    compare: str | None,
    token_file: str | None,
    log_keys: tuple[str, ...],
    max_failures: int,
    as_json: bool,
) -> None:
    """Recompute the SLA compliance figures from a bundle's clear headers.

    BUNDLE is an export bundle (or - for stdin). Checks 1-6 run as for `bundle` (and 7 with
    --log-key); then every report's clear headers are folded with the verifier's copy of the
    service's rules into per agency, per hub (with --agencies) and national figures. With
    --compare, check 12: the service's figures, computed at a log size the bundle covers,
    must equal the recomputed ones, figure by figure; the selections come from that document.
    """
    selecting = as_of or periods or by_year or classification
    if compare is not None and selecting:
        raise click.UsageError("--compare takes moments and periods from the document")

    def run() -> tuple[dict[str, Any], common.Lines]:
        keys, _ = common.trusted_keys(log_keys)
        tree = load_agency_tree(Path(agencies)) if agencies else None
        service = load_compare(compare, common.read_token(token_file)) if compare else None
        if service and tree is None and any(r.group_by == "hub" for r in service[1]):
            raise click.UsageError("the service's figures have hub rows: give --agencies FILE")
        with bundle_opener(bundle) as opener, entries_progress(as_json) as progress:
            recomputed = recompute_from_bundle(
                opener,
                tree_size=service[0] if service else None,
                max_failures=max_failures,
                progress=progress,
            )
        checked = "unchecked"
        if keys:
            verify_bundle_signatures(recomputed.summary, keys)  # check 7
            checked = "verified"
        data: dict[str, Any] = {"checkpoint_signatures": checked}
        if service is None:
            selections = _selections(recomputed, as_of, periods, by_year, classification)
            rows = [
                row
                for s in selections
                for row in compliance_rows(
                    recomputed.records.values(), s, agencies=tree, only=agency
                )
            ]
        else:
            rows = compare_figures(
                recomputed, service[1], agencies=tree, only=agency, max_failures=max_failures
            )
            data["compared"] = {"source": compare, "rows": len(rows)}
            data["compared"]["figures"] = len(rows) * len(FIGURE_NAMES)
        data |= {**document(recomputed.tree_size, rows), "bundle": recomputed.summary.to_dict()}
        return data, _lines(recomputed, rows, data.get("compared"), checked)

    common.checked(bundle, as_json, run)


def _selections(
    bundle: RecomputedBundle,
    as_of: datetime | None,
    periods: list[Period],
    by_year: bool,
    classification: str | None,
) -> list[Selection]:
    moment = as_of or datetime.now(UTC)
    chosen: list[Period | None] = list(periods)
    if by_year:
        chosen += [Period.year(y) for y in bundle.years()]
    if by_year or not chosen:
        chosen.append(None)
    return [Selection(moment, p, classification) for p in chosen]


def _lines(
    bundle: RecomputedBundle, rows: list[SlaRow], compared: Any, signatures: str
) -> common.Lines:
    s = bundle.summary
    lines = [
        f"bundle verified: {s.entries} entries, {s.reports} reports (origin {s.origin}); "
        f"checkpoint signatures {signatures}",
        f"figures recomputed from the first {bundle.tree_size} entries "
        f"({len(bundle.records)} reports)",
    ]
    if compared:
        lines.append(
            f"check 12: {compared['rows']} rows, {compared['figures']} figures equal to "
            f"the service's ({compared['source']})"
        )
    return lines + table_lines(rows)
