<?php
/**
 * Admin notices: flash messages kept across the post/redirect/get round trip, and the
 * rendering of any exception (field errors included) as an error notice.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Per-user flash notices stored in a short-lived transient.
 */
final class Notices {

	/**
	 * Transient key for the current user.
	 */
	private static function key(): string {
		return 'pet_notices_' . get_current_user_id();
	}

	/**
	 * Queues a notice for the next page the current user sees.
	 *
	 * @param string               $type    'success', 'error', 'warning' or 'info'.
	 * @param string               $message Plain text.
	 * @param array<string,string> $fields  Field errors (field => message).
	 */
	public static function add( string $type, string $message, array $fields = array() ): void {
		$notices   = get_transient( self::key() );
		$notices   = is_array( $notices ) ? $notices : array();
		$notices[] = array(
			'type'    => $type,
			'message' => $message,
			'fields'  => $fields,
		);
		set_transient( self::key(), $notices, 5 * MINUTE_IN_SECONDS );
	}

	/**
	 * Queues the error notice describing a throwable.
	 *
	 * @param \Throwable $e What went wrong.
	 */
	public static function add_throwable( \Throwable $e ): void {
		$n = self::describe( $e );
		self::add( 'error', $n['message'], $n['fields'] );
	}

	/**
	 * Message and field errors for a throwable. PET exceptions carry user-facing messages;
	 * anything else (a PHP error, a Rust panic rethrown as \Error) is logged and summarised.
	 *
	 * @param \Throwable $e What went wrong.
	 * @return array{message:string,fields:array<string,string>}
	 */
	public static function describe( \Throwable $e ): array {
		$fields = array();
		if ( $e instanceof \Pet\ValidationException ) {
			foreach ( $e->getFieldErrors() as $field => $msg ) {
				$fields[ (string) $field ] = (string) $msg;
			}
		}
		if ( $e instanceof \Pet\Exception || $e instanceof No_Employee_Exception || $e instanceof Input_Exception ) {
			$message = $e->getMessage();
			if ( $e instanceof Input_Exception ) {
				$fields = $e->fields;
			}
		} else {
			Plugin::log( 'unexpected ' . get_class( $e ) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine() );
			// The technical message only for administrators; everyone else is told where it is.
			$message = current_user_can( 'manage_options' )
				? sprintf(
					/* translators: %s: technical error message */
					__( 'Unexpected error (details in the PHP error log): %s', 'pet' ),
					$e->getMessage()
				)
				: __( 'Unexpected error. An administrator can find the details in the PHP error log.', 'pet' );
		}
		return array(
			'message' => $message,
			'fields'  => $fields,
		);
	}

	/**
	 * Prints and clears the queued notices (hooked on admin_notices).
	 */
	public static function render_queued(): void {
		$notices = get_transient( self::key() );
		if ( ! is_array( $notices ) || array() === $notices ) {
			return;
		}
		delete_transient( self::key() );
		foreach ( $notices as $n ) {
			self::render( (string) $n['type'], (string) $n['message'], (array) $n['fields'] );
		}
	}

	/**
	 * Prints one notice.
	 *
	 * @param string               $type    'success', 'error', 'warning' or 'info'.
	 * @param string               $message Plain text.
	 * @param array<string,string> $fields  Field errors.
	 */
	public static function render( string $type, string $message, array $fields = array() ): void {
		$type = in_array( $type, array( 'success', 'error', 'warning', 'info' ), true ) ? $type : 'info';
		echo '<div class="notice notice-' . esc_attr( $type ) . ' is-dismissible pet-notice"><p>' . esc_html( $message ) . '</p>';
		if ( array() !== $fields ) {
			echo '<ul class="pet-field-errors">';
			foreach ( $fields as $field => $msg ) {
				echo '<li><code>' . esc_html( (string) $field ) . '</code>: ' . esc_html( (string) $msg ) . '</li>';
			}
			echo '</ul>';
		}
		echo '</div>';
	}

	/**
	 * Prints the error notice for a throwable right away (used while rendering a screen).
	 *
	 * @param \Throwable $e What went wrong.
	 */
	public static function render_throwable( \Throwable $e ): void {
		$n = self::describe( $e );
		self::render( 'error', $n['message'], $n['fields'] );
	}
}
