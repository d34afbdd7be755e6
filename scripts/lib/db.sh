# shellcheck shell=bash
# Database helpers: a project-local MariaDB (own datadir, socket and port) or PET_DATABASE_URL.
#
# After pet_db_setup, these are set: PET_DB_HOST PET_DB_PORT PET_DB_USER PET_DB_PASSWORD
# PET_DB_NAME (database named in the URL, may be empty) and PET_DB_STARTED_PID (empty when we
# did not start a server).

PET_DB_STARTED_PID=""
PET_DB_DIR=""

# pet_urldecode STR
pet_urldecode() {
    local s="${1//+/ }"
    printf '%b' "${s//%/\\x}"
}

# pet_db_parse_url URL: fills PET_DB_* from mysql://user[:password]@host[:port][/database].
pet_db_parse_url() {
    local url="$1"
    local re='^mysql://([^:@/]+)(:([^@]*))?@([^:/?]+)(:([0-9]+))?(/([^?]*))?'
    [[ "$url" =~ $re ]] || pet_die "PET_DATABASE_URL must look like mysql://user:password@host:port/database (got '${url}')"
    PET_DB_USER="$(pet_urldecode "${BASH_REMATCH[1]}")"
    PET_DB_PASSWORD="$(pet_urldecode "${BASH_REMATCH[3]}")"
    PET_DB_HOST="${BASH_REMATCH[4]}"
    PET_DB_PORT="${BASH_REMATCH[6]:-3306}"
    PET_DB_NAME="${BASH_REMATCH[8]}"
}

# pet_db_url DATABASE: URL of a database on the configured server.
pet_db_url() {
    local auth="$PET_DB_USER"
    [[ -n "$PET_DB_PASSWORD" ]] && auth="${auth}:${PET_DB_PASSWORD}"
    printf 'mysql://%s@%s:%s/%s' "$auth" "$PET_DB_HOST" "$PET_DB_PORT" "$1"
}

# pet_sql SQL: runs SQL on the configured server (no database selected).
pet_sql() {
    MYSQL_PWD="$PET_DB_PASSWORD" mariadb --protocol=tcp -h "$PET_DB_HOST" -P "$PET_DB_PORT" \
        -u "$PET_DB_USER" -N -B -e "$1"
}

# pet_db_create NAME: creates a database (utf8mb4) if missing. NAME is [A-Za-z0-9_] only.
pet_db_create() {
    [[ "$1" =~ ^[A-Za-z0-9_]+$ ]] || pet_die "bad database name '$1'"
    pet_sql "CREATE DATABASE IF NOT EXISTS \`$1\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
}

# pet_db_recreate NAME: drops and creates a database.
pet_db_recreate() {
    [[ "$1" =~ ^[A-Za-z0-9_]+$ ]] || pet_die "bad database name '$1'"
    pet_sql "DROP DATABASE IF EXISTS \`$1\`"
    pet_db_create "$1"
}

# pet_db_start_local DIR PORT: initialises (once) and starts a private MariaDB bound to
# 127.0.0.1:PORT with its socket and pid file in DIR. Reuses one that is already running.
pet_db_start_local() {
    local dir="$1" port="$2" user
    PET_DB_DIR="$dir"
    user="$(id -un)"
    mkdir -p "$dir"
    local sock="${dir}/mariadb.sock" pidf="${dir}/mariadb.pid"
    if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
        pet_log "MariaDB already running from ${dir} (pid $(cat "$pidf")); reusing it"
    else
        if pet_port_in_use 127.0.0.1 "$port"; then
            pet_die "port ${port} is taken by another program; stop it or set PET_DATABASE_URL"
        fi
        if [[ ! -d "${dir}/data/mysql" ]]; then
            pet_log "initialising a private MariaDB in ${dir}/data"
            rm -rf "${dir}/data"
            mariadb-install-db --no-defaults --datadir="${dir}/data" --user="$user" \
                --auth-root-authentication-method=socket --skip-test-db >"${dir}/install.log" 2>&1 ||
                { cat "${dir}/install.log" >&2; pet_die "mariadb-install-db failed (log above)"; }
        fi
        pet_log "starting MariaDB on 127.0.0.1:${port} (data in ${dir}/data)"
        mariadbd --no-defaults --datadir="${dir}/data" --socket="$sock" --port="$port" \
            --bind-address=127.0.0.1 --pid-file="$pidf" --log-error="${dir}/error.log" \
            --skip-log-bin --user="$user" --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size="${PET_DB_BUFFER_POOL:-128M}" \
            --max-connections=300 </dev/null >/dev/null 2>&1 &
        PET_DB_STARTED_PID=$!
        local i
        for ((i = 0; i < 600; i++)); do
            if mariadb-admin --no-defaults --socket="$sock" -u "$user" ping >/dev/null 2>&1; then
                break
            fi
            if ! kill -0 "$PET_DB_STARTED_PID" 2>/dev/null; then
                tail -n 30 "${dir}/error.log" >&2 || true
                pet_die "MariaDB exited during start-up (log above, full log ${dir}/error.log)"
            fi
            sleep 0.1
        done
        mariadb-admin --no-defaults --socket="$sock" -u "$user" ping >/dev/null 2>&1 ||
            pet_die "MariaDB did not become ready in 60 s (see ${dir}/error.log)"
    fi
    # A TCP user for PET and WordPress; only reachable on 127.0.0.1.
    mariadb --no-defaults --socket="$sock" -u "$user" -e "
        CREATE USER IF NOT EXISTS 'pet'@'127.0.0.1' IDENTIFIED BY 'pet';
        CREATE USER IF NOT EXISTS 'pet'@'localhost' IDENTIFIED BY 'pet';
        GRANT ALL PRIVILEGES ON *.* TO 'pet'@'127.0.0.1' WITH GRANT OPTION;
        GRANT ALL PRIVILEGES ON *.* TO 'pet'@'localhost' WITH GRANT OPTION;" ||
        pet_die "could not create the 'pet' database user"
    PET_DB_HOST=127.0.0.1
    PET_DB_PORT="$port"
    PET_DB_USER=pet
    PET_DB_PASSWORD=pet
    PET_DB_NAME=""
}

# pet_db_stop_started: stops the MariaDB this script started (and only that one).
pet_db_stop_started() {
    [[ -n "$PET_DB_STARTED_PID" ]] || return 0
    if kill -0 "$PET_DB_STARTED_PID" 2>/dev/null; then
        pet_log "stopping MariaDB (pid ${PET_DB_STARTED_PID})"
        kill -TERM "$PET_DB_STARTED_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 300; i++)); do
            kill -0 "$PET_DB_STARTED_PID" 2>/dev/null || break
            sleep 0.1
        done
    fi
    PET_DB_STARTED_PID=""
}

# pet_db_setup DIR PORT: PET_DATABASE_URL when set, else a private MariaDB in DIR on PORT.
pet_db_setup() {
    if [[ -n "${PET_DATABASE_URL:-}" ]]; then
        pet_db_parse_url "$PET_DATABASE_URL"
        pet_log "using the database server from PET_DATABASE_URL (${PET_DB_HOST}:${PET_DB_PORT})"
        pet_sql "SELECT 1" >/dev/null || pet_die "cannot connect to PET_DATABASE_URL"
    else
        pet_db_start_local "$1" "$2"
    fi
}
