# shellcheck shell=bash
# A local SMTP catcher (Debian's python3-aiosmtpd) that keeps every message it receives in a
# Maildir, so tests and the local run site read the mail WordPress sends. The WordPress sites
# these scripts prepare send through it when PET_SMTP_PORT is set (wordpress.sh writes the
# constant and links scripts/lib/pet-mail-catcher.php as a must-use plugin).

PET_MAIL_CATCHER_PID=""

# pet_mail_catcher_start MAILDIR PORT: starts the catcher on 127.0.0.1:PORT (never the
# standard port 25), messages under MAILDIR/new; waits until it listens.
pet_mail_catcher_start() {
    local maildir="$1" port="$2" i
    pet_need_packages python3-aiosmtpd
    mkdir -p "${maildir}/new" "${maildir}/cur" "${maildir}/tmp"
    # Debian's interpreter: the package installs into its dist-packages.
    /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:${port}" -c aiosmtpd.handlers.Mailbox "$maildir" \
        >"${maildir}.log" 2>&1 &
    PET_MAIL_CATCHER_PID=$!
    for i in $(seq 1 50); do
        if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', ${port}), 1); s.close()" 2>/dev/null; then
            pet_log "SMTP catcher on 127.0.0.1:${port}, mail in ${maildir}/new"
            return 0
        fi
        kill -0 "$PET_MAIL_CATCHER_PID" 2>/dev/null || break
        sleep 0.2
    done
    pet_die "the SMTP catcher did not start on port ${port} (see ${maildir}.log)"
}

# pet_mail_catcher_stop: stops the catcher this script started.
pet_mail_catcher_stop() {
    if [[ -n "$PET_MAIL_CATCHER_PID" ]]; then
        kill "$PET_MAIL_CATCHER_PID" 2>/dev/null || true
        wait "$PET_MAIL_CATCHER_PID" 2>/dev/null || true
        PET_MAIL_CATCHER_PID=""
    fi
}
