#!/usr/bin/env bash
# The systemd units of contrib/systemd, as "make install" writes them: they
# parse and name an executable (systemd-analyze verify), run as their
# dedicated user with the hardening that fits, and systemd's own
# assessment of their exposure stays "OK" (at most 2.0 of 10).  Then
# "make install" into a staging folder puts programs, units and sysusers
# files where they belong.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || { bad "systemd-analyze is missing (the systemd package)"; finish; exit 1; }
for u in rosterd roster; do
	sed "s|@BINDIR@|$BIN|g" "$TOP/contrib/systemd/$u.service.in" >"$T/$u.service"
	check "$u.service parses and names an executable (systemd-analyze verify)" \
		systemd-analyze verify "$T/$u.service"
	for opt in "User=$u" "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" \
		"PrivateTmp=yes" "CapabilityBoundingSet=$" "StateDirectory=$u" "UMask=0077" \
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "SystemCallFilter=@system-service"; do
		check "$u.service sets $opt" grep -Eq "^$opt" "$T/$u.service"
	done
	check "$u.service's exposure is OK (systemd-analyze security, at most 2.0)" \
		systemd-analyze security --offline=true --threshold=20 "$T/$u.service"
done
check_out "the hub unit logs JSON" "rosterd serve /var/lib/rosterd --log-format json" cat "$T/rosterd.service"
check_out "the node's passphrase is a credential, not in the environment" \
	'LoadCredential=passphrase:' cat "$T/roster.service"
check_fails "... and no passphrase is set in the environment" grep -q "ROSTER_PASSPHRASE" "$T/roster.service"

check "make install into a staging folder" make -s -C "$TOP" SAN=1 install DESTDIR="$T/stage" \
	PREFIX=/usr BINDIR=/usr/bin UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d
for f in usr/bin/rosterd usr/bin/roster lib/systemd/system/rosterd.service \
	lib/systemd/system/roster.service usr/lib/sysusers.d/rosterd.conf usr/lib/sysusers.d/roster.conf; do
	check "installed /$f" test -s "$T/stage/$f"
done
check_out "the installed unit runs the installed program" "^ExecStart=/usr/bin/rosterd serve" \
	cat "$T/stage/lib/systemd/system/rosterd.service"
finish
