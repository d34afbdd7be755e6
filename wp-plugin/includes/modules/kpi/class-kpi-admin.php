<?php
/**
 * KPI screens and actions (wp-admin): the Dashboard (tiles with the current period's value,
 * the trend against the previous period and the target; a chart per KPI over its periods with
 * the table alternative; the filter by team, employee, customer or project — the KPIs defined
 * for that entity; CSV export), KPIs (the definitions with their backfill progress, the form
 * to define one; a KPI's page with its versions, results per version, the form publishing
 * the next version, and the explanation of a period: every fact counted, with links to the
 * entities and what each adds, which add up to the number), and the WordPress Dashboard
 * widget with the headline KPIs. Viewing needs pet_view_settings; defining, publishing and
 * running the KPI job now need pet_manage_settings (PET Manager and administrators).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Kpi;

use PetWp\Access;
use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Picker;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the KPI pages and admin-post actions; renders the screens.
 */
final class Kpi_Admin extends Module_Admin {

	/** KPIs are a management view across areas: the settings area (pet-core's Area::of). */
	protected const AREA = 'settings';

	/** Action => [capability, handler, kept fields] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'kpi_define'  => array( Plugin::CAP_MANAGE, 'do_define', array( 'name', 'scope_team', 'target' ) ),
		'kpi_publish' => array( Plugin::CAP_MANAGE, 'do_publish', array( 'scope_team', 'target' ) ),
		'kpi_run'     => array( Plugin::CAP_MANAGE, 'do_run' ),
	);

	/** The PET dashboard. */
	public const DASHBOARD_PAGE = 'pet-dashboard';
	/** KPI definitions, a KPI (?id=) and an explanation (?id=&period=). */
	public const KPIS_PAGE = 'pet-kpis';

	protected const HOME_PAGE    = self::DASHBOARD_PAGE;
	protected const SCREEN_CLASS = 'pet-kpi';
	/** A failed form is kept in the transient pet_kpi_form_<user id>. */
	protected const KEPT_FORM = 'pet_kpi_form';

	/** The KPI pages under the PET menu. */
	protected function pages(): array {
		return array(
			self::DASHBOARD_PAGE => array( __( 'Dashboard', 'pet' ), Plugin::CAP_WORK, 'page_dashboard' ),
			self::KPIS_PAGE      => array( __( 'KPIs', 'pet' ), Plugin::CAP_WORK, 'page_kpis' ),
		);
	}

	/**
	 * Charts on both pages.
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		self::enqueue_charts();
		self::enqueue_style( 'kpi' );
		// The KPI forms' scope fields and the dashboard's filter.
		self::enqueue_pickers();
	}

	/** What the definition forms offer: the engine's options (the scoped entity is a picker). */
	private function form_options(): array {
		return $this->kpi()->kpiOptions();
	}

	/** The engine's KPI API. */
	private function kpi(): \Pet\Kpi {
		return Kpi_Rest::engine();
	}

	// ---- labels (engine values to words; no rule) --------------------------------------------

	/**
	 * The translated name of a calculator.
	 *
	 * @param string $c Calculator id.
	 */
	public static function calculator_label( string $c ): string {
		$labels = array(
			'utilisation'             => __( 'Utilisation', 'pet' ),
			'billable_ratio'          => __( 'Billable ratio', 'pet' ),
			'lead_qualification_rate' => __( 'Lead qualification rate', 'pet' ),
			'quote_win_rate'          => __( 'Quote win rate', 'pet' ),
			'quote_turnaround'        => __( 'Average quote turnaround', 'pet' ),
			'sold_vs_delivered'       => __( 'Sold vs delivered variance', 'pet' ),
			'sla_compliance'          => __( 'SLA compliance', 'pet' ),
			'first_response_time'     => __( 'Mean time to first response', 'pet' ),
			'reopen_rate'             => __( 'Reopen rate', 'pet' ),
		);
		return $labels[ $c ] ?? $c;
	}

	/** Scope kinds and their labels. */
	public static function scope_labels(): array {
		return array(
			'org'      => __( 'Whole firm', 'pet' ),
			'team'     => __( 'Team', 'pet' ),
			'employee' => __( 'Employee', 'pet' ),
			'customer' => __( 'Customer', 'pet' ),
			'project'  => __( 'Project', 'pet' ),
		);
	}

