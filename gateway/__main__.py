"""``python -m gateway`` is the ``karmayogi`` command."""

from gateway.cli import main

main()
