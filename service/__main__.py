"""`python -m service` is the `abaila` command."""

from service.cli import main

raise SystemExit(main())
