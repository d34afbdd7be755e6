# shellcheck shell=bash
# Packaging helpers for scripts/package and scripts/test's install step: the release build of
# the extension, its Debian package (cargo-deb) and the plugin zip.

# The cargo-deb release scripts/package installs when cargo-deb is missing.
PET_CARGO_DEB_VERSION="${PET_CARGO_DEB_VERSION:-3.8.0}"
# Debian 12's PHP 8.2: the extension directory the package installs into (php-config
# --extension-dir) and the API the package depends on (phpapi-20220829).
PET_PHP_EXTENSION_DIR=/usr/lib/php/20220829

# pet_need_cargo_deb: installs cargo-deb from crates.io when `cargo deb` is missing.
pet_need_cargo_deb() {
    if cargo deb --version >/dev/null 2>&1; then
        return 0
    fi
    pet_log "installing cargo-deb ${PET_CARGO_DEB_VERSION} (cargo install cargo-deb --locked)"
    cargo install cargo-deb --locked --version "=${PET_CARGO_DEB_VERSION}"
}

# pet_workspace_version [SRC]: the workspace's version (Cargo.toml [workspace.package]).
pet_workspace_version() {
    local src="${1:-$PET_ROOT}"
    sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "${src}/Cargo.toml"
}

# pet_newest_migration [SRC]: file name of the newest migration of a tree.
pet_newest_migration() {
    local src="${1:-$PET_ROOT}"
    find "${src}/migrations" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]_*.sql' -printf '%f\n' | sort | tail -n 1
}

# The Cargo package of the extension in a tree: pet-php, or pet-php-held-back in the copy
# pet_package_held_back_tree makes.
pet_php_crate() {
    if grep -q '^name = "pet-php-held-back"$' "$1/pet-php/Cargo.toml"; then
        echo pet-php-held-back
    else
        echo pet-php
    fi
}

# The release build's file of a tree's extension.
pet_php_release_file() {
    if [[ "$(pet_php_crate "$1")" == pet-php-held-back ]]; then
        echo "${PET_TARGET_DIR}/release/libpet_php_held_back.so"
    else
        echo "$PET_EXT_RELEASE"
    fi
}

# pet_build_release [SRC]: the release build of the extension from the tree SRC (default this
# checkout) into $PET_EXT_RELEASE; checks that the file built embeds SRC's newest migration
# (a build of another tree into the same target dir must not be packaged by mistake).
pet_build_release() {
    local src="${1:-$PET_ROOT}" newest crate file
    crate="$(pet_php_crate "$src")"
    file="$(pet_php_release_file "$src")"
    pet_log "building the release extension (cargo build --release -p ${crate}) from ${src}"
    (cd "$src" && CARGO_TARGET_DIR="$PET_TARGET_DIR" cargo build --release -p "$crate")
    [[ -f "$file" ]] || pet_die "cargo build --release succeeded but ${file} is missing"
    newest="$(pet_newest_migration "$src")"
    grep -qF "$newest" "$file" || pet_die "${file} does not embed ${newest}: not the build of ${src}"
}

