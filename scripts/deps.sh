#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install every Debian package tpm-handoff needs, skipping those already
# installed.  Runs as root on a fresh Debian 12 (bookworm) machine; both
# README commands (make demo, make check) call it first.
set -euo pipefail

PKGS=(
	# build: kernel modules, userspace tools, lint
	build-essential make gcc pkg-config sparse flex bison bc
	libelf-dev libssl-dev dwarves kmod cpio xz-utils zstd ccache dkms
	# the dom0 kernel, its headers and the full source tree
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	# the measured-dom0 VM
	qemu-system-x86 qemu-utils xen-hypervisor-4.17-amd64 xen-utils-4.17
	xenstore-utils libxen-dev busybox-static debootstrap e2fsprogs
	# TPMs and TPM clients
	swtpm swtpm-tools libtpms-dev tpm2-tools libtss2-dev ima-evm-utils libcap-ng-dev
	# tests and tools
	python3 python3-docutils openssl clang libclang-rt-14-dev rsync
	# other Debian suites (scripts/fetch-deb), a Debian 13 dom0 (mkrootfs)
	curl gpgv debian-archive-keyring
)

if [ "$(id -u)" != 0 ]; then
	echo "deps: must run as root to install packages" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	case "$p" in \#*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages installed"
	exit 0
fi

echo "deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
