"""`python -m service` is the `abaila` command."""

from service.cli import main

if __name__ == "__main__":  # a spawned worker process (the WHOIS parser) imports this module too
    raise SystemExit(main())
