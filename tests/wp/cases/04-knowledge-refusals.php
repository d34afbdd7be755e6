<?php
// Knowledgebase: capability and nonce refusals on its admin actions and REST routes, each with
// a positive control; a failed form keeps its input and field errors for the page; REST keeps
// the body's line breaks and maps engine refusals to HTTP statuses.
$plugin = \PetWp\Plugin::instance();
$kb = new \Pet\Knowledge(\PetWp\Plugin::engine_settings());
$count = static fn (): int => (int) $kb->listArticles([])['total'];
$tag = bin2hex(random_bytes(3));


// A staff user (pet_work only) of this case's own, linked to an employee so it can comment
// (the shared pet_test_pet_staff user of other cases stays without an employee).
$kb_staff = get_user_by('login', 'pet_test_kb_staff');
$staff = $kb_staff ? $kb_staff->ID : wp_insert_user([
    'user_login' => 'pet_test_kb_staff',
    'user_pass' => wp_generate_password(20),
    'user_email' => 'pet_test_kb_staff@example.invalid',
    'role' => 'pet_staff',
]);
if (is_wp_error($staff)) {
    throw new RuntimeException($staff->get_error_message());
}
$login_kb_staff = static fn () => wp_set_current_user((int) $staff);
login_admin();
if (null === $plugin->identity()->findEmployeeByUser($staff)) {
    $plugin->identity()->createEmployee(['name' => 'Staff Reader', 'email' => "staff-$tag@example.invalid", 'wp_user_id' => $staff], $plugin->context());
}
$plugin->forget_employee_cache();

$article = [
    'category' => 'Refusals',
    'slug' => "refusal-$tag",
    'title' => 'Refusal article',
    'body' => "First line of the body\r\n\r\nSecond paragraph with wombatword$tag: see https://example.com/a%20b and <code>a < b && c</code>",
    'publish' => '1',
];

// ---- admin actions -------------------------------------------------------------------------

login_as_role('subscriber');
$before = $count();
$out = run_admin_post('kb_create_article', $article, wp_create_nonce('pet_kb_create_article'));
check('subscriber: kb_create_article refused with 403', 'die:403' === $out, $out);

login_as_role('pet_staff');
$out = run_admin_post('kb_create_article', $article, wp_create_nonce('pet_kb_create_article'));
check('staff: kb_create_article refused with 403', 'die:403' === $out, $out);
check('refused creations wrote nothing', $before === $count());

login_admin();
$out = run_admin_post('kb_create_article', $article, 'not-a-nonce');
check('admin with a bad nonce: kb_create_article refused', 'die:403' === $out, $out);
$out = run_admin_post('kb_create_article', $article, null);
check('admin without a nonce: kb_create_article refused', str_starts_with($out, 'die:'), $out);
check('refused actions wrote nothing', $before === $count());
$out = run_admin_post('kb_create_article', $article, wp_create_nonce('pet_kb_create_article'));
check('admin with a valid nonce: article created', str_starts_with($out, 'redirect:') && $before + 1 === $count(), $out);
$id = (string) $kb->listArticles(['search' => 'Refusal article', 'category' => 'Refusals'])['items'][0]['id'];
$a = $kb->getArticle($id);
check('the form\'s body keeps its line breaks ("\n"), URLs with %XX and code verbatim', str_replace("\r\n", "\n", $article['body']) === $a['body'], wp_json_encode($a['body']));
check('"publish" ticked publishes version 1', 'published' === $a['status'] && 1 === $a['current_version']);

// A failed form keeps what was typed and the field errors for the page to show.
$uid = get_current_user_id();
delete_transient('pet_kb_form_' . $uid);
$dup = ['title' => 'Typed title', 'body' => "Typed\nbody"] + $article;
$out = run_admin_post('kb_create_article', $dup, wp_create_nonce('pet_kb_create_article'));
$state = get_transient('pet_kb_form_' . $uid);
check('a duplicate slug redirects back', str_starts_with($out, 'redirect:'), $out);
check('the failed form keeps the slug error', is_array($state) && isset($state['fields']['slug']), wp_json_encode($state));
check('the failed form keeps the typed input', is_array($state) && 'Typed title' === $state['values']['title'] && "Typed\nbody" === $state['values']['body'], wp_json_encode($state));
check('the failed create wrote nothing', $before + 1 === $count());
delete_transient('pet_kb_form_' . $uid);

