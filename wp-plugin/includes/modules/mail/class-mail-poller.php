<?php
/**
 * The reply mailbox's poller (issue 17, replies by email): WP-Cron opens the mailbox with
 * PHP's IMAP functions over TLS (implicit TLS or STARTTLS; the certificate verified unless
 * turned off), reads the unseen messages, decodes them (text/plain preferred, HTML turned into
 * text, charsets converted to UTF-8, attachments in base64 within the engine's size limits)
 * and hands each to the engine (\Pet\Mail::receiveMail), which decides what it is. A message
 * is flagged \Seen only after the engine took it, so a crash reads it again and the engine's
 * Message-ID idempotency keeps it once. One message the engine refuses (a validation error)
 * is flagged \Seen and \Flagged so it does not come back every minute; any other failure
 * leaves it unseen for the next run; neither stops the rest. The last poll's outcome is kept
 * for the Email screen and a notice.
 *
 * Settings: the Email screen (option pet_mail_imap; the password encrypted by the engine with
 * the site's secret key, as the QuickBooks credentials are), each overridden by a wp-config
 * constant (PET_MAIL_IMAP_HOST, _PORT, _ENCRYPTION, _VERIFY_CERT, _USER, _PASSWORD, _FOLDER).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Mail;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Mailbox settings, connection and polling.
 */
final class Mail_Poller {

	/** Option: the mailbox settings (the password sealed). */
	public const OPTION = 'pet_mail_imap';

	/** Option: the last poll's outcome. */
	public const STATUS_OPTION = 'pet_mail_imap_status';

	/** Option: the lock that keeps two polls from overlapping (its value: when it expires). */
	public const LOCK_OPTION = 'pet_mail_imap_lock';

	/** How long a poll may hold the lock before another may take it (a crashed run). */
	public const LOCK_SECONDS = 300;

	/** At most this many messages per poll (the rest wait for the next minute). */
	public const BATCH = 50;

	/** The wp-config constant of each setting. */
	public const CONSTANTS = array(
		'host'       => 'PET_MAIL_IMAP_HOST',
		'port'       => 'PET_MAIL_IMAP_PORT',
		'encryption' => 'PET_MAIL_IMAP_ENCRYPTION',
		'verify'     => 'PET_MAIL_IMAP_VERIFY_CERT',
		'user'       => 'PET_MAIL_IMAP_USER',
		'password'   => 'PET_MAIL_IMAP_PASSWORD',
		'folder'     => 'PET_MAIL_IMAP_FOLDER',
	);

	/** Whether PHP's IMAP extension is loaded. */
	public static function available(): bool {
		return function_exists( 'imap_open' );
	}

	/**
	 * The stored settings (no password): host, port, encryption (ssl|starttls), verify, user,
	 * folder, has_password.
	 *
	 * @return array{host:string,port:int,encryption:string,verify:bool,user:string,folder:string,has_password:bool}
	 */
	public static function stored(): array {
		$o = get_option( self::OPTION, array() );
		$o = is_array( $o ) ? $o : array();
		return array(
			'host'         => (string) ( $o['host'] ?? '' ),
			'port'         => (int) ( $o['port'] ?? 993 ),
			'encryption'   => 'starttls' === ( $o['encryption'] ?? 'ssl' ) ? 'starttls' : 'ssl',
			'verify'       => (bool) ( $o['verify'] ?? true ),
			'user'         => (string) ( $o['user'] ?? '' ),
			'folder'       => (string) ( $o['folder'] ?? 'INBOX' ),
			'has_password' => '' !== (string) ( $o['password_sealed'] ?? '' ),
		);
	}

	/**
	 * Which settings a wp-config constant sets (the screen shows them read-only).
	 *
	 * @return array<string,string> setting => constant name
	 */
	public static function overridden(): array {
		$out = array();
		foreach ( self::CONSTANTS as $k => $c ) {
			if ( defined( $c ) ) {
				$out[ $k ] = $c;
			}
		}
		return $out;
	}

