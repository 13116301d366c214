#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What the two launchers share: testing/vm/boot-dom0 (Xen and a measured
# dom0) and testing/kernel/boot-native (a kernel without Xen).  Source it
# after setting $top (the repository), $cache and $out; it sets $here_vm.
#
# A run: vm_lock, then the cached images (vm_initrd, vm_kmods), a job disk
# (vm_job_disk), a pTPM (vm_ptpm), QEMU started by the launcher, vm_watch
# until it powers off, and vm_collect for the exit status.  The guest side
# is testing/vm/guest: init (stage 1, busybox), stage2 (PID 1 on the Debian
# rootfs) and setup.d hooks.
here_vm=$top/testing/vm
t0=$(date +%s.%N)
vm_qpid='' vm_work=''

say() { [ "${quiet:-0}" = 1 ] || echo "${VM_NAME:-vm}: $*" >&2; }
die() { echo "${VM_NAME:-vm}: $*" >&2; exit 2; }

# vm_lock: one guest per slot (flock on $cache/vm.lock[.SLOT], fd 8).  Two
# guests with two vCPUs each on two cores crawl: a vCPU that waits for the
# other one (a TLB flush IPI, a spinlock) spins while the other's thread is
# descheduled.  testing/check runs guests with one vCPU side by side, each
# in a slot of its own (TH_VM_SLOT=N).
vm_lock() {
	mkdir -p "$cache"
	exec 8>"$cache/vm.lock${TH_VM_SLOT:+.$TH_VM_SLOT}"
	flock 8
}

# vm_kernel_release BZIMAGE: the release string from the bzImage header
# (boot protocol: kernel_version at 0x20e points to it, relative to 0x200).
vm_kernel_release() {
	local off
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((off + 0x200)) count=128 status=none |
		tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# vm_kernel_elf BZIMAGE: the kernel inside BZIMAGE as the ELF file it was
# compressed from, cached per bzImage; prints its path.  Xen loads a PV
# dom0 from either, but from a bzImage it first decompresses the payload
# itself, which under TCG costs about 2.7 s of every boot (Debian's xz).
# Boot protocol 2.08+: the payload starts payload_offset (0x248) bytes
# after the setup sectors (setup_sects at 0x1f1, plus the boot sector) and
# is payload_length (0x24c) bytes long; Kbuild appends the uncompressed
# size (4 bytes) to every format but gzip, whose trailer has it already.
vm_kernel_elf() {
	local bz=$1 elf sects off len magic dec
	elf=$cache/vmlinux-$(sha256sum "$bz" | cut -c1-16).elf
	if [ ! -s "$elf" ]; then
		sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
		[ "$sects" != 0 ] || sects=4
		off=$(( (sects + 1) * 512 + $(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ') ))
		len=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
		magic=$(od -An -tx1 -j "$off" -N4 "$bz" | tr -d ' ')
		case "$magic" in
		fd377a58) dec=(xz -dc) len=$((len - 4)) ;;
		1f8b*) dec=(gzip -dc) ;;
		28b52ffd) dec=(zstd -dcq) len=$((len - 4)) ;;
		*) die "$bz: payload compressed with an unknown format (magic $magic)" ;;
		esac
		dd if="$bz" iflag=skip_bytes,count_bytes skip="$off" count="$len" \
			bs=1M status=none | "${dec[@]}" >"$elf.tmp" ||
			die "$bz: cannot decompress its payload with ${dec[0]}"
		[ "$(od -An -tx1 -N4 "$elf.tmp" | tr -d ' ')" = 7f454c46 ] ||
			die "$bz: its payload is not an ELF file"
		mv "$elf.tmp" "$elf"
		# One per kernel: drop those no boot has used for two days.
		find "$cache" -maxdepth 1 -name 'vmlinux-*.elf' -mtime +2 -delete
	fi
	touch "$elf"
	echo "$elf"
}

# vm_cached NAME: hold the lock of the images every slot shares (fd 7);
# release with vm_cached_done.  Each image is checked again once it is held.
vm_cached() { exec 7>"$cache/prepare.lock"; flock 7; }
vm_cached_done() { flock -u 7; }

