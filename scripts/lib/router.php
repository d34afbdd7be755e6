<?php
/**
 * Router for PHP's built-in web server (php -S … -t WP_DIR router.php) serving the local
 * WordPress of scripts/run and scripts/test. The built-in server has no rewrite rules; this
 * does what Apache's WordPress .htaccess (plus mod_dir) does:
 *
 *   RewriteRule ^index\.php$ - [L]
 *   RewriteCond %{REQUEST_FILENAME} !-f
 *   RewriteCond %{REQUEST_FILENAME} !-d
 *   RewriteRule . /index.php [L]
 *
 * - an existing file (static asset or PHP script, also with a path after it such as
 *   /index.php/foo) or directory is served by the built-in server itself (return false);
 *   a directory asked for without its trailing slash is redirected to it first (301), as
 *   Apache does, so wp-admin's relative links work;
 * - everything else (pretty permalinks, /wp-json/…) runs WordPress's index.php with the
 *   server variables Apache would give it: SCRIPT_NAME and PHP_SELF /index.php, no PATH_INFO,
 *   REQUEST_URI as requested, so WordPress parses the request path against its rewrite rules;
 * - the site's own files that are not web content are refused (404): dot files, *.log
 *   (debug.log, server.log live in the WordPress folder), wp-salts.php.
 *
 * It must stay at file scope (no function around the require): WordPress expects its files
 * to be loaded in the global scope.
 */

declare(strict_types=1);

$pet_root = rtrim((string) $_SERVER['DOCUMENT_ROOT'], '/');
$pet_path = rawurldecode((string) parse_url((string) $_SERVER['REQUEST_URI'], PHP_URL_PATH));

// Not web content: dot files and folders, logs, the generated salts.
if (preg_match('~(^|/)\.|\.log$|^/wp-salts\.php$~i', $pet_path) || str_contains($pet_path, "\0")) {
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
    echo "Not Found\n";
    return true;
}

// Existing files and directories: the built-in server serves them (PHP scripts run, static
// files are sent with their MIME type, a directory runs its index.php).
$pet_file = $pet_root . $pet_path;
if ('/' !== $pet_path && is_dir($pet_file) && !str_ends_with($pet_path, '/')) {
    $pet_query = (string) parse_url((string) $_SERVER['REQUEST_URI'], PHP_URL_QUERY);
    header('Location: ' . $pet_path . '/' . ('' === $pet_query ? '' : '?' . $pet_query), true, 301);
    return true;
}
if (file_exists($pet_file)) {
    return false;
}
// A PHP script followed by a path (/wp-admin/admin-ajax.php/x): the server sets PATH_INFO.
if (preg_match('~^(.+?\.php)/~i', $pet_path, $pet_m) && is_file($pet_root . $pet_m[1])) {
    return false;
}

// Everything else is WordPress's front controller.
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $pet_root . '/index.php';
unset($_SERVER['PATH_INFO'], $_SERVER['ORIG_PATH_INFO'], $_SERVER['PATH_TRANSLATED']);
chdir($pet_root);
unset($pet_m, $pet_file, $pet_path, $pet_root, $pet_query);
require $_SERVER['SCRIPT_FILENAME'];
return true;
