#!/usr/bin/env bash
# The install test (scripts/test's step "install"): PET installed on this machine the way a
# WordPress admin installs it, then upgraded.
#
#  1. scripts/package builds two package sets: this tree, and this tree without its newest
#     migration (an older migration set, Debian version <version>~held1);
#  2. the older php8.2-pet package is installed with dpkg -i (it enables the extension for every
#     SAPI: checked for the CLI and Apache's conf.d) and Debian's Apache with mod_php serves two
#     fresh WordPress sites (Debian's wordpress package files) on private ports, as www-data;
#  3. site "upgrade": in the browser, Plugins → Add New → Upload Plugin with the older zip,
#     Activate, create a customer;
#  4. the newer package is installed over it (dpkg -i), Apache restarted, and the newer zip
#     uploaded with "Replace current with uploaded": the newest migration is applied once by
#     the next wp-admin request, and the customer is still there;
#  5. site "fresh": upload the newer zip, Activate, then the smoke browser suite (e2e.mjs);
#  6. Apache stopped, the package removed (dpkg -r: no pet.so, no SAPI loads pet.ini) and
#     purged (dpkg -P: no pet.ini, no phpenmod state).
#
# While the package is installed the CLI's link is turned off again right after it is checked
# (phpdismod -s cli): on a developer's machine, other checkouts' tests load their own builds with
# "php -d extension=…", which a system-wide pet.so would shadow. Apache keeps it.
#
# Env: PET_DB_HOST PET_DB_PORT PET_DB_USER PET_DB_PASSWORD (scripts/test's database server),
#      E2E_PASSWORD (the sites' admin password), PET_STATE, PET_ARTIFACTS,
#      PET_INSTALL_PORT (default 8090; the fresh site uses the next port).
set -euo pipefail

# shellcheck source=../../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=../../scripts/lib/deps.sh
source "${PET_ROOT}/scripts/lib/deps.sh"
# shellcheck source=../../scripts/lib/db.sh
source "${PET_ROOT}/scripts/lib/db.sh"
# shellcheck source=../../scripts/lib/wordpress.sh
source "${PET_ROOT}/scripts/lib/wordpress.sh"
# shellcheck source=../../scripts/lib/package.sh
source "${PET_ROOT}/scripts/lib/package.sh"
# shellcheck source=../../scripts/lib/apache.sh
source "${PET_ROOT}/scripts/lib/apache.sh"

: "${PET_DB_HOST:?}" "${PET_DB_PORT:?}" "${PET_DB_USER:?}" "${E2E_PASSWORD:?}"
# It installs and removes a Debian package and starts Apache, which runs its sites as www-data.
[[ "$(id -u)" -eq 0 ]] ||
    pet_die "the install test needs root (dpkg, Apache as www-data): run scripts/test as root (as CI does)"
PORT_UP="${PET_INSTALL_PORT:-8090}"
PORT_FRESH=$((PORT_UP + 1))
# The sites live in $PET_STATE/install when Apache's user (www-data) can reach it (every folder
# above searchable), else in a folder of /var/tmp named after this state folder.
WORK="${PET_STATE}/install"
mkdir -p "$WORK"
chmod 755 "$WORK"
if ! runuser -u www-data -- test -x "$WORK"; then
    WORK="/var/tmp/pet-install-$(printf '%s' "$PET_STATE" | md5sum | cut -c1-12)"
    pet_warn "Apache (www-data) cannot reach ${PET_STATE}/install; the sites go to ${WORK}"
    mkdir -p "$WORK"
    chmod 755 "$WORK"
fi
DIST="${WORK}/dist"
ARTIFACTS="${PET_ARTIFACTS:-${PET_STATE}/artifacts}"
APACHE_CONF="${WORK}/apache2.conf"
PKG=php8.2-pet
INI=/etc/php/8.2/mods-available/pet.ini
SO="${PET_PHP_EXTENSION_DIR}/pet.so"
CUSTOMER="Upgrade Survivor $(date +%s)"
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'not ok - %s\n' "$*"; }
# check DESCRIPTION CMD...: runs CMD; counts and prints the result (does not stop the test).
check() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
# must DESCRIPTION CMD...: like check, but a failure ends the test (later checks need it).
must() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else fail "$what"; finish; fi
}
finish() {
    trap - EXIT
    cleanup
    printf '\ninstall: %d passed, %d failed\n' "$PASSED" "$FAILED"
    ((FAILED == 0)) || exit 1
    exit 0
}

apache_stop() { pet_apache_stop "$APACHE_CONF" "$WORK" "$PORT_UP" "$PORT_FRESH"; }
apache_start() { pet_apache_start "$APACHE_CONF" "$WORK" "$PORT_UP" "$PORT_FRESH"; }

package_installed() { pet_pkg_installed "$PKG"; }

# Leaves the machine as it was: Apache stopped, the package purged.
cleanup() {
    apache_stop
    if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -qv 'not-installed'; then
        DEBIAN_FRONTEND=noninteractive dpkg -P "$PKG" >/dev/null 2>&1 || true
    fi
}
trap 'cleanup' EXIT

