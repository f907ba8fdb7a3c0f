# Shared by the TUI suites: the tmux pane "ls" on the server socket in
# "${TM[@]}" (set TM in setup), its screen, keys and waits.

screen() { "${TM[@]}" capture-pane -p -t ls; }
keys() { "${TM[@]}" send-keys -t ls "$@"; }

# wait_screen TEXT [TRIES]: until the pane shows TEXT (fixed string)
wait_screen() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed '$1'; it shows:" >&2
	screen >&2
	return 1
}

