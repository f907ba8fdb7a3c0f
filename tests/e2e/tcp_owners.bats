#!/usr/bin/env bats
# Who owns a connection, although retransmits fire from timers and softirq
# where the current task is someone else: learnt in process context, kept
# while the socket lives, dropped when it is destroyed.

load helpers
load tcp_net

setup() {
	T=$(mktemp -d)
	tcp_net_up
}

teardown() {
	[ -n "${CLI:-}" ] && kill "$CLI" 2>/dev/null
	tcp_teardown
}

# both_ways ARGS...: latscope ARGS; a server sends 3 MB back to a client
# that sends 3 MB, with losses both ways. Sets SPID CPID and the kernel's
# retransmit deltas KS (server) and KC (client).
both_ways() {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60 "$@"
	start_pktdrop "$SNS" "$SDEV" --every 8
	PD_S=$PD PD_S_OUT=$PD_OUT
	exec 9>&8
	start_pktdrop "$CNS" "$CDEV" --every 8
	s0=$(snmp_retrans "$SNS"); c0=$(snmp_retrans "$CNS")
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER6" --port 5000 \
		--send 3000000 > "$T/client"
	wait "$SRV"; SRV=
	tcp_settled "$SNS" "$CNS"
	KS=$(( $(snmp_retrans "$SNS") - s0 )); KC=$(( $(snmp_retrans "$CNS") - c0 ))
	stop_pktdrop
	exec 8>&9 9>&-
	PD=$PD_S PD_OUT=$PD_S_OUT
	stop_pktdrop
	stop_latscope
	SPID=$(head -n1 "$T/server" | jq .pid)
	CPID=$(jq .pid "$T/client")
	echo "# server resent $KS, client resent $KC" >&3
	[ "$KS" -gt 0 ]
	[ "$KC" -gt 0 ]
}

@test "tcp: an accepted connection's retransmits belong to the server process" {
	start_server "$SNS" "$SERVER6" --conns 1 --send 3000000
	both_ways
	# server side: the accepted socket, not the listener, owned by the server
	jq -e --argjson pid "$SPID" --argjson n "$KS" --arg s "$SERVER6" '
		[.tcp.retransmits[] | select(.saddr == $s)] |
		(map(.count) | add) == $n and all(.[]; .pid == $pid and .comm == "tcpload" and .sport == 5000)' "$T/out"
	jq -e --argjson pid "$CPID" --argjson n "$KC" --arg c "$CLIENT6" '
		[.tcp.retransmits[] | select(.saddr == $c)] |
		(map(.count) | add) == $n and all(.[]; .pid == $pid and .dport == 5000)' "$T/out"
}

@test "tcp: -p keeps the given process's connections only, whoever fires the event" {
	start_server "$SNS" "$SERVER6" --conns 1 --send 3000000
	SPID=$(head -n1 "$T/server" | jq .pid)
	both_ways -p "$SPID"
	jq -e --argjson pid "$SPID" --argjson n "$KS" '
		(.tcp.retransmits | length) > 0 and all(.tcp.retransmits[]; .pid == $pid) and
		([.tcp.retransmits[].count] | add) == $n' "$T/out"
}

@test "tcp: a reset sent from a process's close() names that process" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	start_server "$SNS" "$SERVER4" --conns 1 --rst
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 > "$T/client"
	wait "$SRV"; SRV=
	stop_latscope
	spid=$(head -n1 "$T/server" | jq .pid)
	lport=$(jq '.conns[0].lport' "$T/client")
	jq -e --argjson pid "$spid" --argjson lport "$lport" --arg s "$SERVER4" --arg c "$CLIENT4" '
		[.tcp.resets[] | select(.direction == "sent" and .saddr == $s)] | length == 1 and
		.[0].pid == $pid and .[0].comm == "tcpload" and .[0].sport == 5000 and
		.[0].daddr == $c and .[0].dport == $lport and .[0].count == 1' "$T/out"
	jq -e --argjson pid "$(jq .pid "$T/client")" --arg c "$CLIENT4" '
		[.tcp.resets[] | select(.direction == "received" and .saddr == $c)] | length == 1 and
		.[0].pid == $pid and .[0].dport == 5000' "$T/out"
}

