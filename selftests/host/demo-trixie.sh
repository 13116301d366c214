#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo DIST=trixie: the demo's checks (demo.sh) on a Debian 13 dom0
# (Xen 4.20, trixie's stock 6.12, the project built by DKMS in trixie).
DEMO_DIST=trixie exec "$(dirname "$0")/demo.sh"