# The CLI must have loaded the extension (phpenmod enabled every SAPI), then is turned off again.
# (The extension's module name is its crate's, pet-php; its classes are what the plugin needs.)
cli_loads_pet() { php -r 'exit(class_exists("Pet\\Engine") ? 0 : 1);' 2>/dev/null; }
cli_without_pet() { php -r 'exit(class_exists("Pet\\Engine") ? 1 : 0);' 2>/dev/null; }
apache_sapi_links_pet() { [[ "$(readlink -f /etc/php/8.2/apache2/conf.d/20-pet.ini)" == "$INI" ]]; }
cli_off_again() { phpdismod -v 8.2 -s cli pet; }

dpkg_install() {
    local deb="$1"
    pet_log "dpkg -i $(basename "$deb")"
    DEBIAN_FRONTEND=noninteractive dpkg -i "$deb"
}

# site_prepare DIR DB PORT: a fresh WordPress (no plugin) served by Apache as www-data.
site_prepare() {
    local dir="$1" db="$2" port="$3"
    rm -rf "$dir"
    pet_db_recreate "$db"
    PET_WP_LINK_PLUGIN=0 pet_wp_prepare "$dir" "$db" "$port" 1
    PET_WP_ADMIN_PASSWORD="$E2E_PASSWORD" php "${PET_ROOT}/scripts/lib/wp-install.php" "$dir" --install
    pet_apache_htaccess "$dir" # pretty permalinks, as WordPress writes them for Apache
    chown -R www-data:www-data "$dir"
}

# The Apache configuration (scripts/lib/apache.sh): Debian's apache2 binary and modules, mod_php
# (the apache2 SAPI's php.ini and conf.d, where the package's link goes), the two sites;
# nothing of /etc/apache2's own sites.
write_apache_conf() {
    pet_apache_write_conf "$APACHE_CONF" "$WORK" "${PORT_UP}=${WORK}/site-upgrade" "${PORT_FRESH}=${WORK}/site-fresh"
}

browser() {
    local url="$1"
    shift
    (cd "${PET_ROOT}/tests/browser" && env PET_E2E_URL="$url" PET_E2E_USER=admin PET_E2E_PASSWORD="$E2E_PASSWORD" \
        PET_ARTIFACTS="$ARTIFACTS" PET_CHROMIUM="${PET_CHROMIUM:-/usr/bin/chromium}" "$@")
}

sql_in() { local db="$1"; shift; pet_sql "USE \`${db}\`; $*"; }

