# shellcheck shell=bash
# Installs missing Debian packages (apt-get update at most once per script run).

PET_APT_UPDATED=0

# pet_sudo CMD...: runs as root, through sudo when we are not root.
pet_sudo() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        pet_die "need root (or sudo) to run: $*"
    fi
}

# pet_pkg_installed PKG: true when dpkg reports the package installed.
pet_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# pet_need_packages PKG...: installs those that are missing.
pet_need_packages() {
    local missing=() p
    for p in "$@"; do
        pet_pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    pet_log "installing missing packages: ${missing[*]}"
    if ((PET_APT_UPDATED == 0)); then
        pet_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
        PET_APT_UPDATED=1
    fi
    pet_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# pet_need_packages_no_start PKG...: like pet_need_packages, but services the packages bring
# (Apache on port 80) are not started by their installation: a temporary policy-rc.d refuses
# it, unless the machine already has one of its own (then that one decides).
pet_need_packages_no_start() {
    local missing=() p
    for p in "$@"; do
        pet_pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    local policy=/usr/sbin/policy-rc.d ours=0
    if [[ ! -e "$policy" ]]; then
        pet_sudo sh -c "printf '#!/bin/sh\n# scripts/lib/deps.sh: no service starts while PET installs packages\nexit 101\n' >$policy && chmod 755 $policy"
        ours=1
    fi
    local rc=0
    (pet_need_packages "${missing[@]}") || rc=$?
    ((ours == 0)) || pet_sudo rm -f "$policy"
    return "$rc"
}

# pet_need_base_deps: what running PET needs (curl and jq: the README's REST examples; PHP's IMAP
# extension and dovecot: replies by email and the run site's local mailbox).
pet_need_base_deps() {
    command -v cargo >/dev/null 2>&1 || pet_die "cargo not found: install Rust (https://rustup.rs) first"
    pet_need_packages ca-certificates pkg-config php8.2-cli php8.2-dev php8.2-mysql php8.2-mbstring \
        php8.2-xml php8.2-curl php8.2-imap libclang-dev wordpress mariadb-server mariadb-client curl jq
    # The local reply mailbox (scripts/lib/mail.sh) runs its own dovecot: the system's service
    # is not started by the installation.
    pet_need_packages_no_start dovecot-imapd
}

# pet_need_test_deps: what the test suite needs on top (browser and node).
pet_need_test_deps() {
    pet_need_base_deps
    pet_need_packages chromium php-codesniffer python3-aiosmtpd
    if ! command -v npm >/dev/null 2>&1; then
        pet_need_packages nodejs npm
    fi
}
