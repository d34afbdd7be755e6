<?php
/**
 * PET's personal data in WordPress's privacy tools (Tools → Export Personal Data and Erase
 * Personal Data): an exporter and an eraser matched by e-mail address. WordPress checks its
 * own capabilities (export_others_personal_data, erase_others_personal_data) and nonce
 * before it calls them; the eraser also requires pet_manage_people. The engine decides what
 * is personal — people's names and addresses, and the ticket messages a contact wrote — and
 * erases it by crypto-shredding (README, "Answering a privacy request").
 *
 * @package PetWp
 */

namespace PetWp\Modules\Identity;

use PetWp\Access;
use PetWp\No_Employee_Exception;
use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * The exporter and eraser callbacks.
 */
class Identity_Privacy {

	/** Exporter and eraser id. */
	public const ID = 'pet';

	/**
	 * The plugin.
	 *
	 * @var Plugin
	 */
	private Plugin $plugin;

	/**
	 * Over the plugin's engine objects.
	 *
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Hooks the exporter and eraser lists.
	 */
	public function register(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( $this, 'exporters' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( $this, 'erasers' ) );
	}

	/**
	 * Adds PET's exporter.
	 *
	 * @param array<string,mixed> $exporters Exporters by id.
	 * @return array<string,mixed>
	 */
	public function exporters( $exporters ): array {
		$exporters             = is_array( $exporters ) ? $exporters : array();
		$exporters[ self::ID ] = array(
			'exporter_friendly_name' => __( 'PET (employees and customer contacts)', 'pet' ),
			'callback'               => array( $this, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Adds PET's eraser.
	 *
	 * @param array<string,mixed> $erasers Erasers by id.
	 * @return array<string,mixed>
	 */
	public function erasers( $erasers ): array {
		$erasers               = is_array( $erasers ) ? $erasers : array();
		$erasers[ self::ID ] = array(
			'eraser_friendly_name' => __( 'PET (employees and customer contacts)', 'pet' ),
			'callback'             => array( $this, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * The labels of the exported fields.
	 *
	 * @return array<string,string>
	 */
	private static function labels(): array {
		return array(
			'name'       => __( 'Name', 'pet' ),
			'email'      => __( 'Email', 'pet' ),
			'phone'      => __( 'Phone', 'pet' ),
			'status'     => __( 'Status', 'pet' ),
			'wp_user_id' => __( 'Linked WordPress user', 'pet' ),
			'rates'      => __( 'Rates', 'pet' ),
			'customer'   => __( 'Customer', 'pet' ),
			'created_at' => __( 'Recorded', 'pet' ),
			'ticket'     => __( 'Ticket', 'pet' ),
			'date'       => __( 'Date', 'pet' ),
			'message'    => __( 'Message', 'pet' ),
		);
	}

	/**
	 * Exporter callback: the personal data PET holds about an address.
	 *
	 * @param string $email Address.
	 * @param int    $page  Page (from 1).
	 * @return array{data:list<array<string,mixed>>,done:bool}
	 */
	public function export( $email, $page = 1 ): array {
		try {
			$r = $this->plugin->identity()->exportPersonalData(
				array(
					'email' => (string) $email,
					'page'  => max( 1, (int) $page ),
				)
			);
		} catch ( \Pet\ValidationException $e ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$labels = self::labels();
		$groups = array(
			'employee' => __( 'PET employee', 'pet' ),
			'contact'  => __( 'PET customer contact', 'pet' ),
			'message'  => __( 'PET ticket message', 'pet' ),
		);
		$data   = array();
		foreach ( (array) $r['items'] as $item ) {
			$fields = array();
			foreach ( (array) $item['fields'] as $key => $value ) {
				if ( null === $value || array() === $value || ! isset( $labels[ $key ] ) ) {
					continue;
				}
				$fields[] = array(
					'name'  => $labels[ $key ],
					'value' => is_array( $value ) ? implode( '; ', array_map( 'strval', $value ) ) : (string) $value,
				);
			}
			$group  = (string) $item['group'];
			$data[] = array(
				'group_id'    => 'pet-' . $group,
				'group_label' => $groups[ $group ] ?? $group,
				'item_id'     => 'pet-' . $group . '-' . (string) $item['id'],
				'data'        => $fields,
			);
		}
		return array(
			'data' => $data,
			'done' => (bool) $r['done'],
		);
	}

	/**
	 * Eraser callback: erases the personal data of everyone PET knows with this address.
	 *
	 * @param string $email Address.
	 * @param int    $page  Page (unused: each call erases the next contacts until done).
	 * @return array{items_removed:bool,items_retained:bool,messages:list<string>,done:bool}
	 */
	public function erase( $email, $page = 1 ): array {
		unset( $page );
		if ( ! current_user_can( Access::MANAGE_PEOPLE ) ) {
			return array(
				'items_removed'  => false,
				'items_retained' => true,
				'messages'       => array( __( 'PET data was not erased: erasing it needs the capability to manage people in PET (pet_manage_people).', 'pet' ) ),
				'done'           => true,
			);
		}
		try {
			$context = $this->plugin->context();
		} catch ( No_Employee_Exception $e ) {
			// An administrator who is not an employee acts as the system.
			$context = array( 'actor_id' => null );
		}
		try {
			$r = $this->plugin->identity()->erasePersonalData( array( 'email' => (string) $email ), $context );
		} catch ( \Pet\ValidationException $e ) {
			return array(
				'items_removed'  => false,
				'items_retained' => false,
				'messages'       => array(),
				'done'           => true,
			);
		} catch ( \Pet\Exception $e ) {
			Plugin::log( 'privacy erasure failed: ' . $e->getMessage() );
			return array(
				'items_removed'  => false,
				'items_retained' => true,
				'messages'       => array( __( 'PET could not erase this person\'s data; the error is in the PHP log.', 'pet' ) ),
				'done'           => true,
			);
		}
		$messages = array();
		// A contact's portal login went with them: the WordPress user stays (WordPress's own
		// tools handle it), without the PET Customer role once it is nobody's portal user.
		$revoked = (array) ( $r['portal_access_revoked'] ?? array() );
		if ( array() !== $revoked ) {
			$portal = new \Pet\Portal( Plugin::engine_settings() );
			foreach ( $revoked as $access ) {
				\PetWp\Modules\Portal\Portal_Front::drop_role_if_unlinked( $portal, (int) $access['wp_user_id'] );
			}
			$messages[] = sprintf(
				/* translators: %d: number of WordPress users */
				_n(
					'PET: the customer portal access of %d WordPress user was revoked; the user account itself remains (erase it with WordPress\'s tools if it should go).',
					'PET: the customer portal access of %d WordPress users was revoked; the user accounts themselves remain (erase them with WordPress\'s tools if they should go).',
					count( $revoked ),
					'pet'
				),
				count( $revoked )
			);
		}
		$legacy = (int) $r['legacy_plaintext_events'];
		if ( $legacy > 0 ) {
			$messages[] = sprintf(
				/* translators: %d: number of events */
				_n(
					'PET: %d event recorded before personal data was encrypted still holds this person\'s data in the append-only log; PET shows its placeholder ("Erased person", "(message erased)") everywhere.',
					'PET: %d events recorded before personal data was encrypted still hold this person\'s data in the append-only log; PET shows their placeholders ("Erased person", "(message erased)") everywhere.',
					$legacy,
					'pet'
				),
				$legacy
			);
		}
		return array(
			'items_removed'  => array() !== (array) $r['erased'],
			'items_retained' => $legacy > 0,
			'messages'       => $messages,
			'done'           => (bool) $r['done'],
		);
	}
}
