#!/bin/bash
# Rebuilds lu_luo_unreg.ko, the module tests/e2e/qemu_test.py loads into the
# corpus kernel M_B and unloads again. Needs the x86_64 build tree of the
# corpus kernels (Debian's linux-source-6.1 and the corpus patches):
#
#   W=/tmp/kbuild-m ../../../../shared/corpus/mainline/build/build-mainline.sh setup x86_64
#   W=/tmp/kbuild-m tests/e2e/modules/build-lu_luo_unreg.sh
#
# The module's .BTF is removed: it would be split BTF against the vmlinux of
# the tree (the last kernel the stage built), not M_B's, and M_B would refuse
# it. Nothing reads the module's BTF: the live query takes the structs' layout
# from the running kernel's /sys/kernel/btf/vmlinux.
set -euo pipefail
W=${W:-${TMPDIR:-/tmp}/kbuild-m}
HERE=$(cd "$(dirname "$0")" && pwd)
m=$W/modbuild/lu_luo_unreg
rm -rf "$m"; mkdir -p "$W/modbuild"; cp -r "$HERE/lu_luo_unreg" "$m"
KBUILD_BUILD_USER=corpus KBUILD_BUILD_HOST=debian-bookworm \
	make -s -C "$W/o-x86_64" ARCH=x86_64 M="$m" modules
objcopy --remove-section=.BTF --strip-debug "$m/lu_luo_unreg.ko" "$HERE/lu_luo_unreg.ko"
echo "built $HERE/lu_luo_unreg.ko"
