<?php
// Rotating the privacy key (README, "Rotating the privacy key"): with the new secret in
// PET_PRIVACY_KEY and the old one in PET_PRIVACY_KEY_PREVIOUS, the plugin passes both to the
// engine, and Plugin::rotate_privacy_key() (what `wp pet rotate-privacy-key` runs) re-wraps
// every data key until done; then the new secret alone opens everything. Runs on tables of
// its own prefix (the site's own keys are left alone) and drops them at the end.

use PetWp\Plugin;

$old = 'the old secret of this site, thirty-two characters at least';
$new = 'the new secret of this site, thirty-two characters at least too';
define('PET_PRIVACY_KEY', $new);
define('PET_PRIVACY_KEY_PREVIOUS', $old);
$prefix = 'wprot' . bin2hex(random_bytes(3)) . '_';
$settings = array_merge(Plugin::engine_settings(), ['prefix' => $prefix]);
check('rotation: the plugin passes PET_PRIVACY_KEY and PET_PRIVACY_KEY_PREVIOUS to the engine', $new === ($settings['privacy_key'] ?? null) && $old === ($settings['previous_privacy_key'] ?? null));

$with = static function (?string $current, ?string $previous) use ($settings): array {
    $s = $settings;
    unset($s['privacy_key'], $s['previous_privacy_key']);
    if (null !== $current) {
        $s['privacy_key'] = $current;
    }
    if (null !== $previous) {
        $s['previous_privacy_key'] = $previous;
    }
    return $s;
};
try {
    // Before the rotation: people recorded under the old key.
    $before = new \Pet\Engine($with($old, null));
    $before->migrate([]);
    $identity = new \Pet\Identity($with($old, null));
    $system = ['actor_id' => null];
    $ana = $identity->createEmployee(['name' => 'Ana Rotation', 'email' => 'ana.rotation@example.com'], $system);
    $identity->createEmployee(['name' => 'Bo Rotation', 'email' => 'bo.rotation@example.com'], ['actor_id' => (string) $ana['id']]);
    $history = static fn (array $s): string => (string) (new \Pet\Engine($s))->entityHistory(['context_type' => 'employee', 'context_id' => (string) $ana['id']])['items'][0]['payload']['name'];

    $refused = null;
    try {
        $history($with($new, null));
    } catch (\Pet\Exception $e) {
        $refused = $e->getMessage();
    }
    check('rotation: the new key alone does not open the old keys yet', null !== $refused && str_contains($refused, 'privacy_key'), (string) $refused);
    check('rotation: both keys open them while it runs', 'Ana Rotation' === $history($settings));

    $passes = [];
    $total = Plugin::rotate_privacy_key(new \Pet\Engine($settings), static function (array $r) use (&$passes): void {
        $passes[] = $r;
    });
    check('rotation: every data key is re-wrapped and it says done', true === $total['done'] && 2 === $total['rewrapped'] && 0 === $total['remaining'] && [] !== $passes, wp_json_encode([$total, $passes]));
    check('rotation: the new key alone opens everything afterwards', 'Ana Rotation' === $history($with($new, null)));
    $refused = null;
    try {
        $history($with($old, null));
    } catch (\Pet\Exception $e) {
        $refused = $e->getMessage();
    }
    check('rotation: the old key alone opens nothing afterwards', null !== $refused);
    $none = null;
    try {
        (new \Pet\Engine($with(null, null)))->rotatePrivacyKey([]);
    } catch (\Pet\ValidationException $e) {
        $none = $e->getFieldErrors();
    }
    check('rotation: without a new key it is a field error', is_array($none) && isset($none['privacy_key']), wp_json_encode($none));
} finally {
    global $wpdb;
    foreach ($wpdb->get_col($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($prefix) . '%')) as $table) {
        // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- a table name from SHOW TABLES
        $wpdb->query("DROP TABLE IF EXISTS `$table`");
    }
}
