"""Django's makemessages, writing catalogues that merge well.

Entries sorted by msgid and without source locations: adding a string in one branch and
another string in a second branch then touch different lines of the .po files, and a moved
line of code no longer rewrites the whole catalogue. `scripts/messages.sh` runs it.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--sort-output", "--no-location"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--sort-output", "--no-location"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--sort-output", "--no-location"]
    xgettext_options = [*makemessages.Command.xgettext_options, "--sort-output", "--no-location"]
