#!/usr/bin/env bash
# The core's layer headers stack in one order, each including only the layer below it, and every
# core source includes exactly one of them (the highest layer it uses), so a file's include says
# what it may use.
set -u
cd "$(dirname "$0")/../.."
order=(base schema records io)
fail=0
want_inc() { case $1 in base) echo slots.h;; schema) echo base.h;; records) echo schema.h;; io) echo records.h;; esac; }
for h in "${order[@]}"; do
    incs=$(grep -oE '^#include "[^"]+"' "libslots/$h.h" | sed -E 's/#include "(.*)"/\1/')
    if [ "$incs" != "$(want_inc "$h")" ]; then echo "libslots/$h.h includes: $incs (want $(want_inc "$h"))"; fail=1; fi
done
for c in libslots/*.c; do
    n=$(grep -cE '^#include "(base|schema|records|io)\.h"' "$c")
    other=$(grep -E '^#include "' "$c" | grep -vE '"(base|schema|records|io)\.h"')
    if [ "$n" != 1 ] || [ -n "$other" ]; then echo "$c: include exactly one layer header ($n found) and no other library header"; fail=1; fi
done
[ -e libslots/internal.h ] && { echo "libslots/internal.h is back: use the layer headers"; fail=1; }
exit $fail
