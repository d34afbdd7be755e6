# shellcheck shell=bash
# Debian's Apache with mod_php, run with a configuration of its own (never the system's sites or
# port 80): the install test (tests/install/run.sh) and the served benchmark
# (scripts/bench/served) use it. Needs the packages apache2 and libapache2-mod-php8.2.

# pet_apache_write_conf CONF WORKDIR PORT=DOCROOT...: writes an Apache configuration to CONF
# (pid file, lock and logs in WORKDIR; prefork MPM with mod_php, whose PHP reads the apache2
# SAPI's php.ini and conf.d; run as www-data) with one virtual host per PORT=DOCROOT on
# 127.0.0.1, each honouring the site's .htaccess (WordPress's rewrite rules).
pet_apache_write_conf() {
    local conf="$1" work="$2" m=/usr/lib/apache2/modules site port root
    shift 2
    cat >"$conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile ${work}/apache2.pid
Mutex file:${work} default
User www-data
Group www-data
ErrorLog ${work}/apache-error.log
LogLevel warn
LoadModule mpm_prefork_module ${m}/mod_mpm_prefork.so
LoadModule authz_core_module ${m}/mod_authz_core.so
LoadModule authz_host_module ${m}/mod_authz_host.so
LoadModule dir_module ${m}/mod_dir.so
LoadModule mime_module ${m}/mod_mime.so
LoadModule rewrite_module ${m}/mod_rewrite.so
LoadModule php_module ${m}/libphp8.2.so
StartServers 2
MinSpareServers 2
MaxSpareServers 4
MaxRequestWorkers 8
TypesConfig /etc/mime.types
DirectoryIndex index.php index.html
LogFormat "%h %t \"%r\" %>s %b %D" pet
<FilesMatch "\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<FilesMatch "^(\.ht|debug\.log|server\.log|wp-salts\.php)">
    Require all denied
</FilesMatch>
CONF
    for site in "$@"; do
        port="${site%%=*}"
        root="${site#*=}"
        cat >>"$conf" <<CONF
Listen 127.0.0.1:${port}
<VirtualHost 127.0.0.1:${port}>
    DocumentRoot ${root}
    CustomLog ${work}/access-${port}.log pet
    <Directory ${root}>
        AllowOverride All
        Require all granted
    </Directory>
</VirtualHost>
CONF
    done
}

# pet_apache_htaccess DIR: WordPress's own .htaccess (pretty permalinks) in a site's folder.
pet_apache_htaccess() {
    cat >"$1/.htaccess" <<'HT'
# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteBase /
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
</IfModule>
# END WordPress
HT
}

# pet_apache_start CONF WORKDIR PORT...: starts Apache with CONF (extra environment, e.g.
# PHP_INI_SCAN_DIR, is passed on to mod_php) and waits for every PORT.
pet_apache_start() {
    local conf="$1" work="$2" port
    shift 2
    for port in "$@"; do
        if pet_port_in_use 127.0.0.1 "$port"; then
            pet_warn "port ${port} is already in use"
            return 1
        fi
    done
    apache2 -f "$conf" -k start || { tail -n 20 "${work}/apache-error.log" >&2 || true; return 1; }
    for port in "$@"; do
        pet_wait_port 127.0.0.1 "$port" 30 || { tail -n 20 "${work}/apache-error.log" >&2 || true; return 1; }
    done
}

# pet_apache_stop CONF WORKDIR [PORT...]: stops the Apache started with CONF (and only that
# one), then waits until its PORTs no longer answer (its children close them after the parent).
pet_apache_stop() {
    local conf="$1" pidf="$2/apache2.pid" i port
    shift 2
    if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
        apache2 -f "$conf" -k stop >/dev/null 2>&1 || kill -TERM "$(cat "$pidf")" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$pidf"
    for port in "$@"; do
        for ((i = 0; i < 100; i++)); do
            pet_port_in_use 127.0.0.1 "$port" || break
            sleep 0.1
        done
    done
}
