#!/usr/bin/env bats
# tools/grafana/latscope.json, the Grafana dashboard: well-formed as Grafana
# wants it, every metric it names one that latscope really serves, and every
# panel's query (its template variables filled in as Grafana would) accepted
# by a real Prometheus scraping latscope --listen, with series behind it for
# each family the workloads below exercise. latscope traces the whole host
# (as the exporter does); every wait is a poll with a timeout, never a fixed
# sleep. About 15 s.

load helpers
load tcp_net

DASH=${DASH:-$ROOT/tools/grafana/latscope.json}

setup() {
	T=$(mktemp -d)
	BG=
}

teardown() {
	local p
	for p in $BG; do kill "$p" 2>/dev/null; done
	for p in $BG; do wait "$p" 2>/dev/null; done
	[ -n "${PROM:-}" ] && kill "$PROM" 2>/dev/null && wait "$PROM" 2>/dev/null
	tcp_teardown	# latscope, pktdrop, the server, the namespaces, $T
}

# the panels, rows' nested panels included, one JSON object a line
panels() { jq -c '.panels[] | ., (.panels // [])[]' "$DASH"; }

# the exprs of the panels that query something: "ID<TAB>TITLE<TAB>EXPR"
exprs() {
	jq -r '.panels[] | ., (.panels // [])[] | select(.type != "row") |
		.id as $id | .title as $t | .targets[] | [$id, $t, .expr] | @tsv' "$DASH"
}

# family METRIC: the probe family whose workload makes METRIC's series;
# "any" for latscope's own metrics, there whatever runs
family() {
	case "$1" in
	latscope_syscall_* | latscope_inflight_* | latscope_peer_*) echo syscalls ;;
	latscope_tcp_*) echo tcp ;;
	latscope_kernel_lock_* | latscope_user_lock_*) echo locks ;;
	latscope_pool_*) echo pools ;;
	*) echo any ;;
	esac
}

# idle_value TEXT: the value of the idle variable's option TEXT
idle_value() {
	jq -r --arg t "$1" '.templating.list[] | select(.name == "idle") | .options[] | select(.text == $t) | .value' "$DASH"
}

