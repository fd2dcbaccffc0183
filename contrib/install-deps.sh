#!/bin/sh
# install-deps.sh: installs every Debian package that Hearth's build, tests
# and tools need. Idempotent: does nothing when all of them are present.
# Works as root, or through sudo for another user.
set -eu

PACKAGES="
build-essential autoconf automake libtool pkg-config
clang libclang-rt-14-dev
libsecp256k1-dev libsodium-dev libleveldb-dev libmicrohttpd-dev
libprotobuf-c-dev protobuf-c-compiler libjansson-dev libuv1-dev
libcurl4-openssl-dev libseccomp-dev libcmocka-dev
python3 python3-pytest curl
wrk
bubblewrap iproute2
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
