"""``python -m graphspec`` is the ``graphspec`` command."""

from graphspec.cli import main

if __name__ == "__main__":  # not when a spawned process (graphspec tune's trials) imports this module
    raise SystemExit(main())
