#!/usr/bin/env bash
# Refresh the translation catalogues (zh-Hans, en) from the code and compile them.
# Catalogues are sorted and carry no source locations (andon/core/.../makemessages.py), so
# that branches adding different strings merge without conflicts. After editing msgstr
# lines in andon/locale/*/LC_MESSAGES/django.po, run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/../andon"
../.venv/bin/andon makemessages -l zh_Hans -l en --no-obsolete --verbosity 0 "$@"
../.venv/bin/andon compilemessages -l zh_Hans -l en --verbosity 0
