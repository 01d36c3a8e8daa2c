"""The `kiln` command line as a client of a Kiln server (login, sync, run, jobs): it talks to
the server's HTTP API with a personal API token, like any other client (docs/cli.md)."""
