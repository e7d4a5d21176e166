"""dbt's `exceptions` for sqlfluff's jinja templater (linting only): macros that call
exceptions.raise_compiler_error on a bad var still render for the linter."""


def raise_compiler_error(message):
    raise RuntimeError(message)


def warn(message):
    return ""
