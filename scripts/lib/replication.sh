# shellcheck shell=bash
# A primary and a replica: two private mariadbd (Debian's mariadb-server) with binary logs
# and GTID replication, for the tests that need a real topology (scripts/test's
# `replication` step; scripts/lib/galera.sh does the same for a Galera cluster).
#
#   pet_repl_start DIR PRIMARY_PORT REPLICA_PORT   start both (fresh data dirs under DIR)
#   pet_repl_stop                                  stop the two servers this shell started
#
# Users on both (replicated from the primary): 'pet' — what a WordPress site has: every
# privilege on the database `pet_repl` and nothing global (no SUPER, so the replica's
# read_only refuses it, and binary logging refuses its CREATE TRIGGER until
# log_bin_trust_function_creators is on) — and 'petadmin' (every privilege, for the tests'
# own control: stopping the replica's SQL thread, setting server variables).

PET_REPL_PIDS=()

# pet_repl_server DIR PORT SERVER_ID EXTRA_ARGS...: initialises and starts one mariadbd.
pet_repl_server() {
    local dir="$1" port="$2" id="$3"
    shift 3
    local user
    user="$(id -un)"
    if pet_port_in_use 127.0.0.1 "$port"; then
        pet_die "port ${port} is taken; stop what runs there or choose other ports"
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    mariadb-install-db --no-defaults --datadir="${dir}/data" --user="$user" \
        --auth-root-authentication-method=socket --skip-test-db >"${dir}/install.log" 2>&1 ||
        { cat "${dir}/install.log" >&2; pet_die "mariadb-install-db failed in ${dir}"; }
    mariadbd --no-defaults --datadir="${dir}/data" --socket="${dir}/mariadb.sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="${dir}/mariadb.pid" --log-error="${dir}/error.log" \
        --user="$user" --server-id="$id" --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=64M \
        --max-connections=200 "$@" </dev/null >/dev/null 2>&1 &
    PET_REPL_PIDS+=("$!")
    local i
    for ((i = 0; i < 600; i++)); do
        mariadb-admin --no-defaults --socket="${dir}/mariadb.sock" -u "$user" ping >/dev/null 2>&1 && return 0
        kill -0 "$!" 2>/dev/null || { tail -n 30 "${dir}/error.log" >&2; pet_die "mariadbd in ${dir} exited"; }
        sleep 0.1
    done
    pet_die "mariadbd in ${dir} did not become ready in 60 s"
}

# pet_repl_sql DIR SQL: runs SQL as the OS user (root over the socket) on the server in DIR.
pet_repl_sql() {
    mariadb --no-defaults --socket="$1/mariadb.sock" -u "$(id -un)" -N -B -e "$2"
}

pet_repl_start() {
    local dir="$1" pport="$2" rport="$3"
    pet_log "starting a primary on 127.0.0.1:${pport} and a replica on 127.0.0.1:${rport} (GTID replication)"
    pet_repl_server "${dir}/primary" "$pport" 1 --log-bin=primary-bin --binlog-format=ROW \
        --gtid-domain-id=0 --log-bin-trust-function-creators=0
    pet_repl_server "${dir}/replica" "$rport" 2 --read-only=1 --log-slave-updates=0 \
        --relay-log=replica-relay
    # Replication before any user exists: the users and the database below replicate.
    pet_repl_sql "${dir}/primary" "
        CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl';
        GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';" ||
        pet_die "could not create the replication user"
    pet_repl_sql "${dir}/replica" "
        CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${pport}, MASTER_USER='repl',
            MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos;
        START SLAVE;" || pet_die "could not start replication"
    pet_repl_sql "${dir}/primary" "
        CREATE DATABASE pet_repl CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE USER 'pet'@'127.0.0.1' IDENTIFIED BY 'pet';
        GRANT ALL PRIVILEGES ON pet_repl.* TO 'pet'@'127.0.0.1';
        CREATE USER 'petadmin'@'127.0.0.1' IDENTIFIED BY 'petadmin';
        GRANT ALL PRIVILEGES ON *.* TO 'petadmin'@'127.0.0.1';" ||
        pet_die "could not create the database and users"
    local pos i
    pos="$(pet_repl_sql "${dir}/primary" "SELECT @@gtid_binlog_pos")"
    for ((i = 0; i < 100; i++)); do
        [[ "$(pet_repl_sql "${dir}/replica" "SELECT MASTER_GTID_WAIT('${pos}', 0.1)")" == 0 ]] && return 0
    done
    pet_repl_sql "${dir}/replica" "SHOW SLAVE STATUS\G" >&2 || true
    pet_die "the replica did not catch up with the primary (${pos})"
}

pet_repl_stop() {
    local pid i
    for pid in "${PET_REPL_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PET_REPL_PIDS[@]}"; do
        for ((i = 0; i < 300; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    PET_REPL_PIDS=()
}
