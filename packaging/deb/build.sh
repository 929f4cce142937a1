#!/bin/bash
# Builds out/lanyard_<version>_<arch>.deb with plain dpkg-deb (run by `make deb`). The executable
# comes from `make release`: one release build for the package, the demo and the benchmarks.
#
# The Swift standard library, Foundation and its ICU are linked statically
# (--static-swift-stdlib): they are not Debian packages, and one self-contained executable needs
# no private library directory, no RUNPATH rewriting and cannot pick up a different toolchain's
# runtime. The system C libraries (cairo, Pango, libusb, SQLite, ...) stay shared; the package
# depends on them, as dpkg-shlibdeps computes from the executable.
set -euo pipefail

cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
OUT=${OUT:-out}

${MAKE:-make} --no-print-directory release SWIFT="$SWIFT"
binary=.build/release/lanyard

version=$("$binary" --version)
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-"$(git config user.name 2>/dev/null || echo Lanyard maintainers) <$(git config user.email 2>/dev/null || echo lanyard@localhost)>"}
package="$OUT/lanyard_${version}_${arch}.deb"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"

# Files: every path below is where Debian bookworm's own packages put the same kind of file.
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/lanyard" "$root/usr/share/doc/lanyard" \
    "$root/lib/systemd/system" "$root/lib/udev/rules.d" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" \
    "$root/etc/lanyard" "$root/etc/chromium/policies/managed"
strip --strip-unneeded -o "$root/usr/bin/lanyard" "$binary"
chmod 0755 "$root/usr/bin/lanyard"

# Only tracked resource files, so local renders or editor files never ship; a source tarball
# without .git ships the directories as they are.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z Templates firmware-profiles web | xargs -0 -I{} install -D -m 0644 {} "$root/usr/share/lanyard/{}"
else
    cp -R Templates firmware-profiles web "$root/usr/share/lanyard/"
fi
install -m 0644 systemd/lanyard-agent.service "$root/lib/systemd/system/"
install -m 0644 systemd/lanyard-kiosk.service "$root/lib/systemd/system/"
install -m 0644 systemd/chromium-kiosk-policy.json "$root/etc/chromium/policies/managed/lanyard-kiosk.json"
install -m 0644 systemd/60-lanyard-printers.rules "$root/lib/udev/rules.d/"
install -m 0644 systemd/lanyard.sysusers "$root/usr/lib/sysusers.d/lanyard.conf"
install -m 0644 systemd/lanyard.tmpfiles "$root/usr/lib/tmpfiles.d/lanyard.conf"
install -m 0644 systemd/agent.yaml "$root/etc/lanyard/agent.yaml"
# The alerting rules, for the Prometheus server that scrapes the kiosks (docs/alerts.md): a file to
# name in its rule_files, not a configuration of this package.
install -D -m 0644 packaging/prometheus/lanyard-alerts.rules.yml "$root/usr/share/lanyard/prometheus/lanyard-alerts.rules.yml"
find "$root" -type d -exec chmod 0755 {} +

# The copyright file: Lanyard's license, then everything the package carries from elsewhere. The
# executable contains statically linked code under other licenses, which the machine-readable
# format (one license per path) cannot express, so the file is plain text. License texts come
# from the files they are distributed with; Apache-2.0 points to /usr/share/common-licenses.
copyright="$root/usr/share/doc/lanyard/copyright"
swift_version=$("$SWIFT" --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)
{
    cat <<EOF
Lanyard: edge agent for event badge printing
Copyright: the Lanyard authors
License: Apache License 2.0, full text in /usr/share/common-licenses/Apache-2.0

Fonts bundled with the sample templates, /usr/share/lanyard/Templates/*/fonts/
EOF
    for ofl in Templates/*/fonts/OFL.txt; do head -n 1 "$ofl"; done | sort -u | sed 's/^/  /'
    cat <<EOF
  License: SIL Open Font License 1.1, full text in the OFL.txt beside each font.

Icons bundled with the sample templates, /usr/share/lanyard/Templates/*/icons/
  Drawn for Lanyard by its authors and dedicated to the public domain (CC0 1.0 in spirit),
  as the COPYING beside them says.

Linked statically into /usr/bin/lanyard
  Swift runtime, standard library and Foundation (Swift $swift_version toolchain)
    Copyright: Apple Inc. and the Swift project authors
    License: Apache License 2.0 with the Swift Runtime Library Exception, which waives the
    attribution requirements of its sections 4(a), 4(b) and 4(d) for code the compiler embeds
    in a program it compiles.
  ICU, as Foundation's swift-foundation-icu
    Copyright: Unicode, Inc. and others
    License: Unicode License V3, https://www.unicode.org/copyright.html
EOF
    # The Swift packages the build resolved, with their license and notice files as shipped.
    python3 -c 'import json
for pin in json.load(open("Package.resolved"))["pins"]:
    print(pin["location"], pin["state"].get("version") or pin["state"].get("revision"))' |
        while read -r url pin_version; do
            dir=".build/checkouts/$(basename "$url" .git)"
            license=$(ls "$dir"/LICENSE* 2>/dev/null | head -n 1)
            [ -n "$license" ] || { echo "build.sh: no license file in $dir" >&2; exit 1; }
            echo "  $url $pin_version"
            if grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
                echo "    License: Apache License 2.0"
            else
                echo "    License, from its $(basename "$license"):"
                sed 's/^/      /' "$license"
            fi
            for notice in "$dir"/NOTICE*; do
                [ -f "$notice" ] || continue
                echo "    $(basename "$notice"):"
                sed 's/^/      /' "$notice"
            done
        done
} | sed 's/[[:space:]]*$//' >"$copyright"
chmod 0644 "$copyright"

# Control data.
depends=$(cd "$work" && mkdir -p debian && printf 'Source: lanyard\n\nPackage: lanyard\nArchitecture: any\n' >debian/control \
    && dpkg-shlibdeps -O root/usr/bin/lanyard 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: lanyard
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Section: misc
Priority: optional
Description: edge agent for event badge printing
 Lanyard runs beside a thermal label printer in a check-in kiosk. It renders
 each badge itself to a 1-bit raster at the printer's resolution (cairo and
 Pango for text in any script, QR codes and barcodes on whole printer dots)
 and drives Zebra-class printers over USB or TCP in ZPL II or EPL2, tuned per
 printer. It works with the network down and syncs signed templates from a
 registry when it is up.
 .
 This package installs the lanyard command, the sample templates and printer
 profiles, and the lanyard-agent systemd service with its user, state
 directory and a udev rule giving the service access to USB printers.
EOF
printf '%s\n' /etc/lanyard/agent.yaml /etc/chromium/policies/managed/lanyard-kiosk.json >"$root/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$OUT"
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "$package: $(du -h "$package" | cut -f1); Depends: $depends"
