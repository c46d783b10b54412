#!/bin/sh
# What lucompat replaces, written with standard tools: find the compressed
# payload the way the kernel's scripts/extract-vmlinux does (each codec's
# magic, every position, until the output is an ELF), decompress it to a
# temporary file, and dump the section with readelf; for a raw image, grep
# for the table magic. A compressed module goes by its suffix, as a script
# over /lib/modules would do it. Prints the dump (or the magic's offsets); exits 0 when
# a table was found. Used by the benchmarks as the baseline, one process
# chain per input.
img=$1
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

dump() {  # ELF file or raw image in $1
	if readelf -h "$1" >/dev/null 2>&1; then
		readelf -x .liveupdate_versions "$1" 2>/dev/null | grep -q 'Hex dump' &&
			readelf -x .liveupdate_versions "$1"
	else
		grep -obUaP 'PUVL\x01\x00\x00\x00|LVUP\x00\x00\x00\x01' "$1"
	fi
}

try() {  # magic, decompressor
	for pos in $(grep -obUaP "$1" "$img" | cut -d: -f1); do
		tail -c +$((pos + 1)) "$img" | $2 >"$tmp/out" 2>/dev/null
		[ -s "$tmp/out" ] || continue
		# An ELF, a raw arm64 Image (zboot's payload), or a whole-file stream.
		if readelf -h "$tmp/out" >/dev/null 2>&1 || [ "$pos" -eq 0 ] ||
			[ "$(dd if="$tmp/out" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ]; then
			dump "$tmp/out"
			exit
		fi
	done
}

case $img in
*.ko.xz) xz -dc "$img" >"$tmp/out" && dump "$tmp/out"; exit ;;
*.ko.zst) zstd -dcq "$img" >"$tmp/out" && dump "$tmp/out"; exit ;;
*.ko.gz) gzip -dc "$img" >"$tmp/out" && dump "$tmp/out"; exit ;;
esac
readelf -h "$img" >/dev/null 2>&1 && { dump "$img"; exit; }
try '\x1f\x8b\x08' 'gzip -dc'
try '\xfd7zXZ\x00' 'xz -dc --single-stream'
try '\x28\xb5\x2f\xfd' 'zstd -dcq'
try '\x02\x21\x4c\x18' 'lz4 -dc'
try 'BZh' 'bzip2 -dc'
try '\x89LZO' 'lzop -dc'
try '\x5d\x00\x00' 'unlzma -c'
dump "$img"
