<?php
/**
 * Type-ahead pickers: a field that chooses one customer, employee or SLA definition without
 * rendering the whole table. The markup is an accessible combobox (a text input with
 * role="combobox" and a listbox) plus a hidden input holding the chosen id; assets/js/picker.js
 * asks the REST search route of the kind (wp.apiFetch, `pet/v1/<route>?search=…&per_page=10`)
 * as the user types. Without JavaScript the text input is submitted as it is and
 * Picker::value() resolves it on the server by the same search: the one match, or the one
 * whose name is exactly what was typed.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Renders and resolves type-ahead pickers.
 */
final class Picker {

	/**
	 * The kinds: REST route under pet/v1, the engine call that searches (for the no-script
	 * fallback) and the one that names an id.
	 *
	 * @return array<string,array{route:string,search:callable,name:callable}>
	 */
	private static function kinds(): array {
		$settings = Plugin::engine_settings();
		$identity = static fn (): \Pet\Identity => new \Pet\Identity( $settings );
		$hd       = static fn (): \Pet\Helpdesk => new \Pet\Helpdesk( $settings );
		return array(
			'customers'       => array(
				'route'  => 'customers',
				'search' => static fn ( string $q ): array => $identity()->listCustomers( array( 'search' => $q, 'status' => 'active', 'per_page' => 10 ) )['items'],
				'name'   => static fn ( string $id ): string => (string) $identity()->getCustomer( $id )['name'],
			),
			'employees'       => array(
				'route'  => 'employees',
				'search' => static fn ( string $q ): array => $identity()->listEmployees( array( 'search' => $q, 'status' => 'active', 'per_page' => 10 ) )['items'],
				'name'   => static fn ( string $id ): string => (string) $identity()->getEmployee( $id )['name'],
			),
			'sla-definitions' => array(
				'route'  => 'sla-definitions',
				'search' => static fn ( string $q ): array => $hd()->listSlaDefinitions( array( 'search' => $q, 'per_page' => 10 ) )['items'],
				'name'   => static fn ( string $id ): string => (string) $hd()->getSlaDefinition( $id )['name'],
			),
		);
	}

	/**
	 * Prints a picker.
	 *
	 * @param string                    $name   Field name (the hidden input; the text input is "{$name}_q").
	 * @param string                    $kind   customers, employees or sla-definitions.
	 * @param string                    $value  The chosen id ('' for none).
	 * @param string                    $id     The text input's id (its label's for=).
	 * @param array<string,string>      $extras Fixed choices offered first (value => label), e.g. 'none' => 'Unassigned'.
	 * @param array<string,string|bool> $attrs  Extra attributes of the text input (required, placeholder, aria-*).
	 */
	public static function render( string $name, string $kind, string $value, string $id, array $extras = array(), array $attrs = array() ): void {
		$label = '';
		if ( '' !== $value ) {
			$label = $extras[ $value ] ?? self::name_of( $kind, $value );
		}
		$list  = $id . '-list';
		$attrs = $attrs + array(
			'type'                  => 'text',
			'id'                    => $id,
			'name'                  => $name . '_q',
			'value'                 => $label,
			'class'                 => 'regular-text pet-picker-input',
			'role'                  => 'combobox',
			'aria-autocomplete'     => 'list',
			'aria-expanded'         => 'false',
			'aria-controls'         => $list,
			'autocomplete'          => 'off',
			'placeholder'           => __( 'Type to search…', 'pet' ),
		);
		$choices = array();
		foreach ( $extras as $v => $l ) {
			$choices[] = array(
				'id'    => (string) $v,
				'label' => (string) $l,
			);
		}
		echo '<span class="pet-picker" data-pet-picker="' . esc_attr( self::kinds()[ $kind ]['route'] ?? $kind ) . '" data-extras="'
			. esc_attr( (string) wp_json_encode( $choices ) ) . '">';
		echo '<input type="hidden" class="pet-picker-value" name="' . esc_attr( $name ) . '" value="' . esc_attr( $value ) . '">';
		echo '<input';
		foreach ( $attrs as $k => $v ) {
			if ( true === $v ) {
				echo ' ' . esc_attr( $k );
			} elseif ( false !== $v ) {
				echo ' ' . esc_attr( $k ) . '="' . esc_attr( (string) $v ) . '"';
			}
		}
		echo '>';
		echo '<ul class="pet-picker-list" id="' . esc_attr( $list ) . '" role="listbox" hidden></ul>';
		echo '</span>';
	}

	/**
	 * The chosen id of picker $name in the request: its hidden value, else (no script, or
	 * typed without choosing) the one search match of its text, or the one named exactly so.
	 * '' when nothing was given (or a fixed choice such as 'none' when that was typed).
	 *
	 * @param string               $name     Field name.
	 * @param string               $kind     Kind.
	 * @param array<string,string> $extras   Fixed choices (value => label), matched by label.
	 * @param bool                 $strict   Throw an Input_Exception when the text matches no single row.
	 * @throws Input_Exception When $strict and the text names no single row.
	 */
	public static function value( string $name, string $kind, array $extras = array(), bool $strict = true ): string {
		$value = Input::text( $name );
		if ( '' !== $value ) {
			return $value;
		}
		$text = Input::text( $name . '_q' );
		if ( '' === $text ) {
			return '';
		}
		foreach ( $extras as $v => $l ) {
			if ( 0 === strcasecmp( $l, $text ) ) {
				return (string) $v;
			}
		}
		$rows  = ( self::kinds()[ $kind ]['search'] )( $text );
		$exact = array_values( array_filter( $rows, static fn ( $r ) => 0 === strcasecmp( (string) ( $r['name'] ?? '' ), $text ) ) );
		if ( 1 === count( $exact ) ) {
			return (string) $exact[0]['id'];
		}
		if ( 1 === count( $rows ) ) {
			return (string) $rows[0]['id'];
		}
		if ( $strict ) {
			throw new Input_Exception(
				__( 'Please correct the form.', 'pet' ),
				array(
					/* translators: %s: what the user typed. */
					$name => sprintf( __( '“%s” does not name exactly one: type more of the name, or choose from the list.', 'pet' ), $text ),
				)
			);
		}
		return '';
	}

	/**
	 * The name of one row (its id when it cannot be read).
	 *
	 * @param string $kind Kind.
	 * @param string $id   Id.
	 */
	private static function name_of( string $kind, string $id ): string {
		try {
			return ( self::kinds()[ $kind ]['name'] )( $id );
		} catch ( \Pet\Exception $e ) {
			return $id;
		}
	}
}