	/** Grains and their labels. */
	public static function grain_labels(): array {
		return array(
			'week'    => __( 'Week', 'pet' ),
			'month'   => __( 'Month', 'pet' ),
			'quarter' => __( 'Quarter', 'pet' ),
		);
	}

	/**
	 * A value with its unit, e.g. "85.3 %" or "42.0 min" ('—' when nothing was measured).
	 *
	 * @param string|null $value Decimal string from the engine.
	 * @param string      $unit  percent|minutes.
	 */
	public static function with_unit( ?string $value, string $unit ): string {
		if ( null === $value || '' === $value ) {
			return '—';
		}
		$n = number_format_i18n( (float) $value, 1 );
		/* translators: %s: a number. */
		return 'percent' === $unit ? sprintf( __( '%s %%', 'pet' ), $n ) : sprintf( __( '%s min', 'pet' ), $n );
	}

	/**
	 * The admin URL of the entity a fact is about ('' when PET has no screen for it).
	 *
	 * @param string $kind Context type (ticket, project, customer, employee, quote, lead, team, time_entry).
	 * @param string $id   Its id.
	 */
	public static function entity_url( string $kind, string $id ): string {
		$pages = array(
			'ticket'   => 'pet-tickets',
			'project'  => 'pet-projects',
			'customer' => 'pet-customers',
			'employee' => 'pet-employees',
			'quote'    => 'pet-quotes',
			'lead'     => 'pet-leads',
			'team'     => 'pet-teams',
		);
		return isset( $pages[ $kind ] ) ? Table::page_url( $pages[ $kind ], array( 'id' => $id ) ) : '';
	}

	// ---- actions -------------------------------------------------------------------------------

	/** The spec fields of the definition and publish forms. */
	private static function spec_input(): array {
		$scope = Input::text( 'scope' );
		$input = array(
			'calculator'         => Input::text( 'calculator' ),
			'scope'              => '' === $scope ? 'org' : $scope,
			'grain'              => Input::text( 'grain' ),
			'target'             => Input::text( 'target' ),
			'count_non_billable' => '1' === Input::text( 'count_non_billable' ),
		);
		// The scoped entity from the field of the chosen scope (a picker's id, or the one match
		// of what was typed without a script).
		$pickers = array(
			'team'     => 'teams',
			'employee' => 'employees',
			'customer' => 'customers',
			'project'  => 'projects',
		);
		$id      = '';
		if ( isset( $pickers[ $input['scope'] ] ) ) {
			$id = Picker::value( 'scope_' . $input['scope'], $pickers[ $input['scope'] ] );
		}
		if ( '' !== $id ) {
			$input['scope_id'] = $id;
		}
		return $input;
	}

	/** Defines a KPI (version 1). */
	protected function do_define(): array {
		$k = $this->kpi()->defineKpi( array( 'name' => Input::text( 'name' ) ) + self::spec_input(), $this->ctx() );
		return array( __( 'KPI defined. Its results are computed by the KPI job (every minute), with the progress shown below.', 'pet' ), self::kpi_url( (string) $k['id'] ) );
	}

	/** Publishes the next version of a KPI. */
	protected function do_publish(): array {
		$k = $this->kpi()->publishKpiVersion( Input::text( 'id' ), self::spec_input(), $this->ctx() );
		/* translators: %d: version number. */
		return array( sprintf( __( 'Version %d published. Earlier versions keep their results.', 'pet' ), (int) $k['current_version'] ), self::kpi_url( (string) $k['id'] ) );
	}

	/** Runs the KPI job now. */
	protected function do_run(): string {
		$r = $this->kpi()->runKpiJob();
		/* translators: 1: events read, 2: results computed. */
		return sprintf( __( 'KPI job run: %1$d new events read, %2$d results computed.', 'pet' ), (int) $r['events'], (int) $r['results'] );
	}

	// ---- URLs ----------------------------------------------------------------------------------

	/**
	 * A KPI's page.
	 *
	 * @param string $id KPI id.
	 */
	public static function kpi_url( string $id ): string {
		return Table::page_url( self::KPIS_PAGE, array( 'id' => $id ) );
	}