# subst EXPR COMM [IDLE]: EXPR with the dashboard's variables as Grafana
# fills them in: the rate window, the instance of this test, COMM for
# $comm, every service, the idle option IDLE (default: the dashboard's
# choice); fails if any variable is left
subst() {
	local e=$1 idle
	idle=$(idle_value "${3:-$(jq -r '.templating.list[] | select(.name == "idle") | .current.text' "$DASH")}")
	[ -n "$idle" ] || { echo "no such idle option: ${3:-the default}" >&2; return 1; }
	e=${e//'${idle}'/$idle}
	e=${e//'$idle'/$idle}
	e=${e//'${__rate_interval}'/5s}
	e=${e//'$__rate_interval'/5s}
	e=${e//'${instance}'/$INSTANCE}
	e=${e//'$instance'/$INSTANCE}
	e=${e//'${comm}'/$2}
	e=${e//'$comm'/$2}
	e=${e//'${service}'/.*}
	e=${e//'$service'/.*}
	e=${e//'${datasource}'/}
	e=${e//'$datasource'/}
	if [[ "$e" == *'$'* ]]; then
		echo "a variable is left in: $e" >&2
		return 1
	fi
	printf '%s' "$e"
}

# until_answer EXPR FILTER: until Prometheus's answer to EXPR passes the jq
# FILTER (30 s and more), then once more, failing if it does not
until_answer() {
	local i
	for i in $(seq 1 300); do
		q "$1" | jq -e "$2" > /dev/null && break
		sleep 0.1
	done
	q "$1" | jq -e "$2"
}

@test "grafana: the dashboard is one JSON object as Grafana imports it" {
	jq -e . "$DASH" > /dev/null
	jq -e '.schemaVersion >= 36 and .schemaVersion <= 39 and (.title | length > 0) and
		(.uid | length > 0) and (.refresh | test("^[0-9]+[smh]$"))' "$DASH"
	# a data source variable of type prometheus; instance, service and comm
	# from label_values()
	jq -e '.templating.list | map({(.name): .}) | add |
		.datasource.type == "datasource" and .datasource.query == "prometheus" and
		all(.instance, .service, .comm; .type == "query" and .datasource.uid == "${datasource}" and
			(.definition | startswith("label_values(")) and .multi and .includeAll and
			.allValue == ".*")' "$DASH"
	# idle waits: hidden (the default) or shown, one value each
	jq -e '.templating.list[] | select(.name == "idle") | .type == "custom" and
		([.options[].text] | sort == ["hidden", "shown"]) and
		.current.text == "hidden" and
		(.current.value == (.options[] | select(.text == "hidden") | .value)) and
		(.query == ([.options[] | "\(.text) : \(.value)"] | join(",")))' "$DASH"
	# unique ids
	[ "$(panels | jq -s 'map(.id) | length')" -eq "$(panels | jq -s 'map(.id) | unique | length')" ]
	# inside 24 columns, and no two panels on the same cells
	panels | jq -se 'all(.[].gridPos; .x >= 0 and .y >= 0 and .w >= 1 and .h >= 1 and .x + .w <= 24)'
	panels | jq -se '[.[].gridPos] as $g | [range(0; $g | length) as $i | range($i + 1; $g | length) as $j |
		$g[$i] as $a | $g[$j] as $b |
		select($a.x < $b.x + $b.w and $b.x < $a.x + $a.w and $a.y < $b.y + $b.h and $b.y < $a.y + $a.h)] |
		length == 0'
	# every panel but rows: the data source variable, a unit, queries with an expr
	bad=$(panels | jq -c 'select(.type != "row") | select(
		(.datasource | .type != "prometheus" or (.uid != "${datasource}" and .uid != "$datasource")) or
		((.fieldConfig.defaults.unit // "") == "") or
		((.targets // []) | length == 0) or
		any(.targets[]; (.expr // "") == "" or .datasource != $p.datasource) or
		([.targets[].refId] | length != (unique | length))) | .title' --argjson p \
		'{"datasource": {"type": "prometheus", "uid": "${datasource}"}}')
	[ -z "$bad" ] || { echo "panels without a data source, unit or query: $bad" >&2; false; }
	# every query keeps to the chosen instances; ranges are Grafana's rate interval
	mapfile -t lines < <(exprs)
	[ "${#lines[@]}" -ge 20 ]
	for l in "${lines[@]}"; do
		e=${l#*$'\t'}; e=${e#*$'\t'}
		[[ "$e" == *'instance=~"$instance"'* ]] || { echo "no instance filter: $l" >&2; false; }
		r=$(grep -oE '\[[^]]*\]' <<<"$e" | sort -u | tr -d '\n')
		[ -z "$r" ] || [ "$r" = '[$__rate_interval]' ] || { echo "a fixed range: $l" >&2; false; }
	done
}

@test "grafana: every metric it names is served, and a real Prometheus answers every panel" {
	command -v prometheus > /dev/null || skip "prometheus not installed (make deps)"
	command -v curl > /dev/null || skip "curl not installed (make deps)"
	P=$(free_port)
	INSTANCE=127.0.0.1:$P

	# latscope on the whole host, every family, served on a free port
	"$LATSCOPE" -i 1 --listen "127.0.0.1:$P" > "$T/ls.out" 2> "$T/ls.err" 3>&- &
	LS_PID=$!
	for i in $(seq 1 300); do
		curl -s -m 5 "http://$INSTANCE/metrics" > "$T/m" 2>/dev/null
		grep -q '^latscope_up{' "$T/m" && break
		kill -0 "$LS_PID" 2>/dev/null || { cat "$T/ls.err" >&2; false; }
		sleep 0.1
	done
	grep -q '^latscope_up{' "$T/m"
	on=$(sed -n 's/^latscope_up{family="\([a-z]*\)"} 1$/\1/p' "$T/m" | tr '\n' ' ')
	echo "# families on: $on" >&3
	# the comm variable and the checks of what panels show need syscalls
	[[ " $on " == *" syscalls "* ]] || { grep . "$T/m" "$T/ls.err" >&2; false; }

	start_prometheus "$INSTANCE"

	# The workloads. Running until the end: slow sleeps and a read blocked
	# for seconds (tui_workload), a saturated pool of 4 workers blocked on a
	# pipe downstream (poolload: 400 tasks/s of 20 ms). Once: failing
	# openat calls (sysload), mutex and kernel lock contention (mutexload).
	"$TOOLS/tui_workload" --name gf_slow > /dev/null 3>&- &
	BG="$BG $!"
	echo go | "$TOOLS/poolload" --workers 4 --name gfpool --mode io --rate 400 \
		--task-us 20000 --duration 300 > /dev/null 3>&- &
	BG="$BG $!"
	echo go | "$TOOLS/sysload" --enoent 20 > /dev/null 3>&-
	"$TOOLS/mutexload" --no-wait --mutex 4:200:1000 --kernel 2:2000 > /dev/null 3>&- &
	ML=$!
	# TCP between two namespaces: data retransmits (pktdrop drops about one
	# segment in 8 at the server), then connects refused with a reset each way
	tcp_ok=0
	if tcp_net_up 2> "$T/net.err" && ip netns exec "$CNS" true 2>> "$T/net.err"; then
		tcp_ok=1
		start_server "$SNS" "$SERVER4"
		start_pktdrop "$SNS" "$SDEV" --every 8
		ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5000 \
			--conns 2 --send 2000000 > /dev/null 3>&-
		ip netns exec "$CNS" "$TOOLS/tcpload" client --addr "$SERVER4" --port 5001 \
			--conns 3 > /dev/null 3>&- || true
		stop_pktdrop
		echo "# pktdrop dropped $PD_DROPPED" >&3
	else
		echo "# tcp: no network namespaces here ($(head -n1 "$T/net.err")): its panels are only parsed" >&3
	fi
	wait "$ML"

	# the families whose series must be there
	want=
	for f in $on; do
		[ "$f" = tcp ] && [ $tcp_ok -eq 0 ] && continue
		want="$want $f"
	done

	# 1. every metric name in the dashboard's queries is a sample name of
	#    /metrics (once the workloads' series are all out: poll)
	exprs | cut -f3 | grep -oE 'latscope_[a-z_]+' | sort -u > "$T/used"
	for i in $(seq 1 300); do
		curl -s -m 5 "http://$INSTANCE/metrics" | grep -v '^#' | sed 's/[{ ].*//' | sort -u > "$T/served"
		missing=
		while read -r name; do
			case " $want any " in *" $(family "$name") "*) ;; *) continue ;; esac
			grep -qxF "$name" "$T/served" || missing="$missing $name"
		done < "$T/used"
		[ -z "$missing" ] && break
		sleep 0.1
	done
	[ -z "$missing" ] || { echo "not in /metrics:$missing" >&2; false; }
	# a family that did not run: its names at least are among prom.c's
	while read -r name; do
		case " $want any " in *" $(family "$name") "*) continue ;; esac
		base=${name%_bucket}; base=${base%_sum}; base=${base%_count}
		grep -qF "\"$base\"" "$ROOT/user/sink/prom.c" || { echo "$name: not a latscope metric" >&2; false; }
	done < "$T/used"

	# 2. Prometheus up and scraping this latscope
	for i in $(seq 1 300); do
		[ "$(q "latscope_build_info{instance=\"$INSTANCE\"}" | jq -r '.data.result | length' 2>/dev/null)" = 1 ] && break
		kill -0 "$PROM" 2>/dev/null || { cat "$T/prom.log" >&2; false; }
		sleep 0.1
	done
	[ "$(q "latscope_build_info{instance=\"$INSTANCE\"}" | jq -r '.data.result | length')" = 1 ]

	# 3. the variables' label_values(): this instance, this process
	curl -s -m 10 -G "http://127.0.0.1:$PP/api/v1/label/instance/values" \
		--data-urlencode 'match[]=latscope_build_info' | jq -e --arg i "$INSTANCE" '.status == "success" and (.data | index($i))'
	for i in $(seq 1 300); do
		curl -s -m 10 -G "http://127.0.0.1:$PP/api/v1/label/comm/values" \
			--data-urlencode "match[]=latscope_syscall_duration_seconds_count{instance=~\"$INSTANCE\"}" |
			jq -e '.data | index("gf_slow")' > /dev/null && break
		sleep 0.1
	done
	curl -s -m 10 -G "http://127.0.0.1:$PP/api/v1/label/comm/values" \
		--data-urlencode "match[]=latscope_syscall_duration_seconds_count{instance=~\"$INSTANCE\"}" |
		jq -e '.status == "success" and (.data | index("gf_slow"))'
	# every process in a service (the root cgroup's is "/"): gf_slow's too
	curl -s -m 10 -G "http://127.0.0.1:$PP/api/v1/series" \
		--data-urlencode "match[]=latscope_syscall_duration_seconds_count{instance=~\"$INSTANCE\",comm=\"gf_slow\"}" |
		jq -e '.status == "success" and (.data | length > 0) and all(.data[]; (.service // "") != "")'
	curl -s -m 10 -G "http://127.0.0.1:$PP/api/v1/label/service/values" \
		--data-urlencode "match[]=latscope_syscall_duration_seconds_count{instance=~\"$INSTANCE\"}" |
		jq -e '.status == "success" and (.data | length > 0)'

	# 4. each panel's query, all processes: accepted, as an instant and as a
	#    range query; with series once its family ran (poll: up to 30 s each)
	n=0
	while IFS=$'\t' read -r id title expr; do
		e=$(subst "$expr" '.*')
		fams=$(grep -oE 'latscope_[a-z_]+' <<<"$e" | while read -r m; do family "$m"; done | sort -u)
		need=0
		for f in $fams; do case " $want any " in *" $f "*) need=1 ;; esac; done
		for i in $(seq 1 300); do
			r=$(q "$e")
			[ "$(jq -r .status <<<"$r")" = success ] || { echo "panel $id ($title): $r" >&2; false; }
			[ $need -eq 0 ] || [ "$(jq '.data.result | length' <<<"$r")" -gt 0 ] && break
			sleep 0.1
		done
		echo "# panel $id $title: $(jq '.data.result | length' <<<"$r") series" >&3
		[ $need -eq 0 ] || [ "$(jq '.data.result | length' <<<"$r")" -gt 0 ] ||
			{ echo "panel $id ($title): no series for: $e" >&2; false; }
		now=$(date +%s)
		curl -s -m 10 "http://127.0.0.1:$PP/api/v1/query_range" --data-urlencode "query=$e" \
			--data-urlencode "start=$((now - 20))" --data-urlencode "end=$now" --data-urlencode step=1 |
			jq -e '.status == "success"' > /dev/null ||
			{ echo "panel $id ($title): the range query failed" >&2; false; }
		n=$((n + 1))
	done < <(exprs)
	echo "# $n queries" >&3
	[ "$n" -ge 20 ]

	# 5. what the panels show, against the workloads' own truth, with $comm
	#    set to the workload as a user would pick it
	panel_expr() { jq -r --arg t "$1" '.panels[] | select(.title == $t) | .targets[0].expr' "$DASH"; }
	# the sleeps of 200 ms: p99 in the histogram's (100 ms, 250 ms] bucket,
	# once idle waits are shown; hidden, they are left out
	e=$(subst "$(panel_expr 'Worst syscall p99 by process')" gf_slow hidden)
	q "$e" | jq -e '.status == "success" and all(.data.result[]; .metric.syscall != "nanosleep")'
	e=$(subst "$(panel_expr 'Worst syscall p99 by process')" gf_slow shown)
	for i in $(seq 1 300); do
		v=$(q "$e" | jq -r '.data.result[] | select(.metric.syscall == "nanosleep") | .value[1]')
		awk -v v="$v" 'BEGIN { exit !(v > 0.1 && v <= 0.25) }' && break
		sleep 0.1
	done
	echo "# gf_slow nanosleep p99 $v s" >&3
	awk -v v="$v" 'BEGIN { exit !(v > 0.1 && v <= 0.25) }'
	# its reader blocked in read(2) for up to 3 s: in flight now
	e=$(subst "$(panel_expr 'Calls blocked now')" gf_slow)
	until_answer "$e" '.data.result[] | select(.metric.syscall == "read") | .value[1] | tonumber >= 0.1'
	if [[ " $want " == *" pools "* ]]; then
		# the pool: saturated, blocked on its pipe downstream
		e=$(subst "$(panel_expr 'Saturated pools')" poolload)
		until_answer "$e" '.data.result[] | select(.metric.pool == "gfpool") | .value[1] | tonumber >= 0.9'
		e=$(subst "$(panel_expr 'Pools blocked on')" poolload)
		q "$e" | jq -e '[.data.result[] | select(.metric.pool == "gfpool" and .metric.peer == "pipe")] | length == 1'
	fi
	if [[ " $want " == *" locks "* ]]; then
		e=$(subst "$(panel_expr 'User lock waits per second')" mutexload)
		q "$e" | jq -e '[.data.result[] | select(.metric.kind == "mutex")] | length == 1'
	fi
	if [[ " $want " == *" tcp "* ]]; then
		# the peers by address and port: retransmits to the server, the
		# refused port's failed connects and the reset the client received
		e=$(subst "$(panel_expr 'Retransmits by peer')" tcpload)
		q "$e" | jq -e --arg p "$SERVER4:5000" '[.data.result[] | select(.metric.peer == $p)] | length == 1'
		e=$(subst "$(panel_expr 'Failed connect ratio by peer')" tcpload)
		q "$e" | jq -e --arg p "$SERVER4:5001" '[.data.result[] | select(.metric.peer == $p)] | length == 1'
		e=$(subst "$(panel_expr 'Resets by peer and direction')" tcpload)
		q "$e" | jq -e --arg p "$SERVER4:5001" \
			'[.data.result[] | select(.metric.peer == $p and .metric.direction == "received")] | length == 1'
	fi
	stop_latscope
}
