#!/usr/bin/env bash
# Install what scripts/s3-test-server.sh needs: Debian's Ceph monitor, OSD and
# radosgw (about 60 MB, ~30 s). Idempotent: does nothing when they are already
# installed. Needs root (or sudo) and apt; CI runs it before the tests.
set -euo pipefail

needed=(radosgw ceph-mon ceph-osd radosgw-admin monmaptool curl)
missing=()
for cmd in "${needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
# s3-test-server.sh also uses the librados Python binding (python3-rados, a
# dependency of ceph-common, which the packages below pull in).
if ((${#missing[@]} == 0)) && /usr/bin/python3 -c 'import rados' 2>/dev/null; then
  echo "s3 test server: ceph-mon, ceph-osd and radosgw already installed" >&2
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || { echo "run as root (or install sudo)" >&2; exit 1; }
  sudo=(sudo)
fi

echo "s3 test server: installing ceph-mon ceph-osd radosgw (missing: ${missing[*]:-python3-rados})" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
# The packages' maintainer scripts try to enable systemd units; without systemd
# that is skipped harmlessly. No daemon is started by the install.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw curl python3-rados >&2
