# vm.sh - sourced by tests that need multicast routing (CONFIG_IP_MROUTE, missing from the CI kernel): a qemu TCG guest booting Debian's own kernel with the host's / as a read-only 9p root.
#
#   . "$src/tests/lib/vm.sh"          # after tests/lib/netns.sh (for skip)
#   vm_build "$build/vm"              # once per build dir: kernel + busybox-static debs, 1-2 MB initramfs
#   vm_run "$build/vm" 240 CMD...     # boot (TCG, ~10 s), run CMD as root in the guest, power off;
#                                     # prints the guest's output and returns CMD's exit status
#
# The guest has no NIC (it never touches the host's network), 1 GiB of memory, a private tmpfs on
# /run and on /tmp (when the build lives under /tmp, the host's /tmp stays visible read-only and
# TMPDIR points at /run/tmp), and loads bridge and veth from the extracted kernel package. Every
# failure to get or boot the guest ends the test with exit 77 and the reason (skip); every wait is
# bounded. Files the command writes must go to $TMPDIR (mktemp): the rest of the guest is read-only.

VM_MODS_INITRD="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

# vm_build DIR: vmlinuz, initrd.gz and kimg/ (the kernel package's files) in DIR, built once; a
# concurrent build waits on a lock (bounded) and reuses the result.
vm_build() {
	local dir=$1 work pkg m f
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
	mkdir -p "$dir" || skip "cannot create $dir"
	exec 9>"$dir/.lock"
	flock -w 300 9 || skip "another guest build holds $dir/.lock"
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.gz" ] && [ -d "$dir/kimg/lib/modules" ]; then
		exec 9>&-
		return 0
	fi
	command -v apt-get >/dev/null && command -v dpkg >/dev/null || skip "the guest is built from Debian packages: apt-get and dpkg are needed"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	[ -n "$pkg" ] || skip "apt-cache does not know linux-image-amd64 (no Debian kernel package to boot)"
	work=$(mktemp -d "$dir/build.XXXXXX")
	if ! (cd "$work" && timeout 600 apt-get download -q "$pkg" busybox-static >download.log 2>&1); then
		tail -3 "$work/download.log"
		rm -rf "$work"
		skip "apt-get download $pkg busybox-static failed (no package mirror reachable?)"
	fi
	(cd "$work" && dpkg -x "$pkg"_*.deb kimg && dpkg -x busybox-static_*.deb bb) ||
		{ rm -rf "$work"; skip "dpkg -x of the downloaded kernel or busybox package failed"; }
	f=$(ls "$work"/kimg/boot/vmlinuz-* 2>/dev/null | head -1)
	[ -n "$f" ] || { rm -rf "$work"; skip "$pkg has no /boot/vmlinuz-*"; }
	mkdir -p "$work"/ird/bin "$work"/ird/lib "$work"/ird/proc "$work"/ird/sys "$work"/ird/dev "$work"/ird/newroot
	cp "$work/bb/bin/busybox" "$work/ird/bin/"
	for m in $VM_MODS_INITRD; do
		# a module missing from the package is built in
		f=$(find "$work/kimg" -name "$m.ko" | head -1)
		[ -n "$f" ] && cp "$f" "$work/ird/lib/"
	done
	# /init: load virtio and 9p, mount the host's / read-only, switch to it and run the command
	# named on the kernel command line (ipk.cmd=FILE, a script the host wrote under DIR).
	cat >"$work/ird/init" <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p; do
	[ -f /lib/$m.ko ] && insmod /lib/$m.ko
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /newroot; then
	echo "=== ipk-guest: cannot mount the host root over 9p"
	poweroff -f
fi
CMD=$(sed -n 's/.*ipk\.cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/sh "$CMD"
EOI
	chmod +x "$work/ird/init"
	(cd "$work/ird" && find . | ../bb/bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 >../initrd.gz) ||
		{ rm -rf "$work"; skip "cannot pack the guest's initramfs"; }
	rm -rf "$dir/kimg" "$dir/bb"
	mv "$work/kimg" "$work/bb" "$dir/" && cp "$dir"/kimg/boot/vmlinuz-* "$dir/vmlinuz" &&
		mv "$work/initrd.gz" "$dir/initrd.gz" || { rm -rf "$work"; skip "cannot install the guest in $dir"; }
	rm -rf "$work"
	exec 9>&-
	echo "vm: built the guest ($pkg) in $dir"
}

# vm_run DIR TIMEOUT CMD...: boot the guest, run CMD (words, no shell quoting beyond printf %q) as
# root in it, print its output; return CMD's exit status, or skip when the guest did not boot.
vm_run() {
	local dir=$1 limit=$2 boot log rc
	shift 2
	boot=$(mktemp "$dir/boot.XXXXXX.sh") log=$(mktemp "$dir/console.XXXXXX")
	# runs as PID 1 of the guest, from the host's read-only root
	{
		echo 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin'
		echo 'mount -t proc proc /proc; mount -t sysfs sys /sys'
		# A build under /tmp stays visible: the guest then keeps the host's /tmp (read-only)
		# and writes its temporary files under /run/tmp instead.
		case "$dir" in
		/tmp/*) echo 'mount -t tmpfs tmp /run; mkdir -p /run/netns /run/tmp; export TMPDIR=/run/tmp' ;;
		*) echo 'mount -t tmpfs tmp /run; mount -t tmpfs tmp /tmp; mkdir -p /run/netns' ;;
		esac
		echo "K=$dir/kimg/lib/modules/\$(uname -r)/kernel"
		echo 'for m in net/llc/llc net/802/stp net/bridge/bridge drivers/net/veth; do [ -f $K/$m.ko ] && '"$dir"'/bb/bin/busybox insmod $K/$m.ko; done'
		echo 'echo; echo "=== ipk-guest start $(uname -r)"'
		printf '%q ' "$@"
		echo '</dev/null 2>&1'
		echo 'echo "=== ipk-guest rc $?"'
		echo "$dir/bb/bin/busybox poweroff -f"
	} >"$boot"
	timeout -k 5 "$limit" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 1024 -smp 2 \
		-nographic -no-reboot -nic none -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init ipk.cmd=$boot" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		</dev/null >"$log" 2>&1
	rc=$?
	rm -f "$boot"
	tr -d '\r' <"$log" | sed -n '/=== ipk-guest start/,/^=== ipk-guest rc/p' | sed '1s/.*=== ipk/=== ipk/'
	if ! grep -q '=== ipk-guest start' "$log"; then
		tail -5 "$log"
		rm -f "$log"
		[ $rc -eq 124 ] && skip "the qemu guest did not boot within ${limit} s"
		skip "the qemu guest did not boot (qemu exit $rc)"
	fi
	rc=$(tr -d '\r' <"$log" | sed -n 's/^=== ipk-guest rc \([0-9]*\).*/\1/p' | tail -1)
	rm -f "$log"
	[ -n "$rc" ] || { echo "FAIL: the guest command did not finish within ${limit} s"; return 1; }
	return "$rc"
}

# vm_need_mroute LIMIT SCRIPT ARGS...: return at once when this kernel routes multicast (the test
# runs here, or is already in the guest); otherwise build the guest under $build/vm, run
# "bash SCRIPT ARGS" in it with IPK_IN_GUEST=1 and exit with its status (77: skipped, and why).
vm_need_mroute() {
	local limit=$1
	shift
	[ -e /proc/net/ip_mr_vif ] && return 0
	[ -z "${IPK_IN_GUEST:-}" ] || skip "the guest's kernel has no multicast routing (/proc/net/ip_mr_vif)"
	[ "$(id -u)" -eq 0 ] || skip "the qemu guest and its namespaces need root"
	echo "this kernel has no multicast routing (CONFIG_IP_MROUTE): running in a qemu guest"
	vm_build "$build/vm"
	local script
	script=$(readlink -f "$1")
	shift
	vm_run "$build/vm" "$limit" env IPK_IN_GUEST=1 bash "$script" "$@"
	exit $?
}
