#!/usr/bin/env bash
# Makes the tray icons that show how many runs need the user (resources/icons/trayIcon-N.png,
# 1–9 and 9plus) from trayIcon.png: a red disc with the count, bottom right. Needs ImageMagick.
# The icons are committed; run this again only when trayIcon.png changes.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for n in 1 2 3 4 5 6 7 8 9 9plus; do
  label=$n; [ "$n" = 9plus ] && label="9+"
  convert trayIcon.png \
    -fill '#d93025' -stroke white -strokewidth 3 -draw "circle 44,44 44,22" \
    -fill white -stroke none -font DejaVu-Sans-Bold -pointsize 26 -gravity center -annotate +12+12 "$label" \
    "trayIcon-$n.png"
done