// Publishing, restoring, archiving and hiding need pet_manage; commenting needs pet_work.
$login_kb_staff();
foreach ([
    'kb_publish_article' => ['id' => $id, 'title' => 'Staff edit', 'body' => 'Staff body'],
    'kb_restore_version' => ['id' => $id, 'number' => '1'],
    'kb_archive_article' => ['id' => $id],
    'kb_hide_comment' => ['id' => $id, 'comment_id' => '00000000-0000-0000-0000-000000000000', 'reason' => 'x'],
] as $action => $post) {
    $out = run_admin_post($action, $post, wp_create_nonce('pet_' . $action));
    check("staff: $action refused with 403", 'die:403' === $out, $out);
}
check('staff refusals changed nothing', 1 === $kb->getArticle($id)['current_version'] && 'published' === $kb->getArticle($id)['status']);
$out = run_admin_post('kb_add_comment', ['id' => $id, 'body' => "Staff comment $tag"], 'not-a-nonce');
check('staff with a bad nonce: kb_add_comment refused', 'die:403' === $out, $out);
$out = run_admin_post('kb_add_comment', ['id' => $id, 'body' => "Staff comment $tag"], wp_create_nonce('pet_kb_add_comment'));
$comments = $kb->getArticle($id)['comments'];
check('staff can comment', str_starts_with($out, 'redirect:') && 1 === count($comments) && "Staff comment $tag" === $comments[0]['body'], $out . ' ' . wp_json_encode($comments));

login_admin();
$out = run_admin_post('kb_publish_article', ['id' => $id, 'title' => 'Refusal article', 'body' => 'Version two'], wp_create_nonce('pet_kb_publish_article'));
check('admin publishes version 2', str_starts_with($out, 'redirect:') && 2 === $kb->getArticle($id)['current_version'], $out);

// ---- REST ------------------------------------------------------------------------------------

