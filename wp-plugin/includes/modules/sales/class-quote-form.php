<?php
/**
 * The quote builder's form as the engine's draft content: the same conversion for saving
 * the draft (admin action) and for the live preview (REST). Amounts are passed on as typed
 * (decimal strings in the quote's currency; the engine reads them with the currency's minor
 * digits and names the field when they are wrong), and so are percentages (the engine reads
 * them into basis points).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

defined( 'ABSPATH' ) || exit;

/**
 * Builder form → draft content.
 */
final class Quote_Form {

	/**
	 * Basis points as a percentage for the form ("20.00", "7.50").
	 *
	 * @param int $bp Basis points.
	 */
	public static function percent( int $bp ): string {
		$digits = str_pad( (string) abs( $bp ), 3, '0', STR_PAD_LEFT );
		return ( $bp < 0 ? '-' : '' ) . substr( $digits, 0, -2 ) . '.' . substr( $digits, -2 );
	}

	/**
	 * The posted groups (groups[N][title|optional|remove|group_id|lines[M][…]]) as the
	 * engine's content {groups: [...]}; removed and blank rows are left out.
	 *
	 * @param array $posted The posted `groups`.
	 */
	public static function content( array $posted ): array {
		$groups = array();
		foreach ( $posted as $g ) {
			if ( ! is_array( $g ) || ! empty( $g['remove'] ) ) {
				continue;
			}
			$lines = array();
			foreach ( (array) ( $g['lines'] ?? array() ) as $l ) {
				if ( ! is_array( $l ) || ! empty( $l['remove'] ) || '' === trim( (string) ( $l['description'] ?? '' ) ) ) {
					continue;
				}
				$line  = array(
					'line_id'     => (string) ( $l['line_id'] ?? '' ),
					'kind'        => (string) ( $l['kind'] ?? 'fixed_fee' ),
					'description' => (string) $l['description'],
					'quantity'    => preg_match( '/^-?\d{1,12}$/', trim( (string) ( $l['quantity'] ?? '' ) ) ) ? (int) $l['quantity'] : (string) ( $l['quantity'] ?? '' ),
					// The tax rate as typed ("20", "7.5"); the engine reads it (blank: no tax).
					'tax_rate'    => (string) ( $l['tax_rate'] ?? '' ),
				);
				// The unit price as typed, in the quote's currency. A blank price is left out:
				// the engine names the missing field (no silent 0).
				$price = trim( (string) ( $l['unit_price'] ?? '' ) );
				if ( '' !== $price ) {
					$line['unit_price'] = $price;
				}
				// One "role / interval" column: a labour line's role, a recurring line's interval.
				$detail = trim( (string) ( $l['detail'] ?? '' ) );
				if ( 'labour' === $line['kind'] && '' !== $detail ) {
					$line['role'] = $detail;
				}
				if ( 'recurring' === $line['kind'] ) {
					$line['interval'] = '' === $detail ? 'monthly' : $detail;
				}
				$discount = trim( (string) ( $l['discount'] ?? '' ) );
				if ( 'amount' === ( $l['discount_type'] ?? 'percent' ) ) {
					// An amount off as typed; an empty or zero amount is no discount.
					if ( '' !== $discount && ! preg_match( '/^[+-]?0*(?:[.,]0*)?$/', $discount ) ) {
						$line['discount'] = array(
							'type'   => 'amount',
							'amount' => $discount,
						);
					}
				} else {
					// The percentage as typed; the engine reads it (empty or zero: no discount).
					$line['discount'] = array(
						'type'    => 'percent',
						'percent' => $discount,
					);
				}
				$lines[] = $line;
			}
			if ( '' === trim( (string) ( $g['title'] ?? '' ) ) && array() === $lines && '' === (string) ( $g['group_id'] ?? '' ) ) {
				continue; // The blank "new group" row, left empty.
			}
			$groups[] = array(
				'group_id' => (string) ( $g['group_id'] ?? '' ),
				'title'    => (string) ( $g['title'] ?? '' ),
				'optional' => ! empty( $g['optional'] ),
				'lines'    => $lines,
			);
		}
		return array( 'groups' => $groups );
	}
}
