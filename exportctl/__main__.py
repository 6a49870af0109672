"""``python -m exportctl``."""

from exportctl.cli import cli

if __name__ == "__main__":
    cli()
