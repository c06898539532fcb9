"""``python -m graphspec`` is the ``graphspec`` command."""

from graphspec.cli import main

raise SystemExit(main())
