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

use PetWp\Access;
use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Plugin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the Knowledgebase pages and admin-post actions; renders the screens.
 */
final class Knowledge_Admin extends Module_Admin {

	/** Screens and actions of the knowledge area (see Module_Admin::cap()). */
	protected const AREA = 'knowledge';

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
	protected function pages(): array {
		return array(
			'pet-kb'           => array( __( 'Knowledgebase', 'pet' ), Plugin::CAP_WORK, 'page_list' ),
			self::ARTICLE_PAGE => array( __( 'Knowledge article', 'pet' ), Plugin::CAP_WORK, 'page_article' ),
		);
	}

	/**
	 * The Knowledgebase CSS on both pages; the slug helper on the article page.
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		self::enqueue_style( 'knowledge' );
		if ( self::ARTICLE_PAGE === $page ) {
			self::enqueue_script( 'kb-article' );
		}
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

	// ---- actions ----------------------------------------------------------------------------

	/** Creates an article (a draft, or published as version 1 when ticked). */
	protected function do_create(): array {
		$a = $this->plugin->knowledge()->createArticle(
			array(
				'category' => Input::text( 'category' ),
				'slug'     => Input::text( 'slug' ),
				'title'    => Input::text( 'title' ),
				'body'     => Input::long_text( 'body' ),
				'publish'  => '1' === Input::text( 'publish' ),
			),
			$this->ctx()
		);
		$msg = ! empty( $a['searchable'] ) ? __( 'Article published as version 1.', 'pet' ) : __( 'Article saved as a draft. Publish it when it is ready.', 'pet' );
		return array( $msg, self::article_url( (string) $a['id'] ) );
	}

	/** Publishes the editor's content as the next version. */
	protected function do_publish(): array {
		$a = $this->plugin->knowledge()->publishArticle(
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
		$a      = $this->plugin->knowledge()->restoreArticleVersion(
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
		$this->plugin->knowledge()->archiveArticle( Input::text( 'id' ), $this->ctx() );
		return array( __( 'Article archived: it no longer appears in search and takes no changes.', 'pet' ) );
	}

	/** Adds a comment by the current user. */
	protected function do_comment(): array {
		$this->plugin->knowledge()->commentOnArticle( Input::text( 'id' ), array( 'body' => Input::long_text( 'body' ) ), $this->ctx() );
		return array( __( 'Comment added.', 'pet' ) );
	}

	/** Hides a comment (moderation). */
	protected function do_hide_comment(): array {
		$this->plugin->knowledge()->hideArticleComment( Input::text( 'id' ), Input::text( 'comment_id' ), array( 'reason' => Input::text( 'reason' ) ), $this->ctx() );
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

	// ---- data for the views ------------------------------------------------------------------------

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
				$this->names[ $id ] = (string) $this->plugin->identity()->getEmployee( $id )['name'];
			} catch ( \Throwable $e ) {
				$this->names[ $id ] = $id;
			}
		}
		return $this->names[ $id ];
	}

	// ---- screens ------------------------------------------------------------------------------

