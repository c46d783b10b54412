# bash completion for lucompat                            -*- shell-script -*-

_lucompat()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="inspect check kexec symbols profile report fleet help"
	local cmd="" sub="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
		esac
	done

	# Options that take a file, a directory or a value.
	case $prev in
	--next | --current | --kernel | --catalog | --profiles | --manifest)
		COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
	--current-modules | --next-modules | --root)
		COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
	--format)
		COMPREPLY=($(compgen -W "shell systemd json" -- "$cur")); return ;;
	--uses)
		COMPREPLY=($(compgen -W "memblock reserve-mem memfd huge-memfd vfio-pci iommufd kvm-vm guest-memfd eventfd dmabuf netkit pci iommu hugetlb liveupdate-test-flb" -- "$cur")); return ;;
	--emit)
		COMPREPLY=($(compgen -S = -W "luo luo-session kho memfd huge-memfd vfio-pci iommufd kvm-vm guest-memfd eventfd dmabuf netkit pci iommu hugetlb" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
	--profile)
		# The names of the profiles installed on this host.
		COMPREPLY=($(compgen -W "$(sed -n 's/^name *= *"\(.*\)".*/\1/p' /etc/lucompat/profiles.d/*.toml 2>/dev/null)" -- "$cur")); return ;;
	--pid)
		COMPREPLY=($(compgen -W "$(cd /proc && compgen -G '[0-9]*')" -- "$cur")); return ;;
	--process)
		COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur")); return ;;
	--store | --where | --label | --host | --waves | --by | --stale | --batch | -j | --jobs | --text-address | --max-output | --max-zstd-window | --max-depth | --max-file-size | --max-entries | --max-members)
		return ;;
	esac

	local opts
	case $cmd in
	"") COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur")); return ;;
	help) [[ -z $sub ]] && COMPREPLY=($(compgen -W "${commands% help}" -- "$cur")); return ;;
	inspect) opts="--json --verbose -v --jobs -j --early-exit --max-output --max-zstd-window --max-depth --max-file-size --max-entries --max-members --help" ;;
	symbols) opts="--json --verbose -v --text-address --max-output --max-depth --max-file-size --help" ;;
	check) opts="--next --current --current-modules --next-modules --no-modules --next-cmdline --trust-scan --root --catalog --profiles --uses --pid --process --manifest --emit --strict --profile --json --verbose -v --quiet -q --color --jobs --help" ;;
	kexec) opts="--next --current --current-modules --next-modules --no-modules --trust-scan --root --catalog --profiles --uses --pid --process --manifest --emit --strict --profile --json --jobs --initrd --append --reuse-cmdline --exec --color --verbose -v --quiet -q" ;;
	report) opts="--next --current --current-modules --no-modules --root --catalog --profiles --host --label --store --format --json --help" ;;
	profile)
		case $sub in
		"") COMPREPLY=($(compgen -W "list show select matrix env" -- "$cur")); return ;;
		select) opts="--next --current --current-modules --next-modules --no-modules --trust-scan --root --catalog --profiles --uses --pid --process --manifest --emit --json --help" ;;
		matrix) opts="--next --kernel --profile --profiles --catalog --root --json --help" ;;
		env) opts="--format --json --profiles --catalog --root --help" ;;
		*) opts="--profiles --catalog --root --json --help" ;;
		esac ;;
	fleet)
		case $sub in
		"") COMPREPLY=($(compgen -W "ingest baseline plan status" -- "$cur")); return ;;
		ingest) opts="--store --strict --batch --json --help" ;;
		plan) opts="--store --where --profiles --catalog --root --profile --waves --by --json --help" ;;
		status) opts="--store --where --profiles --catalog --root --stale --json --help" ;;
		*) opts="--store --where --profiles --catalog --root --json --help" ;;
		esac ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
	fi
} &&
	complete -F _lucompat lucompat
