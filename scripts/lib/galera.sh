# shellcheck shell=bash
# A three-node Galera cluster on this machine: three private mariadbd (Debian's
# mariadb-server and galera-4) for the concurrency suite
# (scripts/galera-test). Not part of CI (three servers and the suite take minutes on two
# cores); the README records its last results.
#
#   pet_galera_start DIR FIRST_PORT FIRST_GCOMM_PORT   nodes on FIRST_PORT..+2, group
#                                                      communication on FIRST_GCOMM_PORT..+2,
#                                                      IST on +10.., SST on +20..
#   pet_galera_stop                                    stops the nodes this shell started
#
# The first node bootstraps the cluster from a fresh data directory; the others join with an
# empty one and receive a full copy (rsync state transfer; rsync's daemon runs as nobody
# when started by root, hence their data directory owned by nobody). The database and users
# are created once all three are in: 'pet' with every privilege on the database
# `pet_galera` only, as a WordPress site has, and 'petadmin'.

PET_GALERA_PIDS=()

pet_galera_node() {
    local dir="$1" port="$2" gport="$3" cluster="$4" new="$5"
    local user provider
    user="$(id -un)"
    provider="$(find /usr/lib -name 'libgalera_smm.so' 2>/dev/null | head -n 1)"
    [[ -n "$provider" ]] || pet_die "galera-4 is not installed (apt-get install galera-4)"
    pet_port_in_use 127.0.0.1 "$port" && pet_die "port ${port} is taken"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ "$new" == new ]]; then
        mariadb-install-db --no-defaults --datadir="${dir}/data" --user="$user" \
            --auth-root-authentication-method=socket --skip-test-db >"${dir}/install.log" 2>&1 ||
            { cat "${dir}/install.log" >&2; pet_die "mariadb-install-db failed in ${dir}"; }
    else
        mkdir -p "${dir}/data"
        chown nobody: "${dir}/data" 2>/dev/null || chmod 0777 "${dir}/data"
    fi
    local args=(--no-defaults --datadir="${dir}/data" --socket="${dir}/mariadb.sock" --port="$port"
        --bind-address=127.0.0.1 --pid-file="${dir}/mariadb.pid" --log-error="${dir}/error.log"
        --user="$user" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
        --innodb-buffer-pool-size=64M --max-connections=200 --binlog-format=ROW
        --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2
        --wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-name=pet_galera
        --wsrep-cluster-address="gcomm://${cluster}" --wsrep-node-address="127.0.0.1:${gport}"
        --wsrep-node-incoming-address="127.0.0.1:${port}"
        --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:${gport};ist.recv_addr=127.0.0.1:$((gport + 10));gcache.size=64M"
        --wsrep-sst-receive-address="127.0.0.1:$((gport + 20))" --wsrep-sst-method=rsync
        --log-bin-trust-function-creators=1)
    [[ "$new" == new ]] && args+=(--wsrep-new-cluster)
    mariadbd "${args[@]}" </dev/null >/dev/null 2>&1 &
    PET_GALERA_PIDS+=("$!")
    local i ready
    for ((i = 0; i < 1200; i++)); do
        ready="$(mariadb --no-defaults --socket="${dir}/mariadb.sock" -u "$user" -N -B \
            -e "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | awk '{print $2}' || true)"
        [[ "$ready" == ON ]] && return 0
        kill -0 "$!" 2>/dev/null || { tail -n 40 "${dir}/error.log" >&2; pet_die "node in ${dir} exited"; }
        sleep 0.1
    done
    pet_die "node in ${dir} did not join the cluster in 120 s (see ${dir}/error.log)"
}

pet_galera_start() {
    local dir="$1" port="$2" gport="$3" i cluster=""
    for i in 0 1 2; do cluster+="127.0.0.1:$((gport + i)),"; done
    cluster="${cluster%,}"
    pet_log "starting a three-node Galera cluster on 127.0.0.1:${port}-$((port + 2))"
    pet_galera_node "${dir}/node0" "$port" "$gport" "$cluster" new
    pet_galera_node "${dir}/node1" "$((port + 1))" "$((gport + 1))" "$cluster" join
    pet_galera_node "${dir}/node2" "$((port + 2))" "$((gport + 2))" "$cluster" join
    mariadb --no-defaults --socket="${dir}/node0/mariadb.sock" -u "$(id -un)" -e "
        CREATE DATABASE pet_galera CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE USER 'pet'@'127.0.0.1' IDENTIFIED BY 'pet';
        GRANT ALL PRIVILEGES ON pet_galera.* TO 'pet'@'127.0.0.1';
        CREATE USER 'petadmin'@'127.0.0.1' IDENTIFIED BY 'petadmin';
        GRANT ALL PRIVILEGES ON *.* TO 'petadmin'@'127.0.0.1';" ||
        pet_die "could not create the database and users"
    local size
    size="$(mariadb --no-defaults --socket="${dir}/node0/mariadb.sock" -u "$(id -un)" -N -B \
        -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | awk '{print $2}')"
    [[ "$size" == 3 ]] || pet_die "the cluster has ${size} nodes, not 3"
}

pet_galera_stop() {
    local pid i
    # The joiners first, the bootstrap node last (a clean shutdown of the whole cluster).
    for ((i = ${#PET_GALERA_PIDS[@]} - 1; i >= 0; i--)); do
        pid="${PET_GALERA_PIDS[$i]}"
        kill -TERM "$pid" 2>/dev/null || true
        local j
        for ((j = 0; j < 600; j++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    PET_GALERA_PIDS=()
}
