"""Command line: `python -m lesson prepare` fetches what is missing and builds the activation bank; `info` shows it."""

from __future__ import annotations

import argparse
import json
import sys
import time

from lesson.config import Settings

EXIT_UNAVAILABLE = 2


def _settings(args) -> Settings:
    overrides = {}
    if args.images:
        overrides["images"] = args.images
    if args.weights:
        overrides["weights"] = args.weights
    if args.offline:
        overrides["offline"] = True
    return Settings.from_env(**overrides)


def _print_provenance(bank, sources, seconds: float) -> None:
    provenance = bank.provenance
    print(f"Activation bank: {bank.path}  ({seconds:.1f} s)")
    print(f"  weights: {provenance['weights']['description']}  sha256 {provenance['weights']['sha256'][:16]}…")
    print(f"  images:  {provenance['images']['description']}  manifest {provenance['images']['manifest_sha256'][:16]}…")
    print(f"  {provenance['images']['n_images']} images, {len(provenance['layer_paths'])} layers; "
          f"PCA on {provenance['pca_units']} units per layer; preprocessing: {provenance['preprocessing']}")
    print("  versions: " + ", ".join(f"{name} {value}" for name, value in provenance["versions"].items()))
    for notice in sources.notices:
        print(f"NOTE: {notice}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lesson", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="fetch weights and images if missing, build the activation bank")
    info = commands.add_parser("info", help="show the settings and the bank they select (builds nothing)")
    for command in (prepare, info):
        command.add_argument("--images", help="imagenette (default), synthetic, or a folder of class sub-folders")
        command.add_argument("--weights", help="pretrained (default), random, or a state-dict file")
        command.add_argument("--offline", action="store_true", help="do not use the network; use stand-ins")
        command.add_argument("--json", action="store_true", help="print the provenance record as JSON")
    prepare.add_argument("--require-pretrained", action="store_true",
                         help="fail (exit 2) instead of falling back to random weights or synthetic images")
    args = parser.parse_args(argv)
    settings = _settings(args)

    from lesson.data.errors import DataError
    from lesson.data.prepare import check_cache_dir, prepare_bank, resolve_sources

    started = time.perf_counter()
    try:
        check_cache_dir(settings, writable=False)  # a file, or not creatable (prepare checks writing itself)
        if args.command == "info":
            sources = resolve_sources(settings)
            print(json.dumps({"cache_dir": str(settings.cache_dir), "images": sources.images.description,
                              "weights": sources.weights.description, "notices": list(sources.notices)}, indent=2))
            return 0
        bank, sources = prepare_bank(settings, require_pretrained=args.require_pretrained,
                                     require_lesson_images=args.require_pretrained,
                                     progress=lambda message, fraction: print(f"[{fraction:4.0%}] {message}",
                                                                             file=sys.stderr))
    except DataError as error:  # a file, folder or setting to fix: one message, no traceback
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OSError as error:  # the disk: full, read-only, removed while in use
        where = f" {error.filename}" if error.filename else ""
        print(f"error: could not read or write{where}: {error.strerror or error}. Free some space or fix the folder's "
              "permissions (or set LESSON_CACHE_DIR to another folder), then run `python -m lesson prepare` again.",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    except MemoryError:
        print("error: not enough memory to prepare the activation bank. Close other programs and try again.",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    if args.json:
        print(json.dumps(bank.provenance, indent=2))
    else:
        _print_provenance(bank, sources, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
