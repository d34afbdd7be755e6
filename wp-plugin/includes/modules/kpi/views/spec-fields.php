<?php
/**
 * The spec rows shared by the define and publish forms: calculator, scope and the scoped team
 * (a select), employee, customer or project (type-ahead pickers), grain, target, utilisation's
 * non-billable switch.
 *
 * @package PetWp
 *
 * @var array $data {options: array (the engine's kpiOptions), failed: ?array, spec: array (the current spec, for publishing)}
 */

use PetWp\Modules\Kpi\Kpi_Admin;
use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_spec  = $data['spec'] ?? array();
$pet_kept  = $data['failed'];
$pet_calcs = array();
foreach ( (array) $data['options']['calculators'] as $c ) {
	$pet_calcs[ (string) $c['id'] ] = Kpi_Admin::calculator_label( (string) $c['id'] );
}
$pet_value = static function ( string $f, string $def ) use ( $pet_kept ): string {
	return null !== $pet_kept && isset( $pet_kept['values'][ $f ] ) ? (string) $pet_kept['values'][ $f ] : $def;
};
$pet_target = isset( $pet_spec['params']['target_tenths'] ) ? number_format( ( (int) $pet_spec['params']['target_tenths'] ) / 10, 1, '.', '' ) : '';
View::select_row( 'calculator', __( 'Calculator', 'pet' ), $pet_calcs, $pet_value( 'calculator', (string) ( $pet_spec['calculator'] ?? 'utilisation' ) ), 'pet-kpi-calculator' );
View::select_row( 'scope', __( 'Scope', 'pet' ), Kpi_Admin::scope_labels(), $pet_value( 'scope', (string) ( $pet_spec['scope']['kind'] ?? 'org' ) ), 'pet-kpi-scope' );
// The scoped entity: a type-ahead picker per kind (any number of teams, employees,
// customers, projects); the one matching the chosen scope counts.
$pet_kind = (string) ( $pet_spec['scope']['kind'] ?? '' );
$pet_sid  = static fn ( string $kind ): string => $kind === $pet_kind ? (string) ( $pet_spec['scope']['id'] ?? '' ) : '';
Picker::row( 'scope_team', __( 'Team (for a team scope)', 'pet' ), 'teams', $pet_sid( 'team' ), 'pet-kpi-scope-team' );
Picker::row( 'scope_employee', __( 'Employee (for an employee scope)', 'pet' ), 'employees', $pet_sid( 'employee' ), 'pet-kpi-scope-employee' );
Picker::row( 'scope_customer', __( 'Customer (for a customer scope)', 'pet' ), 'customers', $pet_sid( 'customer' ), 'pet-kpi-scope-customer' );
Picker::row( 'scope_project', __( 'Project (for a project scope)', 'pet' ), 'projects', $pet_sid( 'project' ), 'pet-kpi-scope-project' );
View::select_row( 'grain', __( 'Period', 'pet' ), Kpi_Admin::grain_labels(), $pet_value( 'grain', (string) ( $pet_spec['grain'] ?? 'month' ) ), 'pet-kpi-grain' );
View::text_row( $pet_kept, 'target', __( 'Target (optional, e.g. 80 or 42.5)', 'pet' ), $pet_target, 'pet-kpi-target' );
?>
<tr><th scope="row"><?php esc_html_e( 'Utilisation', 'pet' ); ?></th><td><label><input type="checkbox" name="count_non_billable" value="1" <?php checked( ! empty( $pet_spec['params']['count_non_billable'] ) ); ?>> <?php esc_html_e( 'Count non-billable minutes too', 'pet' ); ?></label></td></tr>
