<?php
/**
 * Knowledgebase screens and actions (wp-admin): the article list by category with full-text
 * search, and the article page (live version, editor, version history with diff and restore,
 * comments with moderation, linked tickets).
 *
 * Article bodies are plain text, not trusted HTML: the form keeps them verbatim
 * (\PetWp\Input::long_text: code samples and URLs survive) and the page shows them escaped, with blank lines as paragraphs
 * (esc_html, then wpautop). Bodies also arrive through REST and the extension stores text as
 * given, so showing it as text means no stored markup ever runs in a reader's browser,
 * whoever wrote it; it needs no HTML policy, and versions diff line by line.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Knowledge;

use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the Knowledgebase pages and admin-post actions; renders the screens.
 */
final class Knowledge_Admin extends Module_Admin {

	/**
	 * Action => [capability, handler, fields whose errors are shown next to the field and
	 * whose input is kept when the action fails] (see Module_Admin::ACTIONS).
	 */
	protected const ACTIONS = array(
		'kb_create_article'  => array( Plugin::CAP_MANAGE, 'do_create', array( 'category', 'slug', 'title', 'body', 'publish' ) ),
		'kb_publish_article' => array( Plugin::CAP_MANAGE, 'do_publish', array( 'title', 'body' ) ),
		'kb_restore_version' => array( Plugin::CAP_MANAGE, 'do_restore', array( 'number' ) ),
		'kb_archive_article' => array( Plugin::CAP_MANAGE, 'do_archive', array() ),
		'kb_add_comment'     => array( Plugin::CAP_WORK, 'do_comment', array( 'body' ) ),
		'kb_hide_comment'    => array( Plugin::CAP_MANAGE, 'do_hide_comment', array( 'reason' ) ),
	);

	/** Article page slug (reached from the list, search results and tickets). */
	public const ARTICLE_PAGE = 'pet-kb-article';

	protected const HOME_PAGE    = 'pet-kb';
	protected const SCREEN_CLASS = 'pet-kb';
	/** A failed form is kept in the transient pet_kb_form_<user id>. */
	protected const KEPT_FORM = 'pet_kb_form';
	/** Article and comment bodies are kept verbatim (Input::long_text). */
	protected const LONG_TEXTS = array( 'body' );

	/** @var \Pet\Helpdesk|null */
	private $helpdesk = null;

	/** @var array<string,string> employee names by id (request cache) */
	private $names = array();

	/**
	 * Hooks the menu and the actions.
	 */
	public function register(): void {
		parent::register();
		// The article page is registered like the others (so WordPress grants access and
		// highlights PET → Knowledgebase) but has no menu entry of its own.
		add_action( 'admin_head', array( $this, 'hide_article_menu_entry' ) );
		add_filter( 'submenu_file', array( $this, 'submenu_file' ) );
	}

	/**
	 * The Knowledgebase pages under the PET menu.
	 */
	public function menu(): void {
		$this->add_pages(
			array(
				'pet-kb'           => array( __( 'Knowledgebase', 'pet' ), Plugin::CAP_WORK, 'page_list' ),
				self::ARTICLE_PAGE => array( __( 'Knowledge article', 'pet' ), Plugin::CAP_WORK, 'page_article' ),
			)
		);
	}

