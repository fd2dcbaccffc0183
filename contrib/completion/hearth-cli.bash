# bash completion for hearth-cli (doc/cli.md). Source this file, or copy it
# to /etc/bash_completion.d/. Completes commands, global options, key names
# from the wallet directory, and each command's options.

_hearth_cli_walletdir()
{
	local w
	for w in "${COMP_WORDS[@]}"; do
		case $w in
		-datadir=*) echo "${w#-datadir=}/wallet"; return ;;
		esac
	done
	echo "$HOME/.hearth/wallet"
}

_hearth_cli_keys()
{
	local dir f
	dir=$(_hearth_cli_walletdir)
	for f in "$dir"/*.key; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.key}"
	done
}

_hearth_cli()
{
	local cur prev cmd i w
	local commands="keygen keys address importkey exportkey balance send bond unbond
		offer bid dispute offers bids explain job jobs wait result rpc status verify help"
	local globals="-datadir= -dev -testnet -rpcconnect= -rpcport= -rpcuser= -rpcpassword=
		-rpcwait -rpcwaittimeout= -key= -keyfile= -stdin -json"
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--) [ -n "$cmd" ] && return 0 ;;
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=$w; fi ;;
		esac
	done

	case $cur in
	-key=*)
		COMPREPLY=($(compgen -P "-key=" -W "$(_hearth_cli_keys)" -- "${cur#-key=}"))
		return 0 ;;
	-datadir=* | -keyfile=*)
		local opt=${cur%%=*}=
		COMPREPLY=($(compgen -P "$opt" -f -- "${cur#*=}"))
		return 0 ;;
	-[a-z]*)
		COMPREPLY=($(compgen -W "$globals" -- "$cur"))
		[ "${#COMPREPLY[@]}" = 1 ] && [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		return 0 ;;
	esac

	case $prev in
	--input | -o) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	--input-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	esac

	case $cmd in
	'')
		COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
	address | exportkey)
		COMPREPLY=($(compgen -W "$(_hearth_cli_keys)" -- "$cur")) ;;
	send | bond | unbond)
		COMPREPLY=($(compgen -W "--fee" -- "$cur")) ;;
	offer)
		COMPREPLY=($(compgen -W "create cancel --cpu --mem --disk --gpus --slots --runtime
			--price --max-duration --attr --expiry --fee" -- "$cur")) ;;
	bid)
		COMPREPLY=($(compgen -W "cancel --cpu --mem --disk --gpus --timeout --max-price
			--replicas --runtime --attr --env --input --encrypt --min-reputation
			--expiry --fee --input-file --input-by-hash --input-url --" -- "$cur")) ;;
	dispute)
		COMPREPLY=($(compgen -W "--reason --fee" -- "$cur")) ;;
	offers | bids)
		COMPREPLY=($(compgen -W "--mine" -- "$cur")) ;;
	wait)
		COMPREPLY=($(compgen -W "--timeout" -- "$cur")) ;;
	result)
		COMPREPLY=($(compgen -W "-o" -- "$cur")) ;;
	verify)
		if [[ $cur == --* ]]; then
			COMPREPLY=($(compgen -W "--hash --exit --signal" -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi ;;
	esac
	return 0
}
complete -F _hearth_cli hearth-cli
