# Two test hosts for the tcp suites: network namespaces tcp_c_ID (client)
# and tcp_s_ID (server) joined by a veth pair, IPv4 and IPv6. Made by the
# test, removed by tcp_net_down.
#   CLIENT4 SERVER4 CLIENT6 SERVER6  addresses; CNS SNS  namespaces
#   CDEV SDEV  the veth ends (in CNS, SNS)

tcp_net_up() {
	TCPID=${TCPID:-$$$RANDOM}
	TCPID=${TCPID:0:8}
	CNS=tcp_c_$TCPID SNS=tcp_s_$TCPID
	CDEV=tcpc$TCPID SDEV=tcps$TCPID
	CLIENT4=10.201.77.1 SERVER4=10.201.77.2
	CLIENT6=fd00:201:77::1 SERVER6=fd00:201:77::2
	ip netns add "$CNS"
	ip netns add "$SNS"
	ip link add "$CDEV" netns "$CNS" type veth peer name "$SDEV" netns "$SNS"
	ip -n "$CNS" addr add $CLIENT4/24 dev "$CDEV"
	ip -n "$SNS" addr add $SERVER4/24 dev "$SDEV"
	ip -n "$CNS" addr add $CLIENT6/64 dev "$CDEV" nodad
	ip -n "$SNS" addr add $SERVER6/64 dev "$SDEV" nodad
	ip -n "$CNS" link set lo up
	ip -n "$SNS" link set lo up
	ip -n "$CNS" link set "$CDEV" up
	ip -n "$SNS" link set "$SDEV" up
}

tcp_net_down() {
	[ -n "${CNS:-}" ] && ip netns del "$CNS" 2>/dev/null
	[ -n "${SNS:-}" ] && ip netns del "$SNS" 2>/dev/null
	CNS= SNS=
	return 0
}

# snmp_retrans NS: the segments the namespace's kernel resent, by its own
# counters: RetransSegs (/proc/net/snmp) less TCPRetransFail
# (/proc/net/netstat). A resend that the local stack failed to put on the
# wire (a full veth backlog on a busy host) is in RetransSegs and in
# TCPRetransFail; the tcp family counts the resends that went out.
snmp_retrans() {
	ip netns exec "$1" awk '
		FNR == 1 { h = 0 }
		/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else segs = $c }
		/^TcpExt:/ { if (!x) { for (i = 1; i <= NF; i++) if ($i == "TCPRetransFail") f = i; x = 1 } else fail = $f }
		END { print segs - fail }' /proc/net/snmp /proc/net/netstat
}

# tcp_settled NS...: until the namespaces' TCP sockets are all listening or
# in TIME_WAIT (30 s at most): a closed connection's last segments (a FIN
# whose ACK was lost, data still unacked after the process exited) are
# resent by the kernel after its process is gone, and a count of the
# kernel's retransmits read before then would miss them
tcp_settled() {
	local i ns busy
	for i in $(seq 1 300); do
		busy=0
		for ns in "$@"; do
			[ -n "$(ip netns exec "$ns" ss -Htan state established state syn-sent state syn-recv \
				state fin-wait-1 state fin-wait-2 state close-wait state last-ack state closing)" ] && busy=1
		done
		[ "$busy" -eq 0 ] && return 0
		sleep 0.1
	done
	return 0
}

# snmp_retrans_fail NS: the namespace's TCPRetransFail
snmp_retrans_fail() {
	ip netns exec "$1" awk '/^TcpExt:/ { if (!x) { for (i = 1; i <= NF; i++) if ($i == "TCPRetransFail") f = i; x = 1 } else print $f }' /proc/net/netstat
}

# start_pktdrop NS DEV ARGS...: pktdrop attached in NS; sets PD, PD_OUT
start_pktdrop() {
	local ns=$1 dev=$2; shift 2
	PD_OUT=$T/pktdrop.$RANDOM
	mkfifo "$PD_OUT.in"
	ip netns exec "$ns" "$TOOLS/pktdrop" --dev "$dev" "$@" < "$PD_OUT.in" > "$PD_OUT" &
	PD=$!
	exec 8> "$PD_OUT.in"
	wait_for_file "$PD_OUT" 100
}

# stop_pktdrop: detach; PD_DROPPED = how many packets it dropped
stop_pktdrop() {
	exec 8>&-
	wait "$PD"
	PD=
	PD_DROPPED=$(tail -n1 "$PD_OUT" | jq .dropped)
}

# start_server NS ADDR ARGS...: tcpload server on ADDR:5000; sets SRV
start_server() {
	local ns=$1 addr=$2; shift 2
	ip netns exec "$ns" "$TOOLS/tcpload" server --addr "$addr" --port 5000 "$@" > "$T/server" &
	SRV=$!
	wait_for_file "$T/server"
}

# snmp NS FIELD: a Tcp: counter of the namespace (OutRsts, AttemptFails...)
snmp() {
	ip netns exec "$1" awk -v f="$2" '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == f) c = i; h = 1 } else print $c }' /proc/net/snmp
}

# teardown for the tcp suites
tcp_teardown() {
	teardown_latscope
	[ -n "${PD:-}" ] && kill "$PD" 2>/dev/null
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	exec 8>&- 2>/dev/null || true
	tcp_net_down
	rm -rf "$T"
}

# owner_entries PID: entries in the sock_owners map of latscope PID
owner_entries() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '/^map_id:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		if [ "$(bpftool map show id "$id" -j | jq -r .name)" = sock_owners ]; then
			bpftool map dump id "$id" -j | jq length
			return 0
		fi
	done
	return 1
}