	/**
	 * Loads the list tables (core and Knowledgebase).
	 */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-knowledge-tables.php';
	}

	/**
	 * The name a failed action's form is kept under: the article and, when hiding one, the
	 * comment.
	 *
	 * @param string $action Action name.
	 */
	protected function failed_form_name( string $action ): string {
		return self::form_name( $action, Input::text( 'id' ), Input::text( 'comment_id' ) );
	}

	/**
	 * Removes the article page's menu entry once access has been checked (admin_head runs
	 * before the menu is printed).
	 */
	public function hide_article_menu_entry(): void {
		remove_submenu_page( 'pet-employees', self::ARTICLE_PAGE );
	}

	/**
	 * On the article page, highlights "Knowledgebase" in the menu.
	 *
	 * @param string|null $submenu_file Current submenu file.
	 * @return string|null
	 */
	public function submenu_file( $submenu_file ) {
		global $plugin_page;
		return self::ARTICLE_PAGE === $plugin_page ? 'pet-kb' : $submenu_file;
	}

	/** The helpdesk API (shares the engine's pool). */
	private function hd(): \Pet\Helpdesk {
		if ( null === $this->helpdesk ) {
			$this->helpdesk = new \Pet\Helpdesk( Plugin::engine_settings() );
		}
		return $this->helpdesk;
	}

	// ---- actions ----------------------------------------------------------------------------

	/** Creates an article (a draft, or published as version 1 when ticked). */
	protected function do_create(): array {
		$a = $this->hd()->createArticle(
			array(
				'category' => Input::text( 'category' ),
				'slug'     => Input::text( 'slug' ),
				'title'    => Input::text( 'title' ),
				'body'     => Input::long_text( 'body' ),
				'publish'  => '1' === Input::text( 'publish' ),
			),
			$this->ctx()
		);
		$msg = 'published' === $a['status'] ? __( 'Article published as version 1.', 'pet' ) : __( 'Article saved as a draft. Publish it when it is ready.', 'pet' );
		return array( $msg, self::article_url( (string) $a['id'] ) );
	}

	/** Publishes the editor's content as the next version. */
	protected function do_publish(): array {
		$a = $this->hd()->publishArticle(
			Input::text( 'id' ),
			array(
				'title' => Input::text( 'title' ),
				'body'  => Input::long_text( 'body' ),
			),
			$this->ctx()
		);
		/* translators: %d: version number. */
		return array( sprintf( __( 'Version %d published.', 'pet' ), (int) $a['current_version'] ), self::article_url( (string) $a['id'] ) );
	}

	/** Publishes an old version's content again, as a new version. */
	protected function do_restore(): array {
		$number = Input::text( 'number' );
		$a      = $this->hd()->restoreArticleVersion(
			Input::text( 'id' ),
			array(
				// A whole number goes as an integer; anything else as text (the engine says why).
				'number'     => preg_match( '/^\d{1,9}$/', $number ) ? (int) $number : $number,
				'article_id' => Input::text( 'id' ),
			),
			$this->ctx()
		);
		return array(
			/* translators: 1: restored version number, 2: new version number. */
			sprintf( __( 'Version %1$s restored as version %2$d.', 'pet' ), $number, (int) $a['current_version'] ),
			self::article_url( (string) $a['id'] ),
		);
	}

	/** Archives the article (final). */
	protected function do_archive(): array {
		$this->hd()->archiveArticle( Input::text( 'id' ), $this->ctx() );
		return array( __( 'Article archived: it no longer appears in search and takes no changes.', 'pet' ) );
	}

	/** Adds a comment by the current user. */
	protected function do_comment(): array {
		$this->hd()->commentOnArticle( Input::text( 'id' ), array( 'body' => Input::long_text( 'body' ) ), $this->ctx() );
		return array( __( 'Comment added.', 'pet' ) );
	}

	/** Hides a comment (moderation). */
	protected function do_hide_comment(): array {
		$this->hd()->hideArticleComment( Input::text( 'id' ), Input::text( 'comment_id' ), array( 'reason' => Input::text( 'reason' ) ), $this->ctx() );
		return array( __( 'Comment hidden. It stays stored and moderators still see it.', 'pet' ) );
	}

	// ---- failed forms: input kept, errors next to the fields ---------------------------------

	/**
	 * The name a form is remembered by.
	 *
	 * @param string $action     Action.
	 * @param string $article_id Article id ('' for a new article).
	 * @param string $comment_id Comment id ('' unless hiding one).
	 */
	private static function form_name( string $action, string $article_id, string $comment_id = '' ): string {
		return $action . ':' . $article_id . ( '' !== $comment_id ? ':' . $comment_id : '' );
	}

	// ---- form helpers ------------------------------------------------------------------------

	/**
	 * URL of an article's page.
	 *
	 * @param string               $id   Article id.
	 * @param array<string,string> $args More query arguments.
	 */
	public static function article_url( string $id, array $args = array() ): string {
		return Table::page_url( self::ARTICLE_PAGE, array( 'id' => $id ) + $args );
	}

	/**
	 * Plain text shown as paragraphs: escaped first, then blank lines become paragraphs and
	 * single line breaks <br> (wpautop adds only those tags).
	 *
	 * @param string $text Text.
	 */
	private static function paragraphs( string $text ): string {
		return wp_kses_post( wpautop( esc_html( $text ) ) );
	}

	/**
	 * An employee's name (for "hidden by"), or the id when unknown.
	 *
	 * @param string|null $id Employee id.
	 */
	private function employee_name( ?string $id ): string {
		if ( null === $id || '' === $id ) {
			return __( 'a moderator', 'pet' );
		}
		if ( ! isset( $this->names[ $id ] ) ) {
			try {
				$this->names[ $id ] = (string) $this->plugin->engine()->getEmployee( $id )['name'];
			} catch ( \Throwable $e ) {
				$this->names[ $id ] = $id;
			}
		}
		return $this->names[ $id ];
	}

	/** Inline styles of the Knowledgebase screens. */
	protected function screen_styles(): void {
		echo '<style>.pet-status{padding:1px 6px;border-radius:3px;background:#f0f0f1}.pet-status-published{background:#edfaef;color:#1e6b2a}.pet-status-draft{background:#fcf9e8}.pet-status-archived{background:#fcf0f1;color:#8a2424}'
			. '.pet-kb tr.pet-kb-group th{background:#f6f7f7;font-weight:600}.pet-field-error{color:#b32d2e;margin:4px 0 0}.pet-kb [aria-invalid=true]{border-color:#d63638}'
			. '.pet-kb-body{background:#fff;border:1px solid #c3c4c7;padding:4px 16px;max-width:60em}.pet-kb-categories{margin:8px 0}'
			. '.pet-kb-comment{background:#fff;border:1px solid #dcdcde;padding:8px 12px;margin:8px 0;max-width:60em}.pet-kb-comment-hidden{opacity:.6;background:#f6f7f7;border-style:dashed}'
			. '.pet-kb-comment-meta{color:#646970;font-size:12px}.pet-kb-moderation{color:#8a2424;font-size:12px}'
			. '.pet-kb table.diff{width:100%;border-collapse:collapse;background:#fff;table-layout:fixed}.pet-kb table.diff td{padding:2px 8px;vertical-align:top;white-space:pre-wrap;word-wrap:break-word}'
			. '.pet-kb table.diff .diff-deletedline{background:#fcf0f1}.pet-kb table.diff .diff-addedline{background:#edfaef}.pet-kb table.diff del{background:#ffabab;text-decoration:none}.pet-kb table.diff ins{background:#a6f3a6;text-decoration:none}'
			. '.pet-kb table.diff .screen-reader-text{position:absolute;left:-9999px}.pet-kb-live td{font-weight:600}</style>';
	}

	// ---- screens ------------------------------------------------------------------------------

	/**
	 * Knowledgebase: categories, filters, search box; the articles grouped by category, or
	 * the search results when there are search words.
	 */
	public function page_list(): void {
		require_once dirname( __DIR__, 2 ) . '/tables/class-table.php';
		$action = '';
		if ( current_user_can( Plugin::CAP_MANAGE ) ) {
			$action = ' <a href="' . esc_url( Table::page_url( self::ARTICLE_PAGE ) ) . '" class="page-title-action" id="pet-kb-new">' . esc_html__( 'New article', 'pet' ) . '</a>';
		}
		$this->screen(
			__( 'Knowledgebase', 'pet' ),
			function (): void {
				$category = Input::text( 'category' );
				$status   = Input::text( 'status' );
				$q        = Input::text( 'q' );
				$cats     = $this->hd()->listArticleCategories()['items'];
				$total    = 0;
				foreach ( $cats as $c ) {
					$total += (int) $c['articles'];
				}
				// Categories as views.
				echo '<ul class="subsubsub pet-kb-categories" id="pet-kb-categories">';
				$links   = array();
				$links[] = '<li><a href="' . esc_url( Table::page_url( 'pet-kb' ) ) . '"' . ( '' === $category ? ' class="current"' : '' ) . '>' . esc_html__( 'All', 'pet' ) . ' <span class="count">(' . esc_html( number_format_i18n( $total ) ) . ')</span></a>';
				foreach ( $cats as $c ) {
					$name    = (string) $c['category'];
					$links[] = '<li><a href="' . esc_url( Table::page_url( 'pet-kb', array( 'category' => $name ) ) ) . '"' . ( $name === $category ? ' class="current"' : '' ) . '>' . esc_html( $name ) . ' <span class="count">(' . esc_html( number_format_i18n( (int) $c['articles'] ) ) . ')</span></a>';
				}
				echo implode( ' |</li>', $links ) . '</li></ul><br class="clear">'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- each link escaped above.
				// Filters and the full-text search box (one GET form).
				echo '<form method="get" id="pet-kb-search"><input type="hidden" name="page" value="pet-kb"><p class="search-box" style="float:none;margin:8px 0">';
				$options = array( '' => __( 'All categories', 'pet' ) );
				foreach ( $cats as $c ) {
					$options[ (string) $c['category'] ] = (string) $c['category'];
				}
				echo '<label for="pet-kb-category">' . esc_html__( 'Category', 'pet' ) . '</label> ';
				self::select( 'category', $options, $category, 'pet-kb-category' );
				echo ' <label for="pet-kb-status">' . esc_html__( 'Status', 'pet' ) . '</label> ';
				self::select(
					'status',
					array(
						''          => __( 'All statuses', 'pet' ),
						'draft'     => __( 'Draft', 'pet' ),
						'published' => __( 'Published', 'pet' ),
						'archived'  => __( 'Archived', 'pet' ),
					),
					$status,
					'pet-kb-status'
				);
				echo ' <label for="pet-kb-q">' . esc_html__( 'Search published articles', 'pet' ) . '</label> <input type="search" name="q" id="pet-kb-q" value="' . esc_attr( $q ) . '" placeholder="' . esc_attr__( 'words in the title or text', 'pet' ) . '"> ';
				submit_button( '' === $q ? __( 'Filter / search', 'pet' ) : __( 'Search', 'pet' ), 'secondary', '', false, array( 'id' => 'pet-kb-search-submit' ) );
				if ( '' !== $q || '' !== $category || '' !== $status ) {
					echo ' <a href="' . esc_url( Table::page_url( 'pet-kb' ) ) . '">' . esc_html__( 'Reset', 'pet' ) . '</a>';
				}
				echo '</p></form>';
				if ( '' !== $q ) {
					/* translators: %s: search words. */
					echo '<h2>' . esc_html( sprintf( __( 'Published articles matching “%s”', 'pet' ), $q ) ) . '</h2>';
					echo '<p class="description">' . esc_html__( 'Full-text search over the live version of published articles, best match first. Drafts and archived articles are not searched; the status filter does not apply.', 'pet' ) . '</p>';
					$table = new Search_Table();
					$table->load( $this->hd(), $q, $category );
					echo '<div id="pet-kb-results">';
					$table->display();
					echo '</div>';
					return;
				}
				$table = new Articles_Table();
				$table->load(
					$this->hd(),
					array(
						'category' => $category,
						'status'   => $status,
					)
				);
				echo '<div id="pet-kb-articles">';
				$table->display();
				echo '</div>';
			},
			$action
		);
	}

	/**
	 * One article, or the new-article form when no id is given.
	 */
	public function page_article(): void {
		$id = Input::text( 'id' );
		if ( '' === $id ) {
			$this->screen( __( 'New article', 'pet' ), fn () => $this->new_article_form() );
			return;
		}
		$this->screen( __( 'Knowledge article', 'pet' ), fn () => $this->article_detail( $id ) );
	}

	/** The new-article form (managers). */
	private function new_article_form(): void {
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-kb' ) ) . '">&larr; ' . esc_html__( 'Knowledgebase', 'pet' ) . '</a></p>';
		if ( ! current_user_can( Plugin::CAP_MANAGE ) ) {
			echo '<p>' . esc_html__( 'Only PET managers write articles. Open an article from the Knowledgebase list to read or comment on it.', 'pet' ) . '</p>';
			return;
		}
		$failed = $this->kept_form( self::form_name( 'kb_create_article', '' ) );
		echo '<datalist id="pet-kb-category-list">';
		foreach ( $this->hd()->listArticleCategories()['items'] as $c ) {
			echo '<option value="' . esc_attr( (string) $c['category'] ) . '">';
		}
		echo '</datalist>';
		self::form_open( 'kb_create_article', array(), 'pet-kb-create' );
		echo '<table class="form-table" role="presentation">';
		self::text_row( $failed, 'category', __( 'Category', 'pet' ), Input::text( 'category' ), 'pet-kb-new-category', ' list="pet-kb-category-list" required' );
		self::text_row( $failed, 'title', __( 'Title', 'pet' ), '', 'pet-kb-new-title', ' required' );
		self::text_row( $failed, 'slug', __( 'Slug', 'pet' ), '', 'pet-kb-new-slug', ' required pattern="[a-z0-9]+(-[a-z0-9]+)*" placeholder="' . esc_attr__( 'e.g. reset-your-password', 'pet' ) . '"' );
		self::textarea_row( $failed, 'body', __( 'Text', 'pet' ), '', 'pet-kb-new-body' );
		$publish = null === $failed || '1' === ( $failed['values']['publish'] ?? '' );
		echo '<tr><th scope="row">' . esc_html__( 'Publish', 'pet' ) . '</th><td><label><input type="checkbox" name="publish" value="1" id="pet-kb-new-publish"' . checked( $publish, true, false ) . '> ' . esc_html__( 'Publish now as version 1 (otherwise it stays a draft that search does not find)', 'pet' ) . '</label></td></tr>';
		echo '</table>';
		echo '<p class="description">' . esc_html__( 'The text is plain text, saved as typed and shown as text (never as markup): a blank line starts a new paragraph.', 'pet' ) . '</p>';
		submit_button( __( 'Save article', 'pet' ) );
		echo '</form>';
		// Suggest a slug from the title while the slug is untouched (display help only).
		echo '<script>(function(){var t=document.getElementById("pet-kb-new-title"),s=document.getElementById("pet-kb-new-slug");if(!t||!s)return;var touched=s.value!=="";s.addEventListener("input",function(){touched=true;});'
			. 't.addEventListener("input",function(){if(touched)return;s.value=t.value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g,"").replace(/[^a-z0-9]+/g,"-").replace(/^-+|-+$/g,"").slice(0,100);});})();</script>';
	}

	/**
	 * One article: facts, live body, editor, archive, versions with diff and restore,
	 * comments, linked tickets.
	 *
	 * @param string $id Article id.
	 */
	private function article_detail( string $id ): void {
		$a       = $this->hd()->getArticle( $id );
		$manage  = current_user_can( Plugin::CAP_MANAGE );
		$open    = 'archived' !== $a['status'];
		$current = null === $a['current_version'] ? null : (int) $a['current_version'];
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-kb' ) ) . '">&larr; ' . esc_html__( 'Knowledgebase', 'pet' ) . '</a></p>';
		echo '<h2 id="pet-kb-title">' . esc_html( (string) $a['title'] ) . ' ' . self::badge( (string) $a['status'] ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		echo '<p id="pet-kb-facts">' . esc_html__( 'Category:', 'pet' ) . ' <a href="' . esc_url( Table::page_url( 'pet-kb', array( 'category' => (string) $a['category'] ) ) ) . '">' . esc_html( (string) $a['category'] ) . '</a>';
		echo ' · ' . esc_html__( 'Slug:', 'pet' ) . ' <code>' . esc_html( (string) $a['slug'] ) . '</code>';
		if ( null !== $current ) {
			/* translators: %d: version number. */
			echo ' · <span id="pet-kb-live-version">' . esc_html( sprintf( __( 'Live version: %d', 'pet' ), $current ) ) . '</span>';
		}
		echo ' · ' . esc_html__( 'Updated:', 'pet' ) . ' ' . esc_html( Table::when( $a['updated_at'] ) ) . '</p>';
		if ( 'draft' === $a['status'] ) {
			echo '<div class="notice notice-info inline"><p>' . esc_html__( 'Draft: not published yet. Staff can read it here, but search does not find it until a version is published.', 'pet' ) . '</p></div>';
		} elseif ( 'archived' === $a['status'] ) {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'Archived: this article is retired. Search no longer finds it and it takes no new versions or comments.', 'pet' ) . '</p></div>';
		}
		echo '<div class="pet-kb-body" id="pet-kb-body">' . self::paragraphs( (string) ( $a['body'] ?? '' ) ) . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- paragraphs() escapes.

		if ( $manage && $open ) {
			$this->editor( $a );
		}
		$this->versions( $a, $manage && $open );
		$this->comments( $a, $manage, $open );

		echo '<h3>' . esc_html__( 'Linked tickets', 'pet' ) . '</h3>';
		if ( array() === $a['linked_tickets'] ) {
			echo '<p class="description" id="pet-kb-tickets">' . esc_html__( 'No ticket is linked yet. Link this article from a ticket\'s page when it helped resolve it.', 'pet' ) . '</p>';
		} else {
			echo '<ul id="pet-kb-tickets">';
			foreach ( $a['linked_tickets'] as $t ) {
				$url = add_query_arg(
					array(
						'page' => 'pet-tickets',
						'id'   => (string) $t['ticket_id'],
					),
					admin_url( 'admin.php' )
				);
				$label = null === $t['subject'] ? (string) $t['ticket_id'] : (string) $t['subject'];
				/* translators: %s: date and time. */
				echo '<li><a href="' . esc_url( $url ) . '">' . esc_html( $label ) . '</a> <span class="description">' . esc_html( sprintf( __( 'linked %s', 'pet' ), Table::when( $t['linked_at'] ) ) ) . '</span></li>';
			}
			echo '</ul>';
		}

		if ( $manage && $open ) {
			echo '<h3>' . esc_html__( 'Archive', 'pet' ) . '</h3>';
			self::form_open( 'kb_archive_article', array( 'id' => $id ), 'pet-kb-archive', ' onsubmit="return confirm(\'' . esc_js( __( 'Archive this article? It leaves search and takes no more changes. This cannot be undone.', 'pet' ) ) . '\');"' );
			submit_button( __( 'Archive article', 'pet' ), 'delete', 'submit', false );
			echo '</form>';
		}
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'knowledge_article', 'context_id' => $id ) ) ) . '" id="pet-kb-activity">' . esc_html__( 'Activity of this article', 'pet' ) . '</a></p>';
	}

	/**
	 * The editor: publishes its content as the next version.
	 *
	 * @param array $a Article.
	 */
	private function editor( array $a ): void {
		$id     = (string) $a['id'];
		$next   = null === $a['current_version'] ? 1 : (int) $a['current_version'] + 1;
		$failed = $this->kept_form( self::form_name( 'kb_publish_article', $id ) );
		echo '<h3>' . esc_html( 1 === $next ? __( 'Edit and publish', 'pet' ) : __( 'Edit', 'pet' ) ) . '</h3>';
		echo '<p class="description">' . esc_html__( 'Publishing makes a new, immutable version; earlier versions stay in the history below and can be restored.', 'pet' ) . '</p>';
		self::form_open( 'kb_publish_article', array( 'id' => $id ), 'pet-kb-publish' );
		echo '<table class="form-table" role="presentation">';
		self::text_row( $failed, 'title', __( 'Title', 'pet' ), (string) $a['title'], 'pet-kb-edit-title', ' required' );
		self::textarea_row( $failed, 'body', __( 'Text', 'pet' ), (string) ( $a['body'] ?? '' ), 'pet-kb-edit-body' );
		echo '</table>';
		/* translators: %d: version number. */
		submit_button( sprintf( __( 'Publish as version %d', 'pet' ), $next ) );
		echo '</form>';
	}

	/**
	 * Version history (newest first) with compare radios, restore buttons and the diff.
	 *
	 * @param array $a          Article.
	 * @param bool  $can_change Whether the user may restore.
	 */
	private function versions( array $a, bool $can_change ): void {
		$id       = (string) $a['id'];
		$versions = $a['versions'];
		echo '<h3>' . esc_html__( 'Version history', 'pet' ) . '</h3>';
		if ( array() === $versions ) {
			echo '<p class="description" id="pet-kb-versions">' . esc_html__( 'No version is published yet.', 'pet' ) . '</p>';
			return;
		}
		$by_number = array();
		foreach ( $versions as $v ) {
			$by_number[ (int) $v['number'] ] = $v;
		}
		$int  = static fn ( string $k ): ?int => preg_match( '/^\d{1,9}$/', Input::text( $k ) ) ? (int) Input::text( $k ) : null;
		$from = $int( 'from' );
		$to   = $int( 'to' );
		// Default comparison: the live version against the one before it.
		$sel_to   = $to ?? (int) $versions[0]['number'];
		$sel_from = $from ?? ( isset( $versions[1] ) ? (int) $versions[1]['number'] : $sel_to );
		$failed   = $this->kept_form( self::form_name( 'kb_restore_version', $id ) );
		if ( null !== $failed && isset( $failed['fields']['number'] ) ) {
			echo '<p class="pet-field-error" id="pet-kb-restore-error">' . esc_html( (string) $failed['fields']['number'] ) . '</p>';
		}
		// The compare form is outside the table; the radios join it with form="…".
		echo '<form method="get" id="pet-kb-compare"><input type="hidden" name="page" value="' . esc_attr( self::ARTICLE_PAGE ) . '"><input type="hidden" name="id" value="' . esc_attr( $id ) . '"></form>';
		echo '<table class="widefat striped" id="pet-kb-versions" style="max-width:70em"><thead><tr><th>' . esc_html__( 'From', 'pet' ) . '</th><th>' . esc_html__( 'To', 'pet' ) . '</th><th>' . esc_html__( 'Version', 'pet' ) . '</th><th>' . esc_html__( 'Title', 'pet' ) . '</th><th>' . esc_html__( 'Published', 'pet' ) . '</th><th>' . esc_html__( 'Note', 'pet' ) . '</th><th></th></tr></thead><tbody>';
		foreach ( $versions as $v ) {
			$n = (int) $v['number'];
			echo '<tr id="' . esc_attr( 'pet-kb-version-' . $n ) . '"' . ( $v['live'] ? ' class="pet-kb-live"' : '' ) . '>';
			echo '<td><input type="radio" form="pet-kb-compare" name="from" value="' . esc_attr( (string) $n ) . '"' . checked( $sel_from, $n, false ) . ' aria-label="' . esc_attr( sprintf( /* translators: %d: version number. */ __( 'Compare from version %d', 'pet' ), $n ) ) . '"></td>';
			echo '<td><input type="radio" form="pet-kb-compare" name="to" value="' . esc_attr( (string) $n ) . '"' . checked( $sel_to, $n, false ) . ' aria-label="' . esc_attr( sprintf( /* translators: %d: version number. */ __( 'Compare to version %d', 'pet' ), $n ) ) . '"></td>';
			echo '<td>' . esc_html( (string) $n ) . '</td><td>' . esc_html( (string) $v['title'] ) . '</td><td>' . esc_html( Table::when( $v['published_at'] ) ) . '</td><td>';
			$notes = array();
			if ( $v['live'] ) {
				$notes[] = __( 'live', 'pet' );
			}
			if ( null !== $v['restored_from'] ) {
				/* translators: %d: version number. */
				$notes[] = sprintf( __( 'restores version %d', 'pet' ), (int) $v['restored_from'] );
			}
			echo esc_html( implode( ' · ', $notes ) ) . '</td><td>';
			if ( $can_change && ! $v['live'] ) {
				self::form_open(
					'kb_restore_version',
					array(
						'id'     => $id,
						'number' => (string) $n,
					),
					'pet-kb-restore-' . $n
				);
				submit_button( __( 'Restore this version', 'pet' ), 'small', 'submit', false );
				echo '</form>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
		if ( count( $versions ) > 1 ) {
			echo '<p>';
			submit_button( __( 'Compare the selected versions', 'pet' ), 'secondary', '', false, array( 'form' => 'pet-kb-compare' ) );
			echo '</p>';
		}
		if ( null === $from || null === $to ) {
			return;
		}
		echo '<div id="pet-kb-diff">';
		/* translators: 1: version number, 2: version number. */
		echo '<h3>' . esc_html( sprintf( __( 'Changes from version %1$d to version %2$d', 'pet' ), $from, $to ) ) . '</h3>';
		if ( ! isset( $by_number[ $from ], $by_number[ $to ] ) ) {
			echo '<p class="pet-field-error">' . esc_html__( 'This article has no such version.', 'pet' ) . '</p></div>';
			return;
		}
		$text = static fn ( array $v ): string => (string) $v['title'] . "\n\n" . (string) $v['body'];
		$diff = wp_text_diff(
			$text( $by_number[ $from ] ),
			$text( $by_number[ $to ] ),
			array(
				/* translators: %d: version number. */
				'title_left'  => esc_html( sprintf( __( 'Version %d', 'pet' ), $from ) ),
				/* translators: %d: version number. */
				'title_right' => esc_html( sprintf( __( 'Version %d', 'pet' ), $to ) ),
			)
		);
		if ( '' === $diff ) {
			echo '<p>' . esc_html__( 'These two versions have the same title and text.', 'pet' ) . '</p>';
		} else {
			// wp_text_diff() escapes the compared text itself; kses keeps only its table markup.
			echo wp_kses_post( $diff );
		}
		echo '</div>';
	}

	/**
	 * Comments: visible ones for everyone; hidden ones greyed, with who hid them and why,
	 * for moderators only; the hide form for moderators; the add form.
	 *
	 * @param array $a      Article.
	 * @param bool  $manage Whether the user moderates.
	 * @param bool  $open   Whether the article takes changes.
	 */
	private function comments( array $a, bool $manage, bool $open ): void {
		$id = (string) $a['id'];
		echo '<h3>' . esc_html__( 'Comments', 'pet' ) . '</h3><div id="pet-kb-comments">';
		$shown = 0;
		foreach ( $a['comments'] as $c ) {
			$cid    = (string) $c['id'];
			$hidden = (bool) $c['hidden'];
			if ( $hidden && ! $manage ) {
				continue;
			}
			++$shown;
			echo '<div class="pet-kb-comment' . ( $hidden ? ' pet-kb-comment-hidden' : '' ) . '" id="' . esc_attr( 'pet-kb-comment-' . $cid ) . '">';
			echo '<p class="pet-kb-comment-meta">' . esc_html( (string) ( $c['author_name'] ?? $c['author_id'] ) ) . ' · ' . esc_html( Table::when( $c['created_at'] ) ) . '</p>';
			echo self::paragraphs( (string) $c['body'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- paragraphs() escapes.
			if ( $hidden ) {
				$reason = (string) ( $c['hidden_reason'] ?? '' );
				echo '<p class="pet-kb-moderation">' . esc_html(
					'' === $reason
						/* translators: %s: moderator name. */
						? sprintf( __( 'Hidden by %s (no reason given). Only moderators see it.', 'pet' ), $this->employee_name( $c['hidden_by'] ) )
						/* translators: 1: moderator name, 2: reason. */
						: sprintf( __( 'Hidden by %1$s: %2$s. Only moderators see it.', 'pet' ), $this->employee_name( $c['hidden_by'] ), $reason )
				) . '</p>';
			} elseif ( $manage && $open ) {
				$failed = $this->kept_form( self::form_name( 'kb_hide_comment', $id, $cid ) );
				$fid    = 'pet-kb-hide-' . $cid;
				self::form_open(
					'kb_hide_comment',
					array(
						'id'         => $id,
						'comment_id' => $cid,
					),
					$fid,
					' class="pet-kb-hide"'
				);
				$value = (string) ( $failed['values']['reason'] ?? '' );
				echo '<label for="' . esc_attr( $fid . '-reason' ) . '">' . esc_html__( 'Reason', 'pet' ) . '</label> <input type="text" name="reason" id="' . esc_attr( $fid . '-reason' ) . '" value="' . esc_attr( $value ) . '"' . self::invalid_attrs( $failed, 'reason', $fid . '-reason' ) . '> '; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- invalid_attrs() escapes.
				submit_button( __( 'Hide comment', 'pet' ), 'small', 'submit', false );
				self::field_error( $failed, 'reason', $fid . '-reason' );
				echo '</form>';
			}
			echo '</div>';
		}
		if ( 0 === $shown ) {
			echo '<p class="description">' . esc_html__( 'No comments yet.', 'pet' ) . '</p>';
		}
		echo '</div>';
		if ( ! $open ) {
			return;
		}
		$failed = $this->kept_form( self::form_name( 'kb_add_comment', $id ) );
		self::form_open( 'kb_add_comment', array( 'id' => $id ), 'pet-kb-comment' );
		echo '<table class="form-table" role="presentation">';
		self::textarea_row( $failed, 'body', __( 'Add a comment', 'pet' ), '', 'pet-kb-comment-body', 4 );
		echo '</table>';
		echo '<p class="description">' . esc_html__( 'Comments cannot be edited or deleted; a moderator can hide one.', 'pet' ) . '</p>';
		submit_button( __( 'Add comment', 'pet' ), 'secondary' );
		echo '</form>';
	}
}
