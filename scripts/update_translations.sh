#!/usr/bin/env bash
# Refresh the Qt translation sources from studio/ui and compile them.
#
#   scripts/update_translations.sh          # lupdate (keeps existing translations) + lrelease
#   scripts/update_translations.sh --check  # fail if a source text has no finished translation
#
# English is the source language; zh_CN and ja are translated in resources/i18n/studio_<lang>.ts
# (edit them with pyside6-linguist or any text editor), and the compiled .qm files are committed.
# No source locations are stored, so editing the UI code does not churn the .ts files.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"
LUPDATE="$BIN/pyside6-lupdate"
LRELEASE="$BIN/pyside6-lrelease"
I18N=resources/i18n
LANGS=(zh_CN ja)

mapfile -t SOURCES < <(find studio/ui -name '*.py' | sort)
mkdir -p "$I18N"
for lang in "${LANGS[@]}"; do
    "$LUPDATE" -no-obsolete -locations none -target-language "$lang" \
        "${SOURCES[@]}" -ts "$I18N/studio_$lang.ts"
    "$LRELEASE" "$I18N/studio_$lang.ts" -qm "$I18N/studio_$lang.qm"
done

if [[ "${1:-}" == "--check" ]]; then
    if grep -l 'type="unfinished"' "$I18N"/studio_*.ts; then
        echo "untranslated texts in the files above" >&2
        exit 1
    fi
fi
