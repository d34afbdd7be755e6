<?php
/**
 * Request input, kept as the user typed it: one-line values are unslashed with line breaks
 * and tabs folded to spaces and the ends trimmed (line()); long texts (article bodies, ticket
 * replies, comments) keep their line breaks (long_text()). Nothing else is removed: the engine
 * validates every value (UTF-8, length, format) and binds it as a parameter, and every screen
 * escapes on output, so a subject like "Upgrade <PHP 8>" or a URL with %20 survives.
 * Plus the presentation-level conversions of form fields (decimal amounts, local date-times).
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * A form value that could not be read (shown like a validation error).
 */
class Input_Exception extends \RuntimeException {

	/** @var array<string,string> field => message */
	public $fields;

	/**
	 * @param string               $message Summary.
	 * @param array<string,string> $fields  Field errors.
	 */
	public function __construct( string $message, array $fields ) {
		parent::__construct( $message );
		$this->fields = $fields;
	}
}

/**
 * A request for something the user may not do with these values (e.g. another employee's
 * time without pet_manage_delivery): shown like a validation error, 403 over REST.
 */
class Forbidden_Exception extends Input_Exception {}

/**
 * Reads and converts request values.
 */
final class Input {

	/**
	 * A long text from the POST body, kept as the user wrote it: unslashed, line breaks as
	 * "\n", nothing else removed. sanitize_textarea_field() would strip tags and %XX
	 * sequences, losing code samples and URLs in article bodies and ticket replies. This is
	 * safe because the engine validates the text (UTF-8, length) and stores it with bound
	 * parameters, and every screen escapes it on output (esc_html / esc_textarea).
	 *
	 * @param string $key Field name.
	 */
	public static function long_text( string $key ): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- callers verify the nonce first.
		if ( isset( $_POST[ $key ] ) && is_string( $_POST[ $key ] ) ) {
			// phpcs:ignore WordPress.Security.NonceVerification.Missing, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- verbatim by design, see above.
			return self::long_text_value( wp_unslash( $_POST[ $key ] ) );
		}
		return '';
	}

	/**
	 * A long text value (e.g. from a REST body, already unslashed): line breaks as "\n".
	 *
	 * @param string $value The text.
	 */
	public static function long_text_value( string $value ): string {
		return str_replace( array( "\r\n", "\r" ), "\n", $value );
	}

	/**
	 * A one-line value as typed: line breaks and tabs become spaces, the ends are trimmed,
	 * nothing else changes (see the file comment for why this is safe).
	 *
	 * @param string $value Unslashed value.
	 */
	public static function line( string $value ): string {
		return trim( (string) preg_replace( '/[\r\n\t]+/', ' ', $value ) );
	}

	/**
	 * A one-line text value from the request ($_POST first, then $_GET), see line(); '' when
	 * absent.
	 *
	 * @param string $key Field name.
	 */
	public static function text( string $key ): string {
		// phpcs:disable WordPress.Security.NonceVerification, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- callers verify the nonce first; kept as typed by design (line()).
		if ( isset( $_POST[ $key ] ) && is_string( $_POST[ $key ] ) ) {
			return self::line( wp_unslash( $_POST[ $key ] ) );
		}
		if ( isset( $_GET[ $key ] ) && is_string( $_GET[ $key ] ) ) {
			return self::line( wp_unslash( $_GET[ $key ] ) );
		}
		// phpcs:enable
		return '';
	}

	/**
	 * A nested array from $_POST (e.g. the rows of an editor), every leaf a one-line string
	 * (line()); an empty array when absent.
	 *
	 * @param string $key Top-level key.
	 */
	public static function posted_array( string $key ): array {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- callers verify the nonce first; every leaf is sanitized below.
		$raw   = isset( $_POST[ $key ] ) && is_array( $_POST[ $key ] ) ? wp_unslash( $_POST[ $key ] ) : array();
		$clean = static function ( $v ) use ( &$clean ) {
			if ( is_array( $v ) ) {
				return array_map( $clean, $v );
			}
			return self::line( (string) $v );
		};
		return array_map( $clean, $raw );
	}

	/**
	 * The text value, or null when empty.
	 *
	 * @param string $key Field name.
	 */
	public static function optional( string $key ): ?string {
		$v = self::text( $key );
		return '' === $v ? null : $v;
	}

	/**
	 * A positive integer (e.g. a WordPress user id), or null when empty or 0.
	 *
	 * @param string $key Field name.
	 * @throws Input_Exception When not a whole number.
	 */
	public static function optional_int( string $key ): ?int {
		$v = self::text( $key );
		if ( '' === $v || '0' === $v ) {
			return null;
		}
		if ( ! preg_match( '/^\d{1,18}$/', $v ) ) {
			throw new Input_Exception( __( 'Please correct the form.', 'pet' ), array( $key => __( 'must be a whole number', 'pet' ) ) );
		}
		return (int) $v;
	}

	/**
	 * A datetime-local value (site time zone) as an RFC 3339 UTC timestamp; now when empty.
	 *
	 * @param string $key Field name.
	 * @throws Input_Exception When not a date-time.
	 */
	public static function utc_timestamp( string $key ): string {
		$v = self::text( $key );
		if ( '' === $v ) {
			return gmdate( 'Y-m-d\TH:i:s\Z' );
		}
		$dt = \DateTimeImmutable::createFromFormat( 'Y-m-d\TH:i', $v, wp_timezone() );
		if ( false === $dt ) {
			$dt = \DateTimeImmutable::createFromFormat( 'Y-m-d\TH:i:s', $v, wp_timezone() );
		}
		if ( false === $dt ) {
			throw new Input_Exception( __( 'Please correct the form.', 'pet' ), array( $key => __( 'must be a date and time', 'pet' ) ) );
		}
		return $dt->setTimezone( new \DateTimeZone( 'UTC' ) )->format( 'Y-m-d\TH:i:s\Z' );
	}

	/**
	 * Today's date in the site's time zone (default for "valid from" fields).
	 */
	public static function today(): string {
		return wp_date( 'Y-m-d' );
	}
}
