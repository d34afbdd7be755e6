<?php
/**
 * The quote builder's form as the engine's draft content: the same conversion for saving
 * the draft (admin action) and for the live preview (REST). Amounts are passed on as typed
 * (decimal strings in the quote's currency; the engine reads them with the currency's minor
 * digits and names the field when they are wrong); percentages become basis points.
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
	 * A percentage ("20", "7.5", "7,25") as basis points; null when empty. Read as text
	 * (whole part and up to two decimals joined), never through a float.
	 *
	 * @param string $v     Text.
	 * @param string $field Field name for the error.
	 * @throws \PetWp\Input_Exception When not a percentage with at most two decimals.
	 */
	public static function basis_points( string $v, string $field ): ?int {
		$v = str_replace( ',', '.', trim( $v ) );
		if ( '' === $v ) {
			return null;
		}
		if ( ! preg_match( '/^(-?)(\d{1,5})(?:\.(\d{1,2}))?$/', $v, $m ) ) {
			throw new \PetWp\Input_Exception( __( 'Please correct the form.', 'pet' ), array( $field => __( 'must be a percentage like 20 or 7.5', 'pet' ) ) );
		}
		return (int) ( $m[1] . $m[2] . str_pad( $m[3] ?? '', 2, '0' ) );
	}

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
	 * @throws \PetWp\Input_Exception When a percentage is malformed.
	 */
	public static function content( array $posted ): array {
		$groups = array();
		foreach ( $posted as $gi => $g ) {
			if ( ! is_array( $g ) || ! empty( $g['remove'] ) ) {
				continue;
			}
			$lines = array();
			foreach ( (array) ( $g['lines'] ?? array() ) as $li => $l ) {
				if ( ! is_array( $l ) || ! empty( $l['remove'] ) || '' === trim( (string) ( $l['description'] ?? '' ) ) ) {
					continue;
				}
				$field = "groups.$gi.lines.$li";
				$line  = array(
					'line_id'     => (string) ( $l['line_id'] ?? '' ),
					'kind'        => (string) ( $l['kind'] ?? 'fixed_fee' ),
					'description' => (string) $l['description'],
					'quantity'    => preg_match( '/^-?\d{1,12}$/', trim( (string) ( $l['quantity'] ?? '' ) ) ) ? (int) $l['quantity'] : (string) ( $l['quantity'] ?? '' ),
					// A blank tax rate means no tax (the form's stated default).
					'tax_rate_bp' => self::basis_points( (string) ( $l['tax_rate'] ?? '' ), "$field.tax_rate_bp" ) ?? 0,
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
					$bp = self::basis_points( $discount, "$field.discount.basis_points" );
					if ( null !== $bp && 0 !== $bp ) {
						$line['discount'] = array(
							'type'         => 'percent',
							'basis_points' => $bp,
						);
					}
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