# vm_initrd KVER MODULES INIT KEY: the initramfs (busybox, INIT as /init,
# and with MODULES the storage drivers it loads), cached per KEY; prints
# its path.
vm_initrd() {
	local kver=$1 modules=$2 init=$3 key=$4 ir f m initrd=$cache/initrd-$4.cpio
	if [ ! -s "$initrd" ]; then
		say "building initramfs for $kver"
		ir=$(mktemp -d)
		mkdir -p "$ir"/{bin,dev,proc,sys,mods,newroot}
		cp /bin/busybox "$ir/bin/busybox"
		for a in sh mount umount insmod findfs switch_root sleep mkdir poweroff cat uname; do
			ln -s busybox "$ir/bin/$a"
		done
		install -m 0755 "$init" "$ir/init"
		: >"$ir/mods/order"
		if [ -n "$modules" ]; then
			for m in virtio_pci virtio_blk virtio_console ext4; do
				modprobe -d "${modules%/lib/modules/*}" -S "$kver" --show-depends "$m" 2>/dev/null ||
					modprobe -S "$kver" --show-depends "$m"
			done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
			while read -r f; do
				# busybox insmod takes no compressed module
				# (trixie's are .ko.xz)
				m=$(basename "$f")
				case "$f" in
				*.xz) m=${m%.xz}; xz -dc "$f" >"$ir/mods/$m" ;;
				*.zst) m=${m%.zst}; zstd -qdc "$f" >"$ir/mods/$m" ;;
				*) cp "$f" "$ir/mods/" ;;
				esac
				echo "$m" >>"$ir/mods/order"
			done
		fi
		(cd "$ir" && find . | cpio -o -H newc --quiet) >"$initrd.tmp"
		rm -rf "$ir"
		mv "$initrd.tmp" "$initrd"
	fi
	echo "$initrd"
}

# vm_kmods MODULES KEY: the kernel's /lib/modules/<release> as a read-only
# ext4 image (mounted by init), cached per KEY; prints its path.
vm_kmods() {
	local size kmods=$cache/kmods-$2.ext4
	if [ ! -s "$kmods" ]; then
		say "building the kernel modules image"
		size=$(( $(du -sm "$1" | cut -f1) + 64 ))
		mkfs.ext4 -q -F -L th-kmods -d "$1" "$kmods.tmp" "${size}M" >/dev/null
		mv "$kmods.tmp" "$kmods"
	fi
	echo "$kmods"
}

# vm_start_work: a scratch directory, removed (QEMU and swtpm killed) when
# the launcher exits; clears the results of an earlier run from $out.
vm_start_work() {
	vm_work=$(mktemp -d)
	trap vm_cleanup EXIT
	mkdir -p "$out"
	rm -rf "$out/results" "$out"/{output,console,ktap,qemu-tis}.log \
		"$out/swtpm.log" "$out/boot-seconds" "$out/tap"
}
vm_cleanup() {
	[ -n "$vm_qpid" ] && kill "$vm_qpid" 2>/dev/null
	[ -f "$vm_work/swtpm.pid" ] && kill "$(cat "$vm_work/swtpm.pid")" 2>/dev/null
	rm -rf "$vm_work"
}

