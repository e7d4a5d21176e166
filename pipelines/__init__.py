"""The entry points (run as scripts: python pipelines/<name>.py); a package only so they share
pipelines/cli.py."""