	/**
	 * Saves the settings; an empty password keeps the stored one. Bad input: an
	 * Input_Exception naming the fields, nothing saved.
	 *
	 * @param array $in host, port, encryption, verify, user, password, folder.
	 * @throws \PetWp\Input_Exception When a field is not valid.
	 */
	public static function save( array $in ): void {
		$errors = array();
		$host   = trim( (string) ( $in['host'] ?? '' ) );
		if ( '' !== $host && ! preg_match( '/^[A-Za-z0-9.\-]+$|^\[[0-9A-Fa-f:.]+\]$/', $host ) ) {
			$errors['host'] = __( 'must be a host name or an IP address', 'pet' );
		}
		$port_raw = trim( (string) ( $in['port'] ?? '' ) );
		$port     = '' === $port_raw ? 993 : ( ctype_digit( $port_raw ) ? (int) $port_raw : 0 );
		if ( $port < 1 || $port > 65535 ) {
			$errors['port'] = __( 'must be a port number (1–65535)', 'pet' );
		}
		$encryption = (string) ( $in['encryption'] ?? 'ssl' );
		if ( ! in_array( $encryption, array( 'ssl', 'starttls' ), true ) ) {
			$errors['encryption'] = __( 'must be SSL/TLS or STARTTLS', 'pet' );
		}
		$user   = trim( (string) ( $in['user'] ?? '' ) );
		$folder = trim( (string) ( $in['folder'] ?? '' ) );
		$folder = '' === $folder ? 'INBOX' : $folder;
		if ( preg_match( '/[\x00-\x1f{}]/', $folder . $user ) ) {
			$errors['folder'] = __( 'must not hold control characters or braces', 'pet' );
		}
		if ( array() !== $errors ) {
			throw new \PetWp\Input_Exception( __( 'Please correct the form.', 'pet' ), $errors );
		}
		$old    = get_option( self::OPTION, array() );
		$old    = is_array( $old ) ? $old : array();
		$sealed = (string) ( $old['password_sealed'] ?? '' );
		$pass   = (string) ( $in['password'] ?? '' );
		if ( '' !== $pass ) {
			$sealed = (string) Mail_Sender::engine()->sealMailboxPassword( $pass )['sealed'];
		}
		update_option(
			self::OPTION,
			array(
				'host'            => $host,
				'port'            => $port,
				'encryption'      => $encryption,
				'verify'          => ! empty( $in['verify'] ),
				'user'            => $user,
				'folder'          => $folder,
				'password_sealed' => $sealed,
			),
			false
		);
	}

	/**
	 * The settings in effect (constants over stored values), with the password in clear.
	 *
	 * @return array{host:string,port:int,encryption:string,verify:bool,user:string,password:string,folder:string}
	 */
	public static function config(): array {
		$s = self::stored();
		$o = get_option( self::OPTION, array() );
		$o = is_array( $o ) ? $o : array();
		$c = array(
			'host'       => $s['host'],
			'port'       => $s['port'],
			'encryption' => $s['encryption'],
			'verify'     => $s['verify'],
			'user'       => $s['user'],
			'password'   => '',
			'folder'     => $s['folder'],
		);
		foreach ( self::CONSTANTS as $k => $name ) {
			if ( defined( $name ) ) {
				$v = constant( $name );
				if ( 'port' === $k ) {
					$c[ $k ] = (int) $v;
				} elseif ( 'verify' === $k ) {
					$c[ $k ] = (bool) $v;
				} elseif ( 'encryption' === $k ) {
					$c[ $k ] = 'starttls' === strtolower( (string) $v ) ? 'starttls' : 'ssl';
				} else {
					$c[ $k ] = (string) $v;
				}
			}
		}
		if ( ! defined( self::CONSTANTS['password'] ) && '' !== (string) ( $o['password_sealed'] ?? '' ) ) {
			$c['password'] = (string) Mail_Sender::engine()->openMailboxPassword( (string) $o['password_sealed'] )['password'];
		}
		return $c;
	}