# pet_package_held_back_tree N: a copy of this checkout's files (tracked and untracked, not
# ignored) without its N newest migrations, in $PET_STATE/package-held-back/src; prints its path.
# Its crates pet-storage-mysql and pet-php are renamed (…-held-back): Cargo hashes path
# packages relative to their workspace, so under their own names the copy's release build
# would share — and overwrite — this tree's cached units in the shared target dir, and each of
# the two builds would recompile them. Renamed, both stay cached.
pet_package_held_back_tree() {
    local n="$1" dest="${PET_STATE}/package-held-back/src" stage="${PET_STATE}/package-held-back/stage" f
    command -v git >/dev/null 2>&1 || pet_die "git is needed to copy the tree"
    rm -rf "$stage"
    mkdir -p "$stage" "$dest"
    (cd "$PET_ROOT" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$stage"
    local migrations=()
    mapfile -t migrations < <(find "${stage}/migrations" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]_*.sql' -printf '%f\n' | sort)
    ((${#migrations[@]} > n)) || pet_die "cannot hold back ${n} of ${#migrations[@]} migrations"
    for f in "${migrations[@]:${#migrations[@]}-n}"; do
        pet_log "held back: migrations/${f}" >&2
        rm -f "${stage}/migrations/${f}"
    done
    # Edited files keep their original times, so an unchanged tree stays fresh for Cargo.
    pet_sed_keep_time() {
        local file="$1" time
        shift
        time="$(stat -c %Y "$file")"
        sed -i "$@" "$file"
        touch -d "@${time}" "$file"
    }
    pet_sed_keep_time "${stage}/pet-storage-mysql/Cargo.toml" 's/^name = "pet-storage-mysql"$/name = "pet-storage-mysql-held-back"/; $a [lib]\nname = "pet_storage_mysql"'
    # The extension's library gets its own file name too (cargo does not copy a cached build's
    # file to target/release again, so both builds must not share libpet_php.so).
    pet_sed_keep_time "${stage}/pet-php/Cargo.toml" 's/^name = "pet-php"$/name = "pet-php-held-back"/; s/^\[lib\]$/[lib]\nname = "pet_php_held_back"/; s|"target/release/libpet_php.so"|"target/release/libpet_php_held_back.so"|'
    pet_sed_keep_time "${stage}/Cargo.toml" 's|^pet-storage-mysql = { path = "pet-storage-mysql" }$|pet-storage-mysql = { path = "pet-storage-mysql", package = "pet-storage-mysql-held-back" }|'
    grep -q 'package = "pet-storage-mysql-held-back"' "${stage}/Cargo.toml" &&
        grep -q 'libpet_php_held_back.so' "${stage}/pet-php/Cargo.toml" &&
        grep -q '^name = "pet_storage_mysql"$' "${stage}/pet-storage-mysql/Cargo.toml" ||
        pet_die "could not rename the copy's crates"
    # Only what changed reaches the build tree (Cargo.lock is Cargo's there: it names the
    # renamed crates).
    # (Directory times are left alone: Cargo reads migrations/'s time through the build
    # script's rerun-if-changed.)
    rsync -a --omit-dir-times --checksum --delete --exclude=/Cargo.lock "${stage}/" "${dest}/"
    [[ -f "${dest}/Cargo.lock" ]] || cp -p "${stage}/Cargo.lock" "${dest}/Cargo.lock"
    rm -rf "$stage"
    printf '%s\n' "$dest"
}

# pet_package_deb SRC DIST SUFFIX: release build of SRC, then `cargo deb --no-build` into DIST
# with the Debian version <workspace version>SUFFIX-1.
pet_package_deb() {
    local src="$1" dist="$2" suffix="$3" extdir version
    extdir="$(php-config --extension-dir)"
    [[ "$extdir" == "$PET_PHP_EXTENSION_DIR" ]] ||
        pet_die "this PHP's extension directory is ${extdir}; the package is made for Debian 12's PHP 8.2 (${PET_PHP_EXTENSION_DIR})"
    pet_build_release "$src"
    version="$(pet_workspace_version "$src")${suffix}-1"
    pet_log "packaging the extension (cargo deb -p $(pet_php_crate "$src") --no-build), version ${version}"
    rm -f "${dist}/php8.2-pet_${version}_"*.deb
    (cd "$src" && CARGO_TARGET_DIR="$PET_TARGET_DIR" cargo deb -p "$(pet_php_crate "$src")" --no-build --strip \
        --deb-version "$version" -o "$dist" >/dev/null)
    PET_PACKAGE_DEB="$(ls "${dist}"/php8.2-pet_"${version}"_*.deb)"
    pet_log "built ${PET_PACKAGE_DEB}"
}

# pet_plugin_version SRC: the Version header of SRC's wp-plugin/pet.php.
pet_plugin_version() {
    sed -n 's/^ \* Version: *\(.*\)$/\1/p' "$1/wp-plugin/pet.php" | head -n 1
}

# pet_package_plugin_zip SRC DIST SUFFIX: DIST/pet-<version>.zip from SRC/wp-plugin in
# WordPress's layout (one folder pet/ with pet.php, readme.txt, languages/pet.pot), leaving out
# development files (Markdown notes, dot files). SUFFIX "~heldN" marks the plugin's Version as
# <version>-heldN.
pet_package_plugin_zip() {
    local src="$1" dist="$2" suffix="$3" version stage
    version="$(pet_plugin_version "$src")"
    [[ -n "$version" ]] || pet_die "no Version header in ${src}/wp-plugin/pet.php"
    [[ "$version" == "$(pet_workspace_version "$src")" ]] ||
        pet_die "the plugin's Version (${version}) differs from the workspace's ($(pet_workspace_version "$src")): they ship together"
    local f
    for f in readme.txt languages/pet.pot uninstall.php; do
        [[ -f "${src}/wp-plugin/${f}" ]] || pet_die "wp-plugin/${f} is missing"
    done
    stage="$(mktemp -d)"
    mkdir -p "${stage}/pet"
    (cd "${src}/wp-plugin" && find . -type f ! -name '*.md' ! -name '.*' ! -name '*~' -print0 |
        tar --null -T - -cf -) | tar -xf - -C "${stage}/pet"
    if [[ -n "$suffix" ]]; then
        version="${version}-${suffix#\~}"
        sed -i "s/^ \* Version: .*/ * Version:           ${version}/" "${stage}/pet/pet.php"
    fi
    PET_PACKAGE_ZIP="${dist}/pet-${version}.zip"
    rm -f "$PET_PACKAGE_ZIP"
    (cd "$stage" && find pet -print0 | LC_ALL=C sort -z | xargs -0 touch -d '2000-01-01 00:00:00' &&
        find pet -type f -print0 | LC_ALL=C sort -z | xargs -0 zip -qX "$PET_PACKAGE_ZIP")
    rm -rf "$stage"
    pet_log "built ${PET_PACKAGE_ZIP}"
}
