"""``python -m bot`` is the same as the ``deskbot`` command."""

from bot.cli import main

main()