$login_kb_staff();
check('REST GET /articles as staff: 200', 200 === rest_call('GET', '/pet/v1/articles')->get_status());
$r = rest_call('GET', "/pet/v1/articles/$id");
check('REST GET /articles/<id> as staff: 200 with versions', 200 === $r->get_status() && 2 === count($r->get_data()['versions']), (string) $r->get_status());
check('REST GET /articles/categories as staff: 200', 200 === rest_call('GET', '/pet/v1/articles/categories')->get_status());
$r = rest_call('POST', '/pet/v1/articles', ['category' => 'Refusals', 'slug' => "staff-$tag", 'title' => 'Staff', 'body' => 'x']);
check('REST POST /articles as staff: 403', 403 === $r->get_status(), (string) $r->get_status());
check('REST POST /articles/<id>/versions as staff: 403', 403 === rest_call('POST', "/pet/v1/articles/$id/versions", ['title' => 'x', 'body' => 'y'])->get_status());
check('REST POST /articles/<id>/restore as staff: 403', 403 === rest_call('POST', "/pet/v1/articles/$id/restore", ['number' => 1])->get_status());
check('REST POST /articles/<id>/archive as staff: 403', 403 === rest_call('POST', "/pet/v1/articles/$id/archive")->get_status());
$r = rest_call('POST', "/pet/v1/articles/$id/comments", ['body' => "REST comment $tag"]);
check('REST POST /articles/<id>/comments as staff: 201', 201 === $r->get_status(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$cid = (string) end($r->get_data()['comments'])['id'];
check('REST hide a comment as staff: 403', 403 === rest_call('POST', "/pet/v1/articles/$id/comments/$cid/hide", ['reason' => 'no'])->get_status());
wp_set_current_user(0);
check('REST GET /articles logged out: 401', 401 === rest_call('GET', '/pet/v1/articles')->get_status());

login_admin();
$r = rest_call('POST', "/pet/v1/articles/$id/comments/$cid/hide", ['reason' => 'off topic']);
$hidden = array_values(array_filter($r->get_data()['comments'] ?? [], static fn ($c) => $c['id'] === $cid));
check('REST hide a comment as admin: 200, hidden with the reason', 200 === $r->get_status() && [] !== $hidden && true === $hidden[0]['hidden'] && 'off topic' === $hidden[0]['hidden_reason'], wp_json_encode($r->get_data()));
$r = rest_call('POST', '/pet/v1/articles', ['category' => 'Refusals', 'slug' => "rest-$tag", 'title' => 'REST article', 'body' => "Line one\n\nLine two", 'publish' => true]);
check('REST POST /articles as admin: 201, published, line breaks kept', 201 === $r->get_status() && 'published' === $r->get_data()['status'] && "Line one\n\nLine two" === $r->get_data()['body'], $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$other = (string) $r->get_data()['id'];
$r = rest_call('POST', "/pet/v1/articles/$id/restore", ['number' => 1, 'article_id' => $other]);
check('REST restore a version of another article: 422', 422 === $r->get_status(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/articles/$id/restore", ['number' => '1']);
check('REST restore version 1 as admin: 201, version 3', 201 === $r->get_status() && 3 === $r->get_data()['current_version'] && 1 === $r->get_data()['versions'][0]['restored_from'], $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/articles/search', [], ['q' => "wombatword$tag"]);
check('REST search finds the restored body word', 200 === $r->get_status() && $id === ($r->get_data()['items'][0]['id'] ?? null), wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/articles/search');
check('REST search without words: 400 with a field error on q', 400 === $r->get_status() && isset(((array) $r->get_data()['data']['field_errors'])['q']), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/articles/$other/archive");
check('REST archive as admin: 200, archived', 200 === $r->get_status() && 'archived' === $r->get_data()['status'], (string) $r->get_status());
$r = rest_call('POST', "/pet/v1/articles/$other/comments", ['body' => 'too late']);
check('REST comment on an archived article: 422', 422 === $r->get_status(), (string) $r->get_status());

// ---- the article page as staff and as a moderator; escaping ---------------------------------

require_once WP_PLUGIN_DIR . '/pet/includes/modules/knowledge/class-knowledge-admin.php';
$render = static function (array $get): string {
    $_GET = $get;
    $_POST = [];
    $_REQUEST = $get;
    ob_start();
    (new \PetWp\Modules\Knowledge\Knowledge_Admin(\PetWp\Plugin::instance()))->page_article();
    return (string) ob_get_clean();
};
// Written through the extension directly (no form sanitizing): the page must escape it.
$evil = $kb->createArticle(['category' => 'Refusals <b>cat</b>', 'slug' => "evil-$tag", 'title' => 'Evil <script>alert(1)</script>', 'body' => "<img src=x onerror=alert(2)>\n\nsecond & last", 'publish' => true], $plugin->context());
$kb->commentOnArticle($evil['id'], ['body' => '<script>alert(3)</script> visible'], $plugin->context());
$c2 = $kb->commentOnArticle($evil['id'], ['body' => "hidden-comment-$tag"], $plugin->context());
$kb->hideArticleComment($evil['id'], (string) end($c2['comments'])['id'], ['reason' => 'spam <i>x</i>'], $plugin->context());
$html = $render(['page' => 'pet-kb-article', 'id' => $evil['id']]);
check('moderator page: no raw markup from the title, body, category or comments', !preg_match('/<script>alert|<img src=x|<b>cat|<i>x/', $html), substr($html, 0, 300));
check('moderator page: the text is shown escaped', str_contains($html, '&lt;img src=x onerror=alert(2)&gt;') && str_contains($html, 'Evil &lt;script&gt;') && str_contains($html, 'second &amp; last'));
check('moderator page: editor, hide form, hidden comment with who and why', str_contains($html, 'id="pet-kb-publish"') && str_contains($html, 'pet-kb-comment-hidden') && str_contains($html, "hidden-comment-$tag") && str_contains($html, 'Hidden by') && str_contains($html, 'spam &lt;i&gt;x&lt;/i&gt;') && str_contains($html, 'class="pet-kb-hide"'));
$login_kb_staff();
$html = $render(['page' => 'pet-kb-article', 'id' => $evil['id']]);
check('staff page: the body and visible comments, a comment form', str_contains($html, 'id="pet-kb-body"') && str_contains($html, '&lt;script&gt;alert(3)&lt;/script&gt; visible') && str_contains($html, 'id="pet-kb-comment"'));
check('staff page: no editor, restore, archive or hide forms', !str_contains($html, 'id="pet-kb-publish"') && !str_contains($html, 'pet-kb-restore-') && !str_contains($html, 'id="pet-kb-archive"') && !str_contains($html, 'class="pet-kb-hide"'));
check('staff page: hidden comments are not shown', !str_contains($html, "hidden-comment-$tag") && !str_contains($html, 'Hidden by'));
$html = $render(['page' => 'pet-kb-article']);
check('staff page without an id: no new-article form', !str_contains($html, 'id="pet-kb-create"'));
login_admin();
$html = $render(['page' => 'pet-kb-article', 'id' => '00000000-0000-0000-0000-000000000000']);
check('an unknown article shows an error notice, not a fatal', str_contains($html, 'notice-error'));
