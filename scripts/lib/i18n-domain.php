<?php
/**
 * Checks every WordPress translation call in a folder's PHP files (scripts/pot runs it): the
 * text domain argument must be the literal 'pet' and the text a literal string (xgettext
 * cannot extract a variable, so such a text would never be translated). Prints each offence
 * as file:line and exits 1 when there is one.
 *
 * Usage: php i18n-domain.php DIR
 */

declare(strict_types=1);

$dir = $argv[1] ?? '';
if ('' === $dir || !is_dir($dir)) {
    fwrite(STDERR, "usage: i18n-domain.php DIR\n");
    exit(2);
}

// Function => [position of the domain argument, positions of literal text arguments] (0-based).
const PET_I18N_CALLS = [
    '__' => [1, [0]], '_e' => [1, [0]], 'esc_html__' => [1, [0]], 'esc_html_e' => [1, [0]],
    'esc_attr__' => [1, [0]], 'esc_attr_e' => [1, [0]],
    '_x' => [2, [0, 1]], '_ex' => [2, [0, 1]], 'esc_html_x' => [2, [0, 1]], 'esc_attr_x' => [2, [0, 1]],
    '_n' => [3, [0, 1]], '_nx' => [4, [0, 1, 3]], '_n_noop' => [2, [0, 1]], '_nx_noop' => [3, [0, 1, 2]],
];

/**
 * The arguments of the call whose "(" is at $tokens[$open], each as its significant tokens.
 *
 * @param list<mixed> $tokens
 * @return list<list<mixed>>
 */
function pet_call_args(array $tokens, int $open): array
{
    $args = [[]];
    $depth = 0;
    for ($i = $open, $n = count($tokens); $i < $n; $i++) {
        $t = $tokens[$i];
        $text = is_array($t) ? $t[1] : $t;
        if (in_array($text, ['(', '[', '{'], true) || (is_array($t) && in_array($t[0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true))) {
            $depth++;
            if (1 === $depth) {
                continue;
            }
        } elseif (in_array($text, [')', ']', '}'], true)) {
            $depth--;
            if (0 === $depth) {
                break;
            }
        } elseif (',' === $text && 1 === $depth) {
            $args[] = [];
            continue;
        }
        if (is_array($t) && in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
            continue;
        }
        $args[count($args) - 1][] = $t;
    }
    return $args;
}

/** True when the argument is one single-quoted or plain double-quoted string literal. */
function pet_is_literal(array $arg): bool
{
    return 1 === count($arg) && is_array($arg[0]) && T_CONSTANT_ENCAPSED_STRING === $arg[0][0];
}

$problems = [];
$calls = 0;
$it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
$files = [];
foreach ($it as $file) {
    if ($file->isFile() && str_ends_with($file->getFilename(), '.php')) {
        $files[] = $file->getPathname();
    }
}
sort($files);
foreach ($files as $path) {
    $tokens = token_get_all((string) file_get_contents($path));
    foreach ($tokens as $i => $t) {
        if (!is_array($t) || T_STRING !== $t[0] || !isset(PET_I18N_CALLS[$t[1]])) {
            continue;
        }
        // Skip methods, definitions and other namespaces' functions: only plain calls count.
        $prev = $i - 1;
        while ($prev >= 0 && is_array($tokens[$prev]) && T_WHITESPACE === $tokens[$prev][0]) {
            $prev--;
        }
        $before = $prev >= 0 ? $tokens[$prev] : null;
        if (is_array($before) && in_array($before[0], [T_OBJECT_OPERATOR, T_NULLSAFE_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW], true)) {
            continue;
        }
        $next = $i + 1;
        while (isset($tokens[$next]) && is_array($tokens[$next]) && T_WHITESPACE === $tokens[$next][0]) {
            $next++;
        }
        if (($tokens[$next] ?? null) !== '(') {
            continue;
        }
        $calls++;
        [$domainAt, $literalAt] = PET_I18N_CALLS[$t[1]];
        $args = pet_call_args($tokens, $next);
        $where = substr($path, strlen(rtrim($dir, '/')) + 1) . ':' . $t[2];
        $domain = $args[$domainAt] ?? [];
        if (!pet_is_literal($domain) || !in_array($domain[0][1], ["'pet'", '"pet"'], true)) {
            $problems[] = "{$where}: {$t[1]}() without the text domain 'pet'";
        }
        foreach ($literalAt as $at) {
            if (!pet_is_literal($args[$at] ?? [])) {
                $problems[] = "{$where}: {$t[1]}() argument " . ($at + 1) . ' is not a string literal (xgettext cannot extract it)';
            }
        }
    }
}
foreach ($problems as $p) {
    fwrite(STDERR, $p . "\n");
}
if ([] !== $problems) {
    fwrite(STDERR, count($problems) . " translation call(s) to fix\n");
    exit(1);
}
fwrite(STDOUT, "{$calls} translation calls, all with the text domain 'pet' and literal texts\n");