	/** Whether a mailbox is set up (host and user). */
	public static function configured(): bool {
		$defined = static fn ( string $k ): bool => defined( self::CONSTANTS[ $k ] ) && '' !== (string) constant( self::CONSTANTS[ $k ] );
		$s       = self::stored();
		return ( $defined( 'host' ) || '' !== $s['host'] ) && ( $defined( 'user' ) || '' !== $s['user'] );
	}

	/**
	 * The c-client mailbox reference of a configuration: {host:port/imap/ssl} or
	 * {host:port/imap/tls-sslv23} (STARTTLS with TLS 1.2 and later; c-client's plain /tls
	 * offers TLS 1.0 only), /novalidate-cert when verification is off, and the folder (in
	 * IMAP's modified UTF-7).
	 *
	 * @param array $c           config().
	 * @param bool  $with_folder Whether to name the folder.
	 */
	public static function mailbox_ref( array $c, bool $with_folder = true ): string {
		$flags = 'starttls' === $c['encryption'] ? '/imap/tls-sslv23' : '/imap/ssl';
		$flags .= $c['verify'] ? '/validate-cert' : '/novalidate-cert';
		return '{' . $c['host'] . ':' . (int) $c['port'] . $flags . '}' . ( $with_folder ? (string) mb_convert_encoding( $c['folder'], 'UTF7-IMAP', 'UTF-8' ) : '' );
	}

	/** The addresses that are the mailbox's own: the reply address and the user (when an address). */
	public static function own_addresses(): array {
		$own   = array();
		$reply = (string) get_option( Mail_Sender::REPLY_OPTION, '' );
		if ( is_email( $reply ) ) {
			$own[] = strtolower( $reply );
		}
		$user = (string) ( defined( self::CONSTANTS['user'] ) ? constant( self::CONSTANTS['user'] ) : self::stored()['user'] );
		if ( is_email( $user ) ) {
			$own[] = strtolower( $user );
		}
		return array_values( array_unique( $own ) );
	}

