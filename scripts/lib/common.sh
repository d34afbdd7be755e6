# shellcheck shell=bash
# Shared helpers for scripts/run and scripts/test: paths, logging, process bookkeeping.

PET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PET_STATE="$(realpath -m "${PET_STATE:-${PET_ROOT}/.pet}")" # absolute: it goes into wp-config.php
PET_TARGET_DIR="${CARGO_TARGET_DIR:-${PET_ROOT}/target}"
PET_EXT="${PET_TARGET_DIR}/debug/libpet_php.so"
# The release build (scripts/package packages it; scripts/run serves it).
PET_EXT_RELEASE="${PET_TARGET_DIR}/release/libpet_php.so"

pet_log() { printf '\033[1;34m[pet]\033[0m %s\n' "$*" >&2; }
pet_warn() { printf '\033[1;33m[pet] warning:\033[0m %s\n' "$*" >&2; }
pet_die() { printf '\033[1;31m[pet] error:\033[0m %s\n' "$*" >&2; exit 1; }

# pet_wait_port HOST PORT SECONDS: waits until a TCP port accepts connections.
pet_wait_port() {
    local host="$1" port="$2" secs="$3" i
    for ((i = 0; i < secs * 10; i++)); do
        if (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# pet_port_in_use HOST PORT: true when something already listens there.
pet_port_in_use() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# The test build of the extension (Cargo feature test-clock), copied beside the production one.
PET_EXT_TEST="${PET_TARGET_DIR}/debug/libpet_php-test-clock.so"

# pet_build_extension: builds the production PHP extension (debug profile, shared target dir).
pet_build_extension() {
    pet_log "building the PHP extension (cargo build -p pet-php)"
    (cd "$PET_ROOT" && cargo build -p pet-php)
    [[ -f "$PET_EXT" ]] || pet_die "cargo build succeeded but ${PET_EXT} is missing"
}

# pet_build_test_extension: builds the extension with the test-only clock override
# (feature test-clock) into $PET_EXT_TEST, then the production one again into $PET_EXT, so
# both exist and the production file is never the test build.
pet_build_test_extension() {
    pet_log "building the test extension (cargo build -p pet-php --features test-clock)"
    (cd "$PET_ROOT" && cargo build -p pet-php --features test-clock)
    [[ -f "$PET_EXT" ]] || pet_die "cargo build succeeded but ${PET_EXT} is missing"
    cp -f "$PET_EXT" "${PET_EXT_TEST}.tmp" && mv -f "${PET_EXT_TEST}.tmp" "$PET_EXT_TEST"
    pet_build_extension
}

# pet_ext_copy SRC DEST: copies the extension SRC to DEST for one site to load, through a
# temporary file renamed over DEST: a PHP process that has the old DEST loaded keeps its copy
# (a new inode), and rebuilding target/ never touches what a running site has loaded.
pet_ext_copy() {
    local src="$1" dest="$2"
    [[ -f "$src" ]] || pet_die "the extension ${src} was not built"
    mkdir -p "$(dirname "$dest")"
    cp -f "$src" "${dest}.tmp.$$" && mv -f "${dest}.tmp.$$" "$dest"
}
