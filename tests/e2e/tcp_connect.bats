#!/usr/bin/env bats
# Connect latency, failed connects and resets of the tcp family, against the
# client's own clock (tools/tcpload) and the kernel's counters.

load helpers
load tcp_net

setup() {
	T=$(mktemp -d)
	tcp_net_up
}

teardown() {
	tcp_teardown
}

# connect_row OUT PID DADDR DPORT: the merged connect row of one remote
connect_row() {
	jq -s -c --argjson pid "$2" --arg d "$3" --argjson p "$4" '
		[.[].tcp.connect[] | select(.pid == $pid and .daddr == $d and .dport == $p)] |
		{rows: length, count: (map(.count) | add // 0), failed: (map(.failed) | add // 0),
		 max_ns: (map(.max_ns) | max // 0), comm: (.[0].comm // "")}' "$1"
}

@test "tcp: a connect whose SYN is lost once takes the initial RTO, by latscope and by the client" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	start_server "$SNS" "$SERVER4" --conns 1
	start_pktdrop "$SNS" "$SDEV" --first 1
	before=$(snmp_retrans "$CNS")
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 > "$T/client"
	after=$(snmp_retrans "$CNS")
	stop_pktdrop
	stop_latscope
	[ "$PD_DROPPED" -eq 1 ]
	[ $((after - before)) -eq 1 ]
	cpid=$(jq .pid "$T/client")
	truth=$(jq '.conns[0].connect_ns' "$T/client")
	echo "# client measured $truth ns" >&3
	# about the initial RTO (1 s), generously bounded
	[ "$truth" -gt 900000000 ]
	[ "$truth" -lt 3500000000 ]
	r=$(connect_row "$T/out" "$cpid" "$SERVER4" 5000)
	echo "# latscope: $r" >&3
	[ "$(jq .count <<<"$r")" -eq 1 ]
	[ "$(jq .failed <<<"$r")" -eq 0 ]
	[ "$(jq -r .comm <<<"$r")" = "tcpload" ]
	# the kernel's SYN_SENT -> ESTABLISHED lies inside the client's connect()
	max=$(jq .max_ns <<<"$r")
	[ "$max" -le "$truth" ]
	[ "$max" -ge $((truth - 50000000)) ]
	# and the one lost SYN is a retransmit in SYN_SENT of that client
	jq -e --argjson pid "$cpid" --arg c "$CLIENT4" '[.tcp.retransmits[] | select(.saddr == $c)] |
		length == 1 and .[0].state == "SYN_SENT" and .[0].count == 1 and .[0].pid == $pid' "$T/out"
	jq -e --arg s "$SERVER4" '.tcp.by_peer[] | select(.daddr == $s and .dport == 5000) |
		.connects == 1 and .retransmits == 1 and .connect_p99_ns > 900000000' "$T/out"
}

@test "tcp: connects to a closed port fail with a reset each way, counted like the kernel does" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	fails0=$(snmp "$CNS" AttemptFails); rsts0=$(snmp "$SNS" OutRsts)
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5999 --conns 3 > "$T/client"
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER6" --port 5999 --conns 2 > "$T/client6"
	fails=$(( $(snmp "$CNS" AttemptFails) - fails0 )); rsts=$(( $(snmp "$SNS" OutRsts) - rsts0 ))
	stop_latscope
	[ "$(jq .failed "$T/client")" -eq 3 ]
	[ "$fails" -eq 5 ]
	[ "$rsts" -eq 5 ]
	cpid=$(jq .pid "$T/client"); cpid6=$(jq .pid "$T/client6")
	r=$(connect_row "$T/out" "$cpid" "$SERVER4" 5999)
	[ "$(jq .failed <<<"$r")" -eq 3 ]
	[ "$(jq .count <<<"$r")" -eq 0 ]
	r=$(connect_row "$T/out" "$cpid6" "$SERVER6" 5999)
	[ "$(jq .failed <<<"$r")" -eq 2 ]
	# received by the client process, on its side of each connection
	jq -e --argjson pid "$cpid" --arg c "$CLIENT4" --arg s "$SERVER4" '
		[.tcp.resets[] | select(.direction == "received" and .saddr == $c)] |
		(map(.count) | add) == 3 and all(.[]; .pid == $pid and .daddr == $s and .dport == 5999)' "$T/out"
	# sent by the server's kernel with no socket: no owner, the server's side first
	jq -e --arg c "$CLIENT4" --arg s "$SERVER4" --arg c6 "$CLIENT6" --arg s6 "$SERVER6" '
		[.tcp.resets[] | select(.direction == "sent" and (.saddr == $s or .saddr == $s6))] |
		(map(.count) | add) == 5 and
		all(.[]; .pid == 0 and .comm == "" and .sport == 5999 and (.daddr == $c or .daddr == $c6))' "$T/out"
	jq -e --arg s "$SERVER4" '.tcp.by_peer[] | select(.daddr == $s and .dport == 5999) |
		.connect_failed == 3 and .resets == 3 and .connects == 0' "$T/out"
}

@test "tcp: many connects: exact counts, max within the client's slowest, IPv6 and v4-mapped" {
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	start_server "$SNS" "::" --conns 50
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER6" --port 5000 --conns 30 > "$T/c6"
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "::ffff:$SERVER4" --port 5000 --conns 20 > "$T/c4"
	wait "$SRV"; SRV=
	stop_latscope
	r=$(connect_row "$T/out" "$(jq .pid "$T/c6")" "$SERVER6" 5000)
	[ "$(jq .count <<<"$r")" -eq 30 ]
	[ "$(jq .max_ns <<<"$r")" -le "$(jq .connect_max_ns "$T/c6")" ]
	# an AF_INET6 socket to a v4-mapped address is shown as IPv4
	r=$(connect_row "$T/out" "$(jq .pid "$T/c4")" "$SERVER4" 5000)
	[ "$(jq .count <<<"$r")" -eq 20 ]
	[ "$(jq .max_ns <<<"$r")" -le "$(jq .connect_max_ns "$T/c4")" ]
	jq -e '[.tcp.connect[].daddr] | all(startswith("::ffff:") | not)' "$T/out"
	# percentiles from the histogram, which holds every connect
	jq -e --arg s "$SERVER6" '.tcp.connect[] | select(.daddr == $s and .dport == 5000) |
		([.hist[][1]] | add) == 30 and .p50_ns > 0 and .p50_ns <= .p99_ns and .p99_ns <= .max_ns' "$T/out"
}

@test "tcp: a connect that times out (every SYN lost) is a failed connect, its SYNs retransmits" {
	# one SYN retry: connect() gives up after about 1 + 2 s
	ip netns exec "$CNS" sysctl -q -w net.ipv4.tcp_syn_retries=1
	# the server's address resolved for good: pktdrop drops ARP too, and a
	# resend that finds the neighbour failed is not sent (the kernel counts
	# it in RetransSegs all the same, latscope does not: see the README)
	mac=$(ip -n "$SNS" -o link show "$SDEV" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	ip -n "$CNS" neigh replace "$SERVER4" lladdr "$mac" dev "$CDEV" nud permanent
	start_latscope_attached "$T/out" 8 --probes tcp -i 60
	start_pktdrop "$SNS" "$SDEV" --first 1000
	fails0=$(snmp "$CNS" AttemptFails); r0=$(snmp_retrans "$CNS")
	ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 > "$T/client"
	fails=$(( $(snmp "$CNS" AttemptFails) - fails0 )); retr=$(( $(snmp_retrans "$CNS") - r0 ))
	stop_pktdrop
	stop_latscope
	[ "$(jq '.conns[0].errno' "$T/client")" -eq 110 ]	# ETIMEDOUT
	[ "$fails" -eq 1 ]
	cpid=$(jq .pid "$T/client")
	r=$(connect_row "$T/out" "$cpid" "$SERVER4" 5000)
	[ "$(jq .failed <<<"$r")" -eq 1 ]
	[ "$(jq .count <<<"$r")" -eq 0 ]
	# (the client's rows, by its pid: the namespaces of the tests before,
	# torn down and reusing these addresses, may still be resending their
	# last segments on the host)
	jq -c "{retransmits: .tcp.retransmits, resets: .tcp.resets}" "$T/out" >&2; echo "snmp: $retr resent, $fails failed" >&2
	jq -e --argjson pid "$cpid" --arg c "$CLIENT4" --argjson n "$retr" '
		[.tcp.retransmits[] | select(.saddr == $c and .pid == $pid)] | length == 1 and
		.[0].state == "SYN_SENT" and .[0].count == $n and .[0].dport == 5000' "$T/out"
	# no reset either way on its connection: nothing answered
	sp=$(jq --argjson pid "$cpid" '[.tcp.retransmits[] | select(.pid == $pid)][0].sport' "$T/out")
	jq -e --arg c "$CLIENT4" --argjson sp "$sp" '
		[.tcp.resets[] | select((.saddr == $c and .sport == $sp) or (.daddr == $c and .dport == $sp))] |
		length == 0' "$T/out"
}