	/**
	 * Opens the mailbox: the IMAP\Connection, or a \RuntimeException with the server's or
	 * the library's reason (the password never in it).
	 *
	 * @param array $c config().
	 * @throws \RuntimeException When the extension is missing, nothing is set up, or the connection fails.
	 * @return \IMAP\Connection|resource
	 */
	public static function open( array $c ) {
		if ( ! self::available() ) {
			throw new \RuntimeException( __( 'The PHP IMAP extension is missing: install it (Debian: apt install php8.2-imap) to read replies by email.', 'pet' ) );
		}
		if ( '' === $c['host'] || '' === $c['user'] ) {
			throw new \RuntimeException( __( 'No mailbox is set up (host and user).', 'pet' ) );
		}
		imap_timeout( IMAP_OPENTIMEOUT, 15 );
		imap_timeout( IMAP_READTIMEOUT, 30 );
		imap_timeout( IMAP_WRITETIMEOUT, 30 );
		// OP_SILENT is not used: c-client's errors are read through imap_errors() below.
		$mbox   = @imap_open( self::mailbox_ref( $c ), $c['user'], $c['password'], 0, 1, array( 'DISABLE_AUTHENTICATOR' => array( 'GSSAPI', 'NTLM' ) ) ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- the reason comes from imap_errors().
		$errors = imap_errors();
		imap_alerts();
		if ( false === $mbox ) {
			$reason = is_array( $errors ) && array() !== $errors ? implode( '; ', array_unique( array_map( 'strval', $errors ) ) ) : (string) imap_last_error();
			$reason = str_replace( $c['password'], '***', $reason );
			/* translators: 1: host:port, 2: the server's or library's reason. */
			throw new \RuntimeException( sprintf( __( 'Could not open the mailbox at %1$s: %2$s', 'pet' ), $c['host'] . ':' . (int) $c['port'], '' === $reason ? __( 'no reason given', 'pet' ) : $reason ) );
		}
		return $mbox;
	}

	/**
	 * Tests the connection: the number of messages and unseen ones in the folder.
	 *
	 * @return array{messages:int,unseen:int}
	 */
	public static function test(): array {
		$c    = self::config();
		$mbox = self::open( $c );
		try {
			$st = imap_status( $mbox, self::mailbox_ref( $c ), SA_MESSAGES | SA_UNSEEN );
			return array(
				'messages' => $st ? (int) $st->messages : (int) imap_num_msg( $mbox ),
				'unseen'   => $st ? (int) $st->unseen : 0,
			);
		} finally {
			imap_close( $mbox );
			imap_errors();
		}
	}

	/** WP-Cron (every minute): polls when a mailbox is set up; never throws. */
	public static function cron(): void {
		if ( ! self::configured() ) {
			return;
		}
		try {
			self::poll();
		} catch ( \Throwable $e ) {
			Plugin::log( 'mailbox poll failed: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	}

	/**
	 * Takes the lock (an option added only when absent: an atomic insert); a lock past its
	 * expiry (a crashed run) is taken over.
	 */
	private static function lock(): bool {
		if ( add_option( self::LOCK_OPTION, (string) ( time() + self::LOCK_SECONDS ), '', false ) ) {
			return true;
		}
		global $wpdb;
		// An expired lock: replaced only if it still holds the expired value (one taker wins).
		$current = (string) $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::LOCK_OPTION ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- the lock must not come from a cache.
		if ( '' !== $current && (int) $current < time() ) {
			$taken = $wpdb->update( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- compare-and-set on the lock row.
				$wpdb->options,
				array( 'option_value' => (string) ( time() + self::LOCK_SECONDS ) ),
				array(
					'option_name'  => self::LOCK_OPTION,
					'option_value' => $current,
				)
			);
			wp_cache_delete( self::LOCK_OPTION, 'options' );
			return 1 === $taken;
		}
		return false;
	}

	/** Releases the lock. */
	private static function unlock(): void {
		delete_option( self::LOCK_OPTION );
	}

	/**
	 * Polls the mailbox once: {status: ok|error|busy, error?, read, threaded, opened, ignored,
	 * review, refused, failed, results}. Records the outcome (STATUS_OPTION) unless another
	 * poll is running (busy).
	 *
	 * @param int $limit At most this many messages.
	 */
	public static function poll( int $limit = self::BATCH ): array {
		$out = array(
			'status'   => 'ok',
			'read'     => 0,
			'threaded' => 0,
			'opened'   => 0,
			'ignored'  => 0,
			'review'   => 0,
			'refused'  => 0,
			'failed'   => 0,
			'results'  => array(),
		);
		if ( ! self::lock() ) {
			$out['status'] = 'busy';
			return $out;
		}
		try {
			try {
				$c    = self::config();
				$mbox = self::open( $c );
			} catch ( \Throwable $e ) {
				$out['status'] = 'error';
				$out['error']  = $e->getMessage();
				self::record( $out );
				Plugin::log( 'mailbox poll: ' . $e->getMessage() );
				return $out;
			}
			try {
				$uids = imap_search( $mbox, 'UNSEEN', SE_UID );
				$uids = is_array( $uids ) ? array_slice( $uids, 0, max( 1, $limit ) ) : array();
				$own  = self::own_addresses();
				foreach ( $uids as $uid ) {
					++$out['read'];
					$out['results'][] = self::take( $mbox, (int) $uid, $own, $out );
				}
				imap_errors();
			} finally {
				imap_close( $mbox );
				imap_errors();
				imap_alerts();
			}
			self::record( $out );
			return $out;
		} finally {
			self::unlock();
		}
	}

	/**
	 * Reads one message, hands it to the engine and flags it: one result row.
	 *
	 * @param \IMAP\Connection|resource $mbox The mailbox.
	 * @param int                       $uid  The message's UID.
	 * @param array                     $own  The mailbox's own addresses.
	 * @param array                     $out  The poll's counts (updated).
	 */
	private static function take( $mbox, int $uid, array $own, array &$out ): array {
		try {
			$msg                  = self::read( $mbox, $uid );
			$dropped              = (int) $msg['dropped'];
			$msg['own_addresses'] = $own;
			unset( $msg['dropped'] );
			$r = Mail_Sender::engine()->receiveMail( $msg );
		} catch ( \Pet\ValidationException $e ) {
			// The engine refuses it as it is: it would refuse it every minute. Kept in the
			// mailbox, flagged for a person to look at.
			imap_setflag_full( $mbox, (string) $uid, '\\Seen \\Flagged', ST_UID );
			++$out['refused'];
			Plugin::log( sprintf( 'mailbox message %d refused: %s %s', $uid, $e->getMessage(), wp_json_encode( $e->getFieldErrors() ) ) );
			return array(
				'uid'    => $uid,
				'status' => 'refused',
				'error'  => $e->getMessage(),
			);
		} catch ( \Throwable $e ) {
			// Left unseen: read again next time (the Message-ID keeps it once).
			++$out['failed'];
			Plugin::log( sprintf( 'mailbox message %d not taken (read again next time): %s: %s', $uid, get_class( $e ), $e->getMessage() ) );
			return array(
				'uid'    => $uid,
				'status' => 'failed',
				'error'  => $e->getMessage(),
			);
		}
		imap_setflag_full( $mbox, (string) $uid, '\\Seen', ST_UID );
		$status = (string) $r['status'];
		if ( isset( $out[ $status ] ) ) {
			++$out[ $status ];
		}
		return array(
			'uid'         => $uid,
			'id'          => (string) ( $r['id'] ?? '' ),
			'status'      => $status,
			'reason'      => (string) ( $r['reason'] ?? '' ),
			'ticket_id'   => $r['ticket_id'] ?? null,
			'message_id'  => $msg['message_id'],
			'attachments' => (int) ( $r['attachments'] ?? 0 ),
			'dropped'     => (int) ( $r['attachments_dropped'] ?? 0 ) + $dropped,
			'repeated'    => (bool) ( $r['repeated'] ?? false ),
		);
	}

	/**
	 * Keeps a poll's outcome for the Email screen and the notice.
	 *
	 * @param array $out The poll's result.
	 */
	private static function record( array $out ): void {
		unset( $out['results'] );
		$out['at'] = gmdate( 'Y-m-d H:i:s' );
		if ( 'ok' === $out['status'] ) {
			$out['last_ok'] = $out['at'];
		} else {
			$prev           = self::last();
			$out['last_ok'] = $prev['last_ok'] ?? null;
		}
		update_option( self::STATUS_OPTION, $out, false );
	}

	/** The last poll's outcome, or an empty array. */
	public static function last(): array {
		$s = get_option( self::STATUS_OPTION, array() );
		return is_array( $s ) ? $s : array();
	}

	// ---- reading a message -------------------------------------------------------------------

	/**
	 * One message as the engine takes it (without own_addresses; 'dropped': attachments left
	 * out for their size, not for the engine), read with FT_PEEK (reading sets no flag).
	 *
	 * @param \IMAP\Connection|resource $mbox The mailbox.
	 * @param int                       $uid  The message's UID.
	 * @throws \RuntimeException When the message cannot be read.
	 */
	public static function read( $mbox, int $uid ): array {
		$raw_head = imap_fetchheader( $mbox, $uid, FT_UID );
		if ( ! is_string( $raw_head ) || '' === $raw_head ) {
			throw new \RuntimeException( 'no header' );
		}
		$headers = self::header_lines( $raw_head );
		$parsed  = imap_rfc822_parse_headers( $raw_head );
		$from    = isset( $parsed->from[0] ) ? $parsed->from[0] : null;
		$email   = ( null !== $from && isset( $from->mailbox, $from->host ) ) ? $from->mailbox . '@' . $from->host : '';
		$to      = array();
		foreach ( array( 'to', 'cc' ) as $k ) {
			foreach ( (array) ( $parsed->$k ?? array() ) as $a ) {
				if ( isset( $a->mailbox, $a->host ) ) {
					$to[] = $a->mailbox . '@' . $a->host;
				}
			}
		}
		foreach ( array( 'delivered-to', 'x-original-to', 'envelope-to' ) as $k ) {
			foreach ( $headers[ $k ] ?? array() as $v ) {
				foreach ( imap_rfc822_parse_adrlist( $v, 'localhost' ) as $a ) {
					if ( isset( $a->mailbox, $a->host ) ) {
						$to[] = $a->mailbox . '@' . $a->host;
					}
				}
			}
		}
		$message_id = trim( (string) ( $headers['message-id'][0] ?? '' ) );
		if ( '' === $message_id || strlen( $message_id ) > 255 || preg_match( '/[^\x21-\x7e]/', $message_id ) ) {
			// No usable Message-ID: one made from the header, the same each time it is read.
			$message_id = '<pet-' . substr( hash( 'sha256', $raw_head ), 0, 40 ) . '@imap.invalid>';
		}
		$body  = array(
			'plain'       => null,
			'html'        => null,
			'attachments' => array(),
			'total'       => 0,
			'dropped'     => 0,
		);
		$struc = imap_fetchstructure( $mbox, $uid, FT_UID );
		if ( ! is_object( $struc ) ) {
			throw new \RuntimeException( 'no structure' );
		}
		self::walk( $mbox, $uid, $struc, '', $body );
		$text = $body['plain'] ?? ( null !== $body['html'] ? self::html_to_text( $body['html'] ) : '' );
		$msg  = array(
			'message_id'  => $message_id,
			'from_email'  => $email,
			'from_name'   => null !== $from && isset( $from->personal ) ? self::decode_header( (string) $from->personal ) : '',
			'subject'     => self::decode_header( (string) ( $headers['subject'][0] ?? '' ) ),
			'body'        => $text,
			'to'          => array_values( array_unique( array_map( 'strtolower', $to ) ) ),
			'x_autoreply' => isset( $headers['x-autoreply'] ) && 'no' !== strtolower( trim( (string) $headers['x-autoreply'][0] ) ),
			'x_pet_mail'  => isset( $headers['x-pet-mail'] ),
			'attachments' => $body['attachments'],
			'dropped'     => $body['dropped'],
		);
		foreach ( array(
			'auto-submitted' => 'auto_submitted',
			'precedence'     => 'precedence',
		) as $h => $k ) {
			if ( isset( $headers[ $h ] ) ) {
				$msg[ $k ] = trim( (string) $headers[ $h ][0] );
			}
		}
		return $msg;
	}

	/**
	 * A raw header block as lower-case name => list of unfolded values.
	 *
	 * @param string $raw The header block.
	 * @return array<string,list<string>>
	 */
	public static function header_lines( string $raw ): array {
		$raw = (string) preg_replace( "/\r?\n[ \t]+/", ' ', $raw );
		$out = array();
		foreach ( preg_split( "/\r?\n/", $raw ) as $line ) {
			$p = strpos( $line, ':' );
			if ( false === $p || 0 === $p ) {
				continue;
			}
			$out[ strtolower( trim( substr( $line, 0, $p ) ) ) ][] = trim( substr( $line, $p + 1 ) );
		}
		return $out;
	}

	/**
	 * An encoded header (RFC 2047) as UTF-8.
	 *
	 * @param string $v The raw value.
	 */
	public static function decode_header( string $v ): string {
		$d = iconv_mime_decode( $v, ICONV_MIME_DECODE_CONTINUE_ON_ERROR, 'UTF-8' );
		$d = false === $d ? $v : $d;
		return self::to_utf8( $d, 'UTF-8' );
	}

	/**
	 * Text in a charset as UTF-8 (invalid bytes replaced).
	 *
	 * @param string $s       The text.
	 * @param string $charset Its charset (empty: US-ASCII, read as UTF-8).
	 */
	public static function to_utf8( string $s, string $charset ): string {
		$charset = strtoupper( trim( $charset ) );
		if ( '' === $charset || 'US-ASCII' === $charset || 'UTF-8' === $charset || 'UTF8' === $charset ) {
			$charset = 'UTF-8';
		}
		if ( 'UTF-8' !== $charset ) {
			$known = array_map( 'strtoupper', mb_list_encodings() );
			if ( in_array( $charset, $known, true ) ) {
				return (string) mb_convert_encoding( $s, 'UTF-8', $charset );
			}
			$c = @iconv( $charset, 'UTF-8//TRANSLIT', $s ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- an unknown charset falls back below.
			if ( false !== $c ) {
				return $c;
			}
		}
		return mb_check_encoding( $s, 'UTF-8' ) ? $s : (string) mb_convert_encoding( $s, 'UTF-8', 'UTF-8' );
	}

	/**
	 * The parameters of a part (attribute => value, lower-case attributes), RFC 2231 names too.
	 *
	 * @param object $part A part of imap_fetchstructure().
	 */
	private static function params( $part ): array {
		$out = array();
		foreach ( array( 'parameters', 'dparameters' ) as $k ) {
			if ( ! empty( $part->{'if' . $k} ) && is_array( $part->$k ) ) {
				foreach ( $part->$k as $p ) {
					$attr = strtolower( (string) $p->attribute );
					$val  = (string) $p->value;
					if ( str_ends_with( $attr, '*' ) && preg_match( "/^([^']*)'[^']*'(.*)$/", $val, $m ) ) {
						$attr = rtrim( $attr, '*' );
						$val  = self::to_utf8( rawurldecode( $m[2] ), $m[1] );
					}
					$out[ $attr ] = $val;
				}
			}
		}
		return $out;
	}

	/**
	 * Walks the MIME tree: the first text/plain and text/html bodies (not attachments) and the
	 * attachments (within the engine's limits; larger ones dropped and counted).
	 *
	 * @param \IMAP\Connection|resource $mbox    The mailbox.
	 * @param int                       $uid     The message's UID.
	 * @param object                    $part    The part.
	 * @param string                    $section Its section number ('' = the message).
	 * @param array                     $body    What was found (updated).
	 */
	private static function walk( $mbox, int $uid, $part, string $section, array &$body ): void {
		$type = (int) ( $part->type ?? 0 );
		if ( TYPEMULTIPART === $type && ! empty( $part->parts ) ) {
			foreach ( $part->parts as $i => $sub ) {
				self::walk( $mbox, $uid, $sub, ( '' === $section ? '' : $section . '.' ) . ( $i + 1 ), $body );
			}
			return;
		}
		$params      = self::params( $part );
		$subtype     = strtolower( (string) ( $part->subtype ?? '' ) );
		$disposition = ! empty( $part->ifdisposition ) ? strtolower( (string) $part->disposition ) : '';
		$name        = (string) ( $params['filename'] ?? ( $params['name'] ?? '' ) );
		$is_text     = TYPETEXT === $type && in_array( $subtype, array( 'plain', 'html' ), true );
		$attachment  = 'attachment' === $disposition || ( '' !== $name && ! $is_text ) || ( ! $is_text && TYPEMESSAGE !== $type );
		$sec         = '' === $section ? '1' : $section;
		if ( TYPEMESSAGE === $type && 'rfc822' === $subtype && '' === $name ) {
			// A forwarded message: kept as an .eml attachment.
			$name       = 'message.eml';
			$attachment = true;
		}
		if ( $attachment ) {
			$bytes = (int) ( $part->bytes ?? 0 );
			// Base64 is 4/3 of the content: skip reading what is surely over the limit.
			// The limits are the engine's (Pet\Mail::maxAttachmentBytes() / maxAttachmentsTotal()).
			$max   = \Pet\Mail::maxAttachmentBytes();
			$total = \Pet\Mail::maxAttachmentsTotal();
			if ( $bytes > $max * 4 / 3 + 4096 ) {
				++$body['dropped'];
				return;
			}
			$data = self::decode( (string) imap_fetchbody( $mbox, $uid, $sec, FT_UID | FT_PEEK ), (int) ( $part->encoding ?? 0 ) );
			if ( strlen( $data ) > $max || $body['total'] + strlen( $data ) > $total ) {
				++$body['dropped'];
				return;
			}
			$body['total']        += strlen( $data );
			$mime                  = strtolower( self::type_name( $type ) . '/' . ( '' === $subtype ? 'octet-stream' : $subtype ) );
			$body['attachments'][] = array(
				'filename'       => '' === $name ? 'attachment' : self::decode_header( $name ),
				'mime_type'      => $mime,
				'content_base64' => base64_encode( $data ), // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the engine's transfer format.
			);
			return;
		}
		if ( $is_text && null === $body[ $subtype ] ) {
			$data               = self::decode( (string) imap_fetchbody( $mbox, $uid, $sec, FT_UID | FT_PEEK ), (int) ( $part->encoding ?? 0 ) );
			$body[ $subtype ] = self::to_utf8( $data, (string) ( $params['charset'] ?? '' ) );
		}
	}

	/**
	 * The MIME top-level type name of imap_fetchstructure's number.
	 *
	 * @param int $type TYPE* constant.
	 */
	private static function type_name( int $type ): string {
		$names = array( 'text', 'multipart', 'message', 'application', 'audio', 'image', 'video', 'model', 'application' );
		return $names[ $type ] ?? 'application';
	}

	/**
	 * A part's content decoded from its transfer encoding.
	 *
	 * @param string $data     The raw content.
	 * @param int    $encoding ENC* constant.
	 */
	private static function decode( string $data, int $encoding ): string {
		if ( ENCBASE64 === $encoding ) {
			$d = base64_decode( $data ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- MIME content.
			return false === $d ? '' : $d;
		}
		if ( ENCQUOTEDPRINTABLE === $encoding ) {
			return quoted_printable_decode( $data );
		}
		return $data;
	}

	/**
	 * An HTML body as plain text: blocks and line breaks kept as lines, a quoted block
	 * (blockquote) as "> " lines so the engine strips it like quoted text, tags removed,
	 * entities decoded.
	 *
	 * @param string $html The HTML.
	 */
	public static function html_to_text( string $html ): string {
		$html = (string) preg_replace( '#<(script|style|head)\b[^>]*>.*?</\1>#is', '', $html );
		$html = (string) preg_replace_callback(
			'#<blockquote\b[^>]*>(.*?)</blockquote>#is',
			static function ( array $m ): string {
				$inner = self::html_to_text( $m[1] );
				return "\n" . implode( "\n", array_map( static fn ( string $l ): string => '> ' . $l, explode( "\n", $inner ) ) ) . "\n";
			},
			$html
		);
		$html = (string) preg_replace( '#<br\s*/?>#i', "\n", $html );
		$html = (string) preg_replace( '#</(p|div|li|tr|h[1-6])\s*>#i', "\n", $html );
		$text = html_entity_decode( wp_strip_all_tags( $html, false ), ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		$text = (string) preg_replace( "/[ \t]+\n/", "\n", $text );
		return trim( (string) preg_replace( "/\n{3,}/", "\n\n", $text ) );
	}
}
