"""`calaim` command line: `identify` runs the job, `synth` writes synthetic plan data; more may be added."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence

from identification.errors import InputError, RulesError

Handler = Callable[[argparse.Namespace], int]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _add_identify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("identify", help="find ECM candidates in a plan's member and claims files")
    p.add_argument("--members", required=True, help="members file (.csv or .parquet)")
    p.add_argument("--claims", required=True, help="claims/encounters file (.csv or .parquet)")
    p.add_argument("--as-of", required=True, type=_date, help="run date YYYY-MM-DD")
    p.add_argument("--out", required=True, help="candidates output file (.csv or .parquet)")
    p.add_argument("--exclusions", help="exclusions output (default: OUT with .exclusions before the ending)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    p.add_argument("--rules", help="rules YAML file (default: the packaged set)")
    p.add_argument("--spark-master", help="Spark master URL (default local[*])")
    p.set_defaults(handler=_identify)


def _add_synth(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="write deterministic synthetic members and claims files")
    p.add_argument("--members", required=True, type=int, help="number of members")
    p.add_argument("--out", required=True, help="directory for members.* and claims.*")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--as-of", type=_date, default=dt.date(2026, 6, 30), help="date the data leads up to")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--claims-per-member", type=float, default=20.0, help="average claims per member")
    p.set_defaults(handler=_synth)


def build_parser() -> argparse.ArgumentParser:
    """The parser; each subcommand registers its own handler."""
    parser = argparse.ArgumentParser(prog="calaim", description="CalAIM ECM tools")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_identify(sub)
    _add_synth(sub)
    return parser


def _identify(args: argparse.Namespace) -> int:
    from identification.config import load_rules  # loaded on use: `calaim --help` answers without the engines
    from identification.report import ProgressReporter, print_summary  # loaded on use
    from identification.run import identify  # loaded on use

    try:
        rules = load_rules(args.rules)
        with ProgressReporter(sys.stderr) as reporter:
            summary = identify(args.members, args.claims, args.as_of, args.out, args.exclusions,
                               engine=args.engine, rules=rules, spark_master=args.spark_master,
                               progress=reporter.step)
    except (InputError, RulesError) as exc:
        print(f"calaim identify: error: {exc}", file=sys.stderr)
        print("No output file was written.", file=sys.stderr)
        return 1
    print_summary(summary, sys.stderr)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from identification.synth import synthesize  # loaded on use

    paths = synthesize(args.members, args.out, seed=args.seed, as_of=args.as_of, fmt=args.format,
                       claims_per_member=args.claims_per_member)
    for path in paths:
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `calaim` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