	/**
	 * The explanation of a KPI's period.
	 *
	 * @param string $id      KPI id.
	 * @param int    $version Version.
	 * @param string $period  A day in the period.
	 */
	public static function explain_url( string $id, int $version, string $period ): string {
		return Table::page_url(
			self::KPIS_PAGE,
			array(
				'id'      => $id,
				'version' => $version,
				'period'  => $period,
			)
		);
	}

	// ---- screens -------------------------------------------------------------------------------

	/** The dashboard filter's kinds: the engine's query key => the picker kind. */
	private const FILTER_PICKERS = array(
		'team'     => 'teams',
		'employee' => 'all-employees',
		'customer' => 'customers',
		'project'  => 'projects',
	);

	/**
	 * The dashboard filter from the request: [query for the engine, chosen kind ('' for the
	 * whole firm), chosen ids by kind]. `scope` names the kind; its picker (`team_id`,
	 * `employee_id`, `customer_id`, `project_id`, found by typing, so any number of them
	 * works) names the entity — without a script the typed name is resolved by the picker's
	 * search. A kind without an entity shows the whole firm.
	 */
	private static function filter(): array {
		$kind = Input::text( 'scope' );
		$ids  = array_fill_keys( array_keys( self::FILTER_PICKERS ), '' );
		if ( ! isset( self::FILTER_PICKERS[ $kind ] ) ) {
			return array( array(), '', $ids );
		}
		$id = Picker::value( $kind . '_id', self::FILTER_PICKERS[ $kind ], array(), false );
		if ( ! preg_match( '/^[0-9a-fA-F-]{36}$/', $id ) ) {
			return array( array(), '', $ids );
		}
		$ids[ $kind ] = $id;
		return array( array( $kind . '_id' => $id ), $kind, $ids );
	}

	/** Dashboard. */
	public function page_dashboard(): void {
		$this->screen(
			__( 'Dashboard', 'pet' ),
			function (): void {
				list( $query, $kind, $ids ) = self::filter();
				$dash                       = $this->kpi()->kpiDashboard( $query );
				$labels                     = self::scope_labels();
				$kinds                      = array( '' => __( 'Whole firm', 'pet' ) );
				foreach ( array_keys( self::FILTER_PICKERS ) as $k ) {
					$kinds[ $k ] = $labels[ $k ];
				}
				self::view(
					'kpi/dashboard',
					array(
						'tiles'    => (array) $dash['tiles'],
						'kinds'    => $kinds,
						'pickers'  => self::FILTER_PICKERS,
						'ids'      => $ids,
						'selected' => $kind,
						'csv_url'  => wp_nonce_url( Table::page_url( self::DASHBOARD_PAGE, array( 'export' => 'csv' ) + ( '' === $kind ? array() : array( 'scope' => $kind, $kind . '_id' => $ids[ $kind ] ) ) ), 'pet_kpi_export' ),
						'manage'   => current_user_can( Access::MANAGE_SETTINGS ),
					)
				);
			}
		);
	}

	/** KPIs, a KPI, or a period's explanation. */
	public function page_kpis(): void {
		$id = Input::text( 'id' );
		if ( '' !== $id && '' !== Input::text( 'period' ) ) {
			$this->screen( __( 'KPI explanation', 'pet' ), fn () => $this->explanation( $id ) );
			return;
		}
		if ( '' !== $id ) {
			$this->screen( __( 'KPI', 'pet' ), fn () => $this->kpi_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'KPIs', 'pet' ),
			function (): void {
				$manage = current_user_can( Access::MANAGE_SETTINGS );
				$table  = new Kpis_Table();
				$table->load( $this->kpi() );
				self::view(
					'kpi/kpis',
					array(
						'table'   => $table,
						'options' => $this->form_options(),
						'manage'  => $manage,
						'failed'  => $manage ? $this->kept_form( 'kpi_define:' ) : null,
					)
				);
			}
		);
	}

	/**
	 * A KPI's page.
	 *
	 * @param string $id KPI id.
	 */
	private function kpi_detail( string $id ): void {
		$k       = $this->kpi()->getKpi( $id );
		$results = array();
		foreach ( (array) $k['versions'] as $v ) {
			$results[ (int) $v['number'] ] = $this->kpi()->kpiResults(
				$id,
				array(
					'version' => (int) $v['number'],
					'periods' => 12,
				)
			);
		}
		$manage = current_user_can( Access::MANAGE_SETTINGS );
		self::view(
			'kpi/kpi',
			array(
				'kpi'     => $k,
				'results' => $results,
				'options' => $this->form_options(),
				'manage'  => $manage,
				'failed'  => $manage ? $this->kept_form( 'kpi_publish:' . $id ) : null,
			)
		);
	}

