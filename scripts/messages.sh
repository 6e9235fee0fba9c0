#!/usr/bin/env bash
# Refresh the translation catalogues (zh-Hans, en) from the code and compile them.
# Catalogues are sorted and carry no source locations (andon/core/.../makemessages.py), so
# that branches adding different strings merge without conflicts. After editing msgstr
# lines in andon/locale/*/LC_MESSAGES/django.po, run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/../andon"
../.venv/bin/andon makemessages -l zh_Hans -l en --no-obsolete --verbosity 0 "$@"
# English is the source language: an entry nobody wrote an English msgstr for says its msgid
# (the catalogue test wants every entry filled; plural and context entries included). A
# fuzzy English guess is dropped first: the msgid itself is always the right English.
en=locale/en/LC_MESSAGES/django.po
msgattrib --clear-fuzzy --empty --sort-output --no-location "$en" -o "$en"
msgen --sort-output "$en" -o "$en.filled"
msgcat --use-first --sort-output --no-location "$en" "$en.filled" -o "$en"
rm -f "$en.filled"
../.venv/bin/andon compilemessages -l zh_Hans -l en --verbosity 0
