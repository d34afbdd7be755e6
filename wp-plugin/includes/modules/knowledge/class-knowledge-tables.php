<?php
/**
 * WP_List_Table subclasses of the Knowledgebase screen: the articles (grouped by category)
 * and the full-text search results.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Knowledge;

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Articles by category then title, with a heading row where the category changes.
 */
class Articles_Table extends Table {

	/** @var string category of the previous row (for the group headings) */
	private $last_category = '';

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'article', 'articles' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'title'           => __( 'Article', 'pet' ),
			'category'        => __( 'Category', 'pet' ),
			'status'          => __( 'Status', 'pet' ),
			'current_version' => __( 'Live version', 'pet' ),
			'updated_at'      => __( 'Updated', 'pet' ),
		);
	}

	/**
	 * Loads the page for the given filters.
	 *
	 * @param \Pet\Knowledge       $knowledge Knowledge base API.
	 * @param array<string,string> $filters   category, status.
	 */
	public function load( \Pet\Knowledge $knowledge, array $filters ): void {
		$this->load_page( fn ( $q ) => $knowledge->listArticles( $q ), array(), array_filter( $filters, 'strlen' ) );
	}

	/**
	 * One row, preceded by a heading row when the category changes (the engine sorts by
	 * category, then title).
	 *
	 * @param array $item Article.
	 */
	public function single_row( $item ) {
		$category = (string) ( $item['category'] ?? '' );
		if ( $category !== $this->last_category ) {
			$this->last_category = $category;
			echo '<tr class="pet-kb-group"><th colspan="' . esc_attr( (string) count( $this->get_columns() ) ) . '">' . esc_html( $category ) . '</th></tr>';
		}
		parent::single_row( $item );
	}

	/**
	 * Title linking to the article page.
	 *
	 * @param array $item Article.
	 */
	public function column_title( $item ) {
		$url = self::page_url( 'pet-kb-article', array( 'id' => (string) $item['id'] ) );
		return '<strong><a class="row-title" href="' . esc_url( $url ) . '">' . esc_html( (string) $item['title'] ) . '</a></strong><br><code>' . esc_html( (string) $item['slug'] ) . '</code>';
	}

	/**
	 * Category linking to the filtered list.
	 *
	 * @param array $item Article.
	 */
	public function column_category( $item ) {
		$url = self::page_url( 'pet-kb', array( 'category' => (string) $item['category'] ) );
		return '<a href="' . esc_url( $url ) . '">' . esc_html( (string) $item['category'] ) . '</a>';
	}

	/**
	 * @param array $item Article.
	 */
	public function column_status( $item ) {
		$s = (string) $item['status'];
		return '<span class="pet-status pet-status-' . esc_attr( $s ) . '">' . esc_html( \PetWp\View::value_label( $s ) ) . '</span>';
	}

	/**
	 * @param array $item Article.
	 */
	public function column_current_version( $item ) {
		return null === ( $item['current_version'] ?? null ) ? '—' : esc_html( (string) (int) $item['current_version'] );
	}

	/**
	 * @param array $item Article.
	 */
	public function column_updated_at( $item ) {
		return esc_html( self::when( $item['updated_at'] ?? '' ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No articles match these filters.', 'pet' );
	}
}

/**
 * Full-text search results (best match first; in a large base, words found in many
 * articles: newest first — see ranked()).
 */
class Search_Table extends Table {

	/** @var bool Whether the engine ranked the hits (false: newest first). */
	private bool $ranked = true;

	/** Whether the hits are best match first (false: many articles match, newest first). */
	public function ranked(): bool {
		return $this->ranked;
	}

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'search-result', 'search-results' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'title'    => __( 'Article', 'pet' ),
			'category' => __( 'Category', 'pet' ),
			'snippet'  => __( 'Beginning of the live version', 'pet' ),
			'version'  => __( 'Version', 'pet' ),
		);
	}

	/**
	 * Runs the search.
	 *
	 * @param \Pet\Knowledge $knowledge Knowledge base API.
	 * @param string         $q         Search words.
	 * @param string         $category  Category filter ('' = all).
	 */
	public function load( \Pet\Knowledge $knowledge, string $q, string $category ): void {
		$query = array( 'q' => $q );
		if ( '' !== $category ) {
			$query['category'] = $category;
		}
		$this->load_page(
			function ( $x ) use ( $knowledge ) {
				$result       = $knowledge->searchArticles( $x );
				$this->ranked = false !== ( $result['ranked'] ?? true );
				return $result;
			},
			array(),
			$query
		);
	}

	/**
	 * @param array $item Search hit.
	 */
	public function column_title( $item ) {
		$url = self::page_url( 'pet-kb-article', array( 'id' => (string) $item['id'] ) );
		return self::title_link( $url, (string) $item['title'] );
	}

	/**
	 * The snippet is the article body's beginning (text typed by a writer): escaped.
	 *
	 * @param array $item Search hit.
	 */
	public function column_snippet( $item ) {
		$s = (string) ( $item['snippet'] ?? '' );
		return '<span class="pet-kb-snippet">' . esc_html( $s ) . ( mb_strlen( $s ) >= 300 ? '…' : '' ) . '</span>';
	}

	/** Message when nothing matches. */
	public function no_items() {
		esc_html_e( 'No published article matches these words.', 'pet' );
	}
}
