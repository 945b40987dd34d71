"""The `wbs` command line: `main` builds the parser; each module registers a group of sub-commands."""