# vm_job_disk SCRIPT TIMEOUT KVER KO...: the per-run job disk
# ($vm_work/job.ext4, label th-job): the script, stage 2, the setup.d
# hooks, selftests/, the project's modules KO... (/job/modules), the
# programs of $VM_BIN (default build/bin; /job/bin) and vm.conf; the guest
# leaves /job/results on it.
vm_job_disk() {
	local script=$1 timeout=$2 kver=$3 job=$vm_work/job size
	shift 3
	mkdir -p "$job"/{modules,bin,results,setup.d}
	cp "$script" "$job/script"
	cp "$here_vm/guest/stage2" "$here_vm/guest/fstab" "$job/"
	cp "$here_vm"/guest/setup.d/*.sh "$job/setup.d/" 2>/dev/null || true
	cp -r "$top/selftests" "$job/selftests"
	[ $# = 0 ] || cp "$@" "$job/modules/"
	# $VM_BIN: the programs built for the guest's release
	[ -d "${VM_BIN:-$top/build/bin}" ] && cp "${VM_BIN:-$top/build/bin}"/* "$job/bin/" 2>/dev/null
	printf 'TH_TIMEOUT=%s\nTH_KVER=%s\n' "$timeout" "$kver" >"$job/vm.conf"
	# $VM_CONF: more lines for vm.conf (boot-dom0's guest options)
	[ -z "${VM_CONF:-}" ] || printf '%s\n' "$VM_CONF" >>"$job/vm.conf"
	size=$(( $(du -sm "$job" | cut -f1) + 256 ))
	mkfs.ext4 -q -F -L th-job -d "$job" "$vm_work/job.ext4" "${size}M" >/dev/null
}

# vm_manufacture KEY SWTPM_SETUP_ARGS...: a pTPM state made once by
# swtpm_setup, cached as $cache/KEY, copied into this run's.
vm_manufacture() {
	local dir=$cache/$1
	shift
	vm_cached
	if [ ! -s "$dir/tpm-00.permall" ] && [ ! -s "$dir/tpm2-00.permall" ]; then
		say "manufacturing a pTPM state (swtpm_setup $*)"
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		swtpm_setup --tpm-state "$dir.tmp" "$@" --logfile "$dir.tmp.log" >/dev/null ||
			{ cat "$dir.tmp.log" >&2; die "swtpm_setup failed"; }
		rm -f "$dir.tmp/.lock" "$dir.tmp.log"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	vm_cached_done
	cp "$dir"/*.permall "$vm_work/tpm/"
}

# vm_ptpm FAMILY BANKS: a fresh swtpm pTPM for this boot (tpm2, tpm1 or
# none), tracing every command in $out/swtpm.log; sets VM_TPM_ARGS, QEMU's
# options for it.  A TPM 1.2 starts from a state manufactured once with an
# EK (as a shipped machine's TPM; libtpms makes it enabled and activated),
# and so does a TPM 2.0 with only the PCR banks BANKS ("sha1,sha256");
# cached per swtpm version.  Either family gets its Startup from SeaBIOS
# after QEMU's CMD_INIT (startup-clear only acts when swtpm starts).
vm_ptpm() {
	local family=$1 banks=$2 version args=(--tpm2)
	VM_TPM_ARGS=()
	[ "$family" != none ] || return 0
	mkdir -p "$vm_work/tpm"
	version=$(swtpm --version | sha256sum | cut -c1-16)
	if [ "$family" = tpm1 ]; then
		args=()
		vm_manufacture "ptpm12-$version" --createek
	elif [ -n "$banks" ]; then
		# No comma in the path: swtpm's options split on commas.
		vm_manufacture "ptpm20-${banks//,/+}-$version" --tpm2 --pcr-banks "$banks"
	fi
	swtpm socket "${args[@]}" --tpmstate dir="$vm_work/tpm" \
		--ctrl type=unixio,path="$vm_work/swtpm.sock" \
		--flags startup-clear --log file="$out/swtpm.log",level=20 \
		--pid file="$vm_work/swtpm.pid" --daemon
	for _ in $(seq 50); do [ -S "$vm_work/swtpm.sock" ] && break; sleep 0.1; done
	VM_TPM_ARGS=(-chardev socket,id=chrtpm,path="$vm_work/swtpm.sock"
		-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0)
}

# The guest's script output: a virtio-serial port the guest writes to.
vm_output_args() {
	VM_OUTPUT_ARGS=(-device virtio-serial-pci
		-chardev file,id=thout,path="$out/output.log"
		-device virtserialport,chardev=thout,name=th.out)
}

# vm_watch MARKER DEADLINE: until QEMU ($vm_qpid) exits or DEADLINE (epoch
# seconds) passes (then it is killed: VM_STATUS=timeout); the first console
# line with MARKER writes $out/boot-seconds.  Prints the output live unless
# $quiet.
vm_watch() {
	local marker=$1 deadline=$2 tailpid=''
	VM_STATUS='' VM_STARTED=0
	[ "${quiet:-0}" = 1 ] || { tail -n +1 -f --pid="$vm_qpid" "$out/output.log" 2>/dev/null & tailpid=$!; }
	while kill -0 "$vm_qpid" 2>/dev/null; do
		vm_mark_started "$marker"
		if [ "$(date +%s)" -ge "$deadline" ]; then
			VM_STATUS=timeout
			kill "$vm_qpid"
			break
		fi
		sleep 0.5
	done
	wait "$vm_qpid" 2>/dev/null || true
	vm_qpid=''
	[ -z "$tailpid" ] || wait "$tailpid" 2>/dev/null || true
	vm_mark_started "$marker"
}
vm_mark_started() {
	[ "$VM_STARTED" = 0 ] && grep -q "$1" "$out/console.log" 2>/dev/null || return 0
	VM_STARTED=1
	echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f\n", $1 - $2 }' >"$out/boot-seconds"
	say "${1#th-vm: } after $(cat "$out/boot-seconds") s"
}

# vm_collect CRASH_RE TIMEOUT: the results back from the job disk into
# $out/results; prints the script's exit status, or says why there is none
# (timeout, crash: CRASH_RE in the console log, no result) and prints 125.
vm_collect() {
	local status=$VM_STATUS
	debugfs -R "rdump /results $out" "$vm_work/job.ext4" >/dev/null 2>&1 || true
	mkdir -p "$out/results"
	if [ -z "$status" ]; then
		if [ -s "$out/results/exit-status" ]; then
			status=$(cat "$out/results/exit-status")
		elif grep -qE "$1" "$out/console.log"; then
			status=crash
		else
			status=noexit
		fi
	fi
	case "$status" in
	''|*[!0-9]*)
		echo "${VM_NAME:-vm}: FAILED: $(case $status in
			timeout) echo "no result within $2+120 s" ;;
			crash) echo "the kernel crashed" ;;
			*) echo "the machine stopped without a result" ;; esac); console log: $out/console.log" >&2
		tail -n 40 "$out/console.log" >&2
		echo 125 ;;
	*) echo "$status" ;;
	esac
}
