"""dbt's `exceptions` for sqlfluff's jinja templater (linting only). The linter's `var()` returns a dummy
value, so a macro that refuses a bad var must still render: the check is a no-op here and the macro goes on
to its default (dbt itself raises)."""


def raise_compiler_error(message):
    return ""


def warn(message):
    return ""