# ---- 0. what the test needs ---------------------------------------------------------------
pet_need_packages_no_start apache2 libapache2-mod-php8.2
pet_need_packages dpkg-dev unzip
[[ -d "${PET_ROOT}/tests/browser/node_modules" ]] || (cd "${PET_ROOT}/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$DIST" "$ARTIFACTS"
runuser -u www-data -- test -x "$WORK" || pet_die "Apache (www-data) cannot reach ${WORK}"
if package_installed; then
    pet_warn "${PKG} is installed (left by an interrupted run?): purging it first"
    DEBIAN_FRONTEND=noninteractive dpkg -P "$PKG" >/dev/null
fi

# ---- 1. the packages: an older migration set, then this tree -------------------------------
rm -f "${DIST}"/*
PET_DIST="$DIST" PET_PACKAGE_HOLD_BACK=1 "${PET_ROOT}/scripts/package"
PET_DIST="$DIST" "${PET_ROOT}/scripts/package"
OLD_DEB="$(ls "$DIST"/php8.2-pet_*~held1-1_*.deb)"
NEW_DEB="$(ls "$DIST"/php8.2-pet_*-1_*.deb | grep -v '~held')"
OLD_ZIP="$(ls "$DIST"/pet-*-held1.zip)"
NEW_ZIP="$(ls "$DIST"/pet-*.zip | grep -v -- '-held')"
NEWEST="$(pet_newest_migration)"
NEWEST="${NEWEST%.sql}"
check "the plugin zip holds pet/pet.php, pet/readme.txt, pet/languages/pet.pot" \
    bash -c "unzip -Z1 '$NEW_ZIP' | grep -qx pet/pet.php && unzip -Z1 '$NEW_ZIP' | grep -qx pet/readme.txt && unzip -Z1 '$NEW_ZIP' | grep -qx pet/languages/pet.pot"
check "the plugin zip has nothing outside pet/ and no development files" \
    bash -c "! unzip -Z1 '$NEW_ZIP' | grep -v '^pet/' && ! unzip -Z1 '$NEW_ZIP' | grep -E '\.md$|/\.'"
check "readme.txt has WordPress's standard headers" bash -c "for h in 'Contributors' 'Requires at least' 'Tested up to' 'Requires PHP' 'Stable tag' 'License'; do unzip -p '$NEW_ZIP' pet/readme.txt | grep -q \"^\$h: \" || exit 1; done"
check "the package installs pet.so into PHP's extension dir and pet.ini into mods-available" \
    bash -c "dpkg-deb -c '$NEW_DEB' | grep -q ' ./usr/lib/php/20220829/pet.so$' && dpkg-deb -c '$NEW_DEB' | grep -q ' ./etc/php/8.2/mods-available/pet.ini$'"
check "the package depends on Debian's PHP 8.2 API (phpapi-20220829)" bash -c "dpkg-deb -f '$NEW_DEB' Depends | grep -q phpapi-20220829"

# ---- 2. the older package, Apache with mod_php -------------------------------------------
must "dpkg -i the older package ($(basename "$OLD_DEB"))" dpkg_install "$OLD_DEB"
must "pet.so is in PHP's extension dir" test -f "$SO"
must "the CLI loads the extension (phpenmod enabled it)" cli_loads_pet
check "Apache's PHP (apache2 SAPI) has the extension's link" apache_sapi_links_pet
must "the CLI's link turned off again for the test's duration" cli_off_again
write_apache_conf
site_prepare "${WORK}/site-upgrade" pet_install_up "$PORT_UP"
site_prepare "${WORK}/site-fresh" pet_install_fresh "$PORT_FRESH"
must "Apache (mod_php) serves both sites on 127.0.0.1:${PORT_UP} and :${PORT_FRESH}" apache_start

# ---- 3. the older plugin through wp-admin; data made with it -------------------------------
must "upload and activate the older plugin zip in the browser, create a customer" \
    browser "http://127.0.0.1:${PORT_UP}" env PET_INSTALL_ZIP="$OLD_ZIP" PET_INSTALL_MODE=fresh \
    PET_INSTALL_NAME=install-old PET_INSTALL_CUSTOMER="$CUSTOMER" node install.mjs
check "the older package did not have ${NEWEST}" \
    test 0 = "$(sql_in pet_install_up "SELECT COUNT(*) FROM wp_pet_migrations WHERE version = '${NEWEST%%_*}'" 2>/dev/null || echo x)"

# ---- 4. the upgrade: new package, restart PHP, new zip ---------------------------------------
must "dpkg -i the newer package over it ($(basename "$NEW_DEB"))" dpkg_install "$NEW_DEB"
check "the CLI's link, turned off by the admin, stays off after the upgrade" cli_without_pet
check "Apache's PHP still has the extension's link" apache_sapi_links_pet
apache_stop
must "Apache restarted with the new extension" apache_start
must "upload the newer zip with \"Replace current with uploaded\"; the customer survived" \
    browser "http://127.0.0.1:${PORT_UP}" env PET_INSTALL_ZIP="$NEW_ZIP" PET_INSTALL_MODE=replace \
    PET_INSTALL_NAME=install-upgrade PET_INSTALL_CUSTOMER="$CUSTOMER" node install.mjs
check "the upgrade applied ${NEWEST} (once, successfully)" \
    test 1 = "$(sql_in pet_install_up "SELECT COUNT(*) FROM wp_pet_migrations WHERE version = '${NEWEST%%_*}' AND success = 1" 2>/dev/null || echo x)"
check "the customer is one row, unchanged" \
    test 1 = "$(sql_in pet_install_up "SELECT COUNT(*) FROM wp_pet_customers WHERE name = '${CUSTOMER}'" 2>/dev/null || echo x)"

# ---- 5. a fresh site on the newer package: upload, activate, smoke suite -------------------
must "upload and activate the plugin zip on a fresh site" \
    browser "http://127.0.0.1:${PORT_FRESH}" env PET_INSTALL_ZIP="$NEW_ZIP" PET_INSTALL_MODE=fresh \
    PET_INSTALL_NAME=install-fresh node install.mjs
check "the smoke browser suite (e2e.mjs) against Apache + mod_php + the package" \
    browser "http://127.0.0.1:${PORT_FRESH}" node e2e.mjs
check "no PHP fatal error in the sites' logs" \
    bash -c "! grep -h 'PHP Fatal' '${WORK}/site-upgrade/debug.log' '${WORK}/site-fresh/debug.log' '${WORK}/apache-error.log' 2>/dev/null"

# ---- 6. removal ------------------------------------------------------------------------------
apache_stop
must "dpkg -r ${PKG}" env DEBIAN_FRONTEND=noninteractive dpkg -r "$PKG"
check "removed: no pet.so" test ! -e "$SO"
check "removed: no SAPI's conf.d links pet.ini" bash -c "! find /etc/php -type l -lname '*pet.ini' | grep -q ."
check "removed: the CLI does not load pet" cli_without_pet
must "dpkg -P ${PKG}" env DEBIAN_FRONTEND=noninteractive dpkg -P "$PKG"
check "purged: no pet.ini, no phpenmod state" bash -c "test ! -e '$INI' && ! find /var/lib/php/modules -name pet | grep -q ."
check "purged: dpkg knows no ${PKG}" bash -c "! dpkg-query -W -f='\${Status}' '$PKG' 2>/dev/null | grep -q installed"

finish
