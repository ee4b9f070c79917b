"""``workbench prune eval``: the pruning sweep from a shell, as CSV or JSON rows.

A thin shell over :func:`workbench.pruning.sweep.sweep` (the same rows, the same cache as notebook 04);
the model comes from the registry (:func:`workbench.models.load_model`). Unlike the other pruning
modules it parses arguments and writes files; it measures nothing itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench import pruning
from workbench.config import check_out, write_atomic
from workbench.errors import UsageError, count_arg, unknown_name


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """``workbench prune eval --model dinov2-s --methods a,b --keep 0.75,0.5 [--at-layers 0,1] --out FILE.csv``."""
    group = subparsers.add_parser("prune", help="visual token pruning").add_subparsers(dest="prune_command",
                                                                                       required=True)
    ev = group.add_parser("eval", help="fidelity and cost of pruning methods over keep ratios")
    ev.add_argument("--model", default="dinov2-s", choices=["dinov2-s"])
    ev.add_argument("--methods", default="random,pool,tome,evit",
                    help=f"comma-separated, from {', '.join(pruning.METHODS)}")
    ev.add_argument("--keep", default="0.75,0.5,0.25", type=_keep_list, help="comma-separated keep ratios in (0, 1]")
    ev.add_argument("--at-layers", default=None, type=_layer_list,
                    help="comma-separated block indices where every method reduces (default: each method's own "
                         "place), e.g. 0,1,2,3 for ToMe in the first four blocks")
    ev.add_argument("--images", type=_images_arg, default=None,
                    help="labelled lfw images, 0..200 (default: the mode's, 8 fast, 200 full), or a folder of your "
                         "own images (png, jpg, ...; unlabelled, so no knn_agree)")
    ev.add_argument("--out", default=None, help="CSV file to write (stdout if omitted)")
    ev.add_argument("--json", action="store_true", help="print JSON rows instead of CSV")
    ev.add_argument("--no-cache", action="store_true", help="recompute every row instead of reusing cached ones")
    ev.set_defaults(func=_cli_eval)


def _cli_eval(args: argparse.Namespace) -> int:
    """Run the sweep and write CSV (or JSON) rows."""
    import polars as pl

    from workbench.models import dinov2, load_model
    from workbench.pruning.images import folder_images
    from workbench.pruning.sweep import offline_images, sweep

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in pruning.METHODS:
            raise unknown_name("pruning method", m, pruning.METHODS)
    options = {"at_layers": args.at_layers} if args.at_layers else {}
    if args.out:
        check_out(args.out)  # a folder that cannot be written fails now, not after the sweep
    # a count the set does not have, or a bad image file, fails before the model loads
    images = folder_images(args.images) if isinstance(args.images, Path) else offline_images(n_labelled=args.images)
    model = load_model(args.model).model
    try:  # a placement this model cannot take fails here, before any work
        for m in methods:
            pruning.apply(model, m, keep=args.keep[0], **options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    finally:
        pruning.remove(model)
    rows = sweep(model, images, methods, args.keep, dinov2.load_saliency_decoder(), use_cache=not args.no_cache,
                 **options)
    frame = pl.DataFrame(rows)
    if args.json:
        text = json.dumps(rows, indent=1)
    else:
        text = frame.write_csv()
    write_text(text, args.out)
    return 0


def _images_arg(text: str) -> int | Path:
    """``--images``: a count of labelled lfw images (an integer >= 0) or the path of an image folder or file."""
    if text.lstrip("-").isdigit():
        return count_arg(0)(text)
    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"expected a count (e.g. 8) or an image folder, got {text!r} (no such path)")
    return Path(text)


def _keep_list(text: str) -> list[float]:
    """``--keep``: comma-separated fractions in (0, 1]."""
    try:
        keeps = [float(k) for k in text.split(",") if k.strip()]
        for k in keeps:
            pruning.patch.check_keep(k)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (e.g. --keep 0.75,0.5,0.25)") from None
    if not keeps:
        raise argparse.ArgumentTypeError("give at least one keep ratio, e.g. --keep 0.5")
    return keeps


def _layer_list(text: str) -> tuple[int, ...]:
    """``--at-layers``: comma-separated block indices (non-negative integers)."""
    try:
        layers = tuple(int(i) for i in text.split(",") if i.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"block indices must be integers, e.g. 0,1,2,3; got {text!r}") from None
    if not layers or min(layers) < 0:
        raise argparse.ArgumentTypeError(f"give non-negative block indices, e.g. 0,1,2,3; got {text!r}")
    return layers


def write_text(text: str, out: str | None) -> None:
    """Write a report to ``out``, or to stdout when no path is given (CLI and benchmark share it)."""
    if out:
        write_atomic(check_out(out), text)
    else:
        sys.stdout.write(text)