	/**
	 * A period's explanation.
	 *
	 * @param string $id KPI id.
	 */
	private function explanation( string $id ): void {
		$query = array( 'period' => Input::text( 'period' ) );
		if ( '' !== Input::text( 'version' ) ) {
			$query['version'] = (int) Input::text( 'version' );
		}
		if ( '' !== Input::text( 'as_of' ) ) {
			$query['as_of'] = Input::text( 'as_of' );
		}
		self::view(
			'kpi/explanation',
			array(
				'kpi' => $this->kpi()->getKpi( $id ),
				'e'   => $this->kpi()->explainKpi( $id, $query ),
			)
		);
	}

	// ---- CSV export and the WordPress Dashboard widget -------------------------------------

	/**
	 * admin_init: the dashboard's CSV export (every tile's periods), a read that needs
	 * pet_view_settings and the export link's nonce.
	 */
	public function maybe_export_csv(): void {
		if ( self::DASHBOARD_PAGE !== Input::text( 'page' ) || 'csv' !== Input::text( 'export' ) ) {
			return;
		}
		if ( ! current_user_can( Access::VIEW_SETTINGS ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
		}
		check_admin_referer( 'pet_kpi_export' );
		list( $query ) = self::filter();
		$query['periods'] = 104;
		$dash             = $this->kpi()->kpiDashboard( $query );
		nocache_headers();
		header( 'Content-Type: text/csv; charset=utf-8' );
		header( 'Content-Disposition: attachment; filename="pet-kpis-' . gmdate( 'Y-m-d' ) . '.csv"' );
		$out = fopen( 'php://output', 'w' );
		if ( false === $out ) {
			exit;
		}
		fputcsv( $out, array( 'kpi', 'version', 'calculator', 'scope', 'grain', 'period', 'period_start', 'period_end', 'value', 'unit', 'numerator', 'denominator', 'facts' ) );
		foreach ( (array) $dash['tiles'] as $t ) {
			foreach ( (array) $t['series'] as $r ) {
				fputcsv(
					$out,
					array(
						self::csv_cell( (string) $t['name'] ),
						(int) $t['version'],
						(string) $t['spec']['calculator'],
						(string) $t['spec']['scope']['kind'],
						(string) $t['spec']['grain'],
						(string) $r['label'],
						(string) $r['period_start'],
						(string) $r['period_end'],
						(string) ( $r['value'] ?? '' ),
						(string) $t['unit'],
						(int) $r['numerator'],
						(int) $r['denominator'],
						(int) $r['part_count'],
					)
				);
			}
		}
		fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- php://output.
		exit;
	}

	/**
	 * A CSV cell that a spreadsheet will not run as a formula.
	 *
	 * @param string $s Text.
	 */
	private static function csv_cell( string $s ): string {
		return preg_match( '/^[=+\-@]/', $s ) ? "'" . $s : $s;
	}

	/** Loads the list tables (core and the KPI list). */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-kpi-tables.php';
	}

	/** wp_dashboard_setup: the headline KPIs widget for those who may read KPIs. */
	public function dashboard_widget(): void {
		if ( ! current_user_can( Access::VIEW_SETTINGS ) ) {
			return;
		}
		wp_add_dashboard_widget( 'pet_kpis', __( 'PET: headline KPIs', 'pet' ), array( $this, 'render_widget' ) );
	}

	/** Renders the widget: each org-wide KPI's current value and trend. */
	public function render_widget(): void {
		// Outside PET's screens the list-table helpers (Table::page_url) are not loaded yet.
		$this->load_tables();
		try {
			$tiles = (array) $this->kpi()->kpiDashboard( array( 'periods' => 2 ) )['tiles'];
		} catch ( \Throwable $e ) {
			echo '<p>' . esc_html__( 'The KPIs cannot be read right now.', 'pet' ) . '</p>';
			return;
		}
		self::view(
			'kpi/widget',
			array(
				'tiles' => $tiles,
				'url'   => Table::page_url( self::DASHBOARD_PAGE ),
			)
		);
	}
}