	/**
	 * Knowledgebase: categories, filters, search box; the articles grouped by category, or
	 * the search results when there are search words.
	 */
	public function page_list(): void {
		require_once dirname( __DIR__, 2 ) . '/tables/class-table.php';
		$action = array();
		if ( current_user_can( Access::MANAGE_KNOWLEDGE ) ) {
			$action = array(
				'url'   => Table::page_url( self::ARTICLE_PAGE ),
				'label' => __( 'New article', 'pet' ),
				'id'    => 'pet-kb-new',
			);
		}
		$this->screen(
			__( 'Knowledgebase', 'pet' ),
			function (): void {
				$category = Input::text( 'category' );
				$status   = Input::text( 'status' );
				$q        = Input::text( 'q' );
				$cats     = $this->plugin->knowledge()->listArticleCategories()['items'];
				if ( '' !== $q ) {
					$table = new Search_Table();
					$table->load( $this->plugin->knowledge(), $q, $category );
				} else {
					$table = new Articles_Table();
					$table->load(
						$this->plugin->knowledge(),
						array(
							'category' => $category,
							'status'   => $status,
						)
					);
				}
				self::view(
					'knowledge/list',
					array(
						'categories' => $cats,
						'category'   => $category,
						'status'     => $status,
						'q'          => $q,
						'table'      => $table,
					)
				);
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
		$manage = current_user_can( Access::MANAGE_KNOWLEDGE );
		self::view(
			'knowledge/new-article',
			array(
				'manage'     => $manage,
				'failed'     => $manage ? $this->kept_form( self::form_name( 'kb_create_article', '' ) ) : null,
				'categories' => $manage ? array_column( $this->plugin->knowledge()->listArticleCategories()['items'], 'category' ) : array(),
				'category'   => Input::text( 'category' ),
			)
		);
	}

	/**
	 * One article: facts, live body, editor, archive, versions with diff and restore,
	 * comments, linked tickets.
	 *
	 * @param string $id Article id.
	 */
	private function article_detail( string $id ): void {
		$a      = $this->plugin->knowledge()->getArticle( $id );
		$manage = current_user_can( Access::MANAGE_KNOWLEDGE );
		$open   = View::allows( $a, 'publish' );
		$next   = null === $a['current_version'] ? 1 : (int) $a['current_version'] + 1;
		$data   = array(
			'article'      => $a,
			'manage'       => $manage,
			'open'         => $open,
			'current'      => null === $a['current_version'] ? null : (int) $a['current_version'],
			'next'         => $next,
			'edit_failed'  => $manage && $open ? $this->kept_form( self::form_name( 'kb_publish_article', $id ) ) : null,
			'versions'     => $this->versions_data( $a ),
			'comments'     => $this->comments_data( $a, $manage, $open ),
			'add_failed'   => $open ? $this->kept_form( self::form_name( 'kb_add_comment', $id ) ) : null,
			'tickets'      => array(),
			'activity_url' => Table::page_url(
				'pet-activity',
				array(
					'context_type' => 'knowledge_article',
					'context_id'   => $id,
				)
			),
		);
		foreach ( $a['linked_tickets'] as $t ) {
			$data['tickets'][] = array(
				'url'       => add_query_arg(
					array(
						'page' => 'pet-tickets',
						'id'   => (string) $t['ticket_id'],
					),
					admin_url( 'admin.php' )
				),
				'label'     => null === $t['subject'] ? (string) $t['ticket_id'] : (string) $t['subject'],
				'linked_at' => $t['linked_at'],
			);
		}
		self::view( 'knowledge/article', $data );
	}

	/**
	 * The version history's data: the compare selection, a failed restore, the diff.
	 *
	 * @param array $a Article.
	 */
	private function versions_data( array $a ): array {
		$versions = $a['versions'];
		$data     = array(
			'list'     => $versions,
			'failed'   => null,
			'sel_from' => 0,
			'sel_to'   => 0,
			'diff'     => null,
		);
		if ( array() === $versions ) {
			return $data;
		}
		$by_number = array();
		foreach ( $versions as $v ) {
			$by_number[ (int) $v['number'] ] = $v;
		}
		$int  = static fn ( string $k ): ?int => preg_match( '/^\d{1,9}$/', Input::text( $k ) ) ? (int) Input::text( $k ) : null;
		$from = $int( 'from' );
		$to   = $int( 'to' );
		// Default comparison: the live version against the one before it.
		$data['sel_to']   = $to ?? (int) $versions[0]['number'];
		$data['sel_from'] = $from ?? ( isset( $versions[1] ) ? (int) $versions[1]['number'] : $data['sel_to'] );
		$data['failed']   = $this->kept_form( self::form_name( 'kb_restore_version', (string) $a['id'] ) );
		if ( null === $from || null === $to ) {
			return $data;
		}
		$data['diff'] = array(
			'from'  => $from,
			'to'    => $to,
			'found' => isset( $by_number[ $from ], $by_number[ $to ] ),
			'html'  => '',
		);
		if ( $data['diff']['found'] ) {
			$text                 = static fn ( array $v ): string => (string) $v['title'] . "\n\n" . (string) $v['body'];
			$data['diff']['html'] = wp_text_diff(
				$text( $by_number[ $from ] ),
				$text( $by_number[ $to ] ),
				array(
					/* translators: %d: version number. */
					'title_left'  => esc_html( sprintf( __( 'Version %d', 'pet' ), $from ) ),
					/* translators: %d: version number. */
					'title_right' => esc_html( sprintf( __( 'Version %d', 'pet' ), $to ) ),
				)
			);
		}
		return $data;
	}

	/**
	 * The comments the user sees: visible ones for everyone; hidden ones, with who hid them
	 * and why, for moderators only; the hide form's kept state for moderators.
	 *
	 * @param array $a      Article.
	 * @param bool  $manage Whether the user moderates.
	 * @param bool  $open   Whether the article takes changes.
	 */
	private function comments_data( array $a, bool $manage, bool $open ): array {
		$out = array();
		foreach ( $a['comments'] as $c ) {
			$cid    = (string) $c['id'];
			$hidden = (bool) $c['hidden'];
			if ( $hidden && ! $manage ) {
				continue;
			}
			$item = array(
				'comment'    => $c,
				'hidden'     => $hidden,
				'moderation' => '',
				'hide_form'  => ! $hidden && $manage && $open,
				'failed'     => null,
			);
			if ( $hidden ) {
				$reason             = (string) ( $c['hidden_reason'] ?? '' );
				$who                = $this->employee_name( $c['hidden_by'] );
				$item['moderation'] = '' === $reason
					/* translators: %s: moderator name. */
					? sprintf( __( 'Hidden by %s (no reason given). Only moderators see it.', 'pet' ), $who )
					/* translators: 1: moderator name, 2: reason. */
					: sprintf( __( 'Hidden by %1$s: %2$s. Only moderators see it.', 'pet' ), $who, $reason );
			} elseif ( $item['hide_form'] ) {
				$item['failed'] = $this->kept_form( self::form_name( 'kb_hide_comment', (string) $a['id'], $cid ) );
			}
			$out[] = $item;
		}
		return $out;
	}
}