@test "tcp: the socket owner map empties again when the connections close" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	base=$(owner_entries "$LS_PID")
	start_server "$SNS" "$SERVER4" --conns 200
	# the listener is known from its listen() on
	listening=$(owner_entries "$LS_PID")
	[ "$listening" -ge $((base + 1)) ]
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 --conns 200 --quiet > "$T/client"
	wait "$SRV"; SRV=
	after=$(owner_entries "$LS_PID")
	stop_latscope
	echo "# owner entries: $base before, $listening listening, $after after 200 connections" >&3
	# 400 sockets and a listener came and went; other processes of the
	# host (other tests) may open some meanwhile, not hundreds
	[ "$after" -le $((base + 50)) ]
	jq -e --argjson pid "$(jq .pid "$T/client")" '[.tcp.connect[] | select(.pid == $pid) | .count] | add == 200' "$T/out"
}

@test "tcp: a resent SYN-ACK is the listening process's, on the connection's tuple" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	start_server "$SNS" "$SERVER4" --conns 1
	# the first packet the client gets is the SYN-ACK: lose it
	start_pktdrop "$CNS" "$CDEV" --first 1
	s0=$(snmp_retrans "$SNS")
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 > "$T/client"
	wait "$SRV"; SRV=
	tcp_settled "$SNS"
	ks=$(( $(snmp_retrans "$SNS") - s0 ))
	stop_pktdrop
	stop_latscope
	[ "$PD_DROPPED" -eq 1 ]
	[ "$ks" -ge 1 ]
	spid=$(head -n1 "$T/server" | jq .pid)
	lport=$(jq '.conns[0].lport' "$T/client")
	jq -e --argjson pid "$spid" --argjson n "$ks" --argjson lport "$lport" --arg s "$SERVER4" --arg c "$CLIENT4" '
		[.tcp.retransmits[] | select(.saddr == $s)] | (map(.count) | add) == $n and
		all(.[]; .pid == $pid and .state == "SYN_RECV" and .sport == 5000 and
			.daddr == $c and .dport == $lport)' "$T/out"
}

@test "tcp: a connection opened before latscope and idle since is found by its socket inode" {
	start_server "$SNS" "$SERVER4" --conns 1
	# every data packet lost: the client's data is resent on timeouts
	# while the client sleeps, doing no I/O latscope could learn from
	start_pktdrop "$SNS" "$SDEV" --every 1 --min-len 200
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 \
		--send 100000 --hold 3000 > "$T/client" 3>&- 8>&- &
	CLI=$!
	sleep 0.5
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	sleep 2.5	# timeouts at about 0.2, 0.6, 1.4, 3 s after the send
	stop_latscope
	# let the data through: the client finishes
	stop_pktdrop
	wait "$CLI"
	cpid=$(jq .pid "$T/client")
	jq -e --argjson pid "$cpid" --arg c "$CLIENT4" '
		[.tcp.retransmits[] | select(.saddr == $c)] | length > 0 and
		all(.[]; .pid == $pid and .comm == "tcpload")' "$T/out"
}

@test "tcp: with -p, a connection opened before latscope is kept once found to be the process's" {
	start_server "$SNS" "$SERVER4" --conns 1
	start_pktdrop "$SNS" "$SDEV" --every 1 --min-len 200
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 \
		--send 100000 --hold 3000 > "$T/client" 3>&- 8>&- &
	CLI=$!
	sleep 0.5
	start_latscope_attached "$T/out" 8 --probes tcp -i 60 -p "$CLI"
	sleep 2.5
	stop_latscope
	stop_pktdrop
	wait "$CLI"
	jq -e --argjson pid "$CLI" '(.tcp.retransmits | length) > 0 and all(.tcp.retransmits[]; .pid == $pid)' "$T/out"
}
