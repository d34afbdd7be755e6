<?php
/**
 * scripts/mail-reply's work (see that script): builds the reply (or reads the .eml) and
 * appends it to the local mailbox with imap_append over TLS. Prints the appended message's
 * Message-ID.
 *
 * Env: PET_IMAP_PORT, PET_IMAP_PASSWORD, PET_MAIL_DIR.
 *
 * @package PetWp
 */

// phpcs:disable WordPress.WP.AlternativeFunctions -- a command-line script without WordPress.

/**
 * Stops with a message.
 *
 * @param string $msg The message.
 */
function pet_reply_die( string $msg ): void {
	fwrite( STDERR, "mail-reply: $msg\n" );
	exit( 1 );
}

/**
 * The newest caught message to $to: [headers (lower-case names, first value), text body].
 *
 * @param string $dir The catcher's Maildir.
 * @param string $to  The address.
 */
function pet_reply_last_sent( string $dir, string $to ): ?array {
	$files = glob( $dir . '/new/*' ) ? glob( $dir . '/new/*' ) : array();
	usort( $files, static fn ( $a, $b ) => filemtime( $b ) <=> filemtime( $a ) ?: strcmp( $b, $a ) );
	foreach ( $files as $file ) {
		$raw                = (string) file_get_contents( $file );
		list( $head, $body ) = array_pad( preg_split( "/\r?\n\r?\n/", $raw, 2 ), 2, '' );
		$head               = (string) preg_replace( "/\r?\n[ \t]+/", ' ', $head );
		$h                  = array();
		foreach ( preg_split( "/\r?\n/", $head ) as $line ) {
			if ( str_contains( $line, ':' ) ) {
				list( $k, $v ) = explode( ':', $line, 2 );
				$k             = strtolower( trim( $k ) );
				if ( ! isset( $h[ $k ] ) ) {
					$h[ $k ] = trim( $v );
				}
			}
		}
		if ( ! str_contains( strtolower( $h['to'] ?? '' ), strtolower( $to ) ) ) {
			continue;
		}
		$enc  = strtolower( $h['content-transfer-encoding'] ?? '' );
		$body = 'quoted-printable' === $enc ? quoted_printable_decode( $body ) : ( 'base64' === $enc ? (string) base64_decode( $body ) : $body );
		$text = trim( html_entity_decode( strip_tags( (string) preg_replace( '#<br\s*/?>|</p>#i', "\n", $body ) ), ENT_QUOTES | ENT_HTML5, 'UTF-8' ) );
		$h['subject'] = iconv_mime_decode( $h['subject'] ?? '', ICONV_MIME_DECODE_CONTINUE_ON_ERROR, 'UTF-8' );
		return array( $h, $text );
	}
	return null;
}

$args = array_slice( $argv, 1 );
if ( array() === $args || in_array( $args[0], array( '-h', '--help' ), true ) ) {
	fwrite( STDERR, "usage: scripts/mail-reply ADDRESS \"TEXT\" [FILE...] | scripts/mail-reply --eml MESSAGE.eml\n" );
	exit( array() === $args ? 2 : 0 );
}
$port = (int) getenv( 'PET_IMAP_PORT' );
$ref  = '{127.0.0.1:' . $port . '/imap/ssl/novalidate-cert}INBOX';
if ( '--eml' === $args[0] ) {
	$file = $args[1] ?? '';
	if ( ! is_file( $file ) ) {
		pet_reply_die( "no such file: $file" );
	}
	$message = (string) preg_replace( "/\r?\n/", "\r\n", (string) file_get_contents( $file ) );
	$id      = preg_match( '/^Message-ID:\s*(\S+)/mi', $message, $m ) ? $m[1] : '(none)';
} else {
	$from = $args[0];
	$text = $args[1] ?? '';
	if ( ! filter_var( $from, FILTER_VALIDATE_EMAIL ) || '' === trim( $text ) ) {
		pet_reply_die( 'give the address the site mailed and the text of the reply' );
	}
	$last = pet_reply_last_sent( (string) getenv( 'PET_MAIL_DIR' ), $from );
	if ( null === $last ) {
		pet_reply_die( "the site has sent no mail to $from yet (caught in " . getenv( 'PET_MAIL_DIR' ) . '/new)' );
	}
	list( $h, $original ) = $last;
	$reply_to = $h['reply-to'] ?? '';
	if ( ! preg_match( '/[^\s<>"]+@[^\s<>"]+/', $reply_to, $m ) ) {
		pet_reply_die( 'the last mail to ' . $from . ' has no Reply-To (set the reply address on PET → Email)' );
	}
	$reply_to = $m[0];
	$id       = '<reply-' . bin2hex( random_bytes( 8 ) ) . '@' . substr( strrchr( $from, '@' ), 1 ) . '>';
	$quoted   = implode( "\r\n", array_map( static fn ( $l ) => '> ' . $l, preg_split( "/\r?\n/", $original ) ) );
	$plain    = str_replace( "\n", "\r\n", str_replace( "\r\n", "\n", $text ) ) . "\r\n\r\nOn " . gmdate( 'D, j M Y' ) . ', ' . ( $h['from'] ?? 'Support' ) . " wrote:\r\n" . $quoted . "\r\n";
	$head     = 'From: ' . $from . "\r\nTo: " . $reply_to . "\r\nSubject: " . mb_encode_mimeheader( ( preg_match( '/^re:/i', $h['subject'] ) ? '' : 'Re: ' ) . $h['subject'], 'UTF-8' )
		. "\r\nDate: " . gmdate( 'r' ) . "\r\nMessage-ID: " . $id . ( isset( $h['message-id'] ) ? "\r\nIn-Reply-To: " . $h['message-id'] : '' )
		. "\r\nMIME-Version: 1.0\r\n";
	$files    = array_slice( $args, 2 );
	if ( array() === $files ) {
		$message = $head . "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" . $plain;
	} else {
		$b       = 'pet-' . bin2hex( random_bytes( 8 ) );
		$message = $head . "Content-Type: multipart/mixed; boundary=\"$b\"\r\n\r\n--$b\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" . $plain;
		foreach ( $files as $f ) {
			if ( ! is_file( $f ) ) {
				pet_reply_die( "no such file: $f" );
			}
			$mime     = function_exists( 'mime_content_type' ) ? (string) mime_content_type( $f ) : 'application/octet-stream';
			$message .= "--$b\r\nContent-Type: $mime; name=\"" . basename( $f ) . "\"\r\nContent-Disposition: attachment; filename=\"" . basename( $f ) . "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
				. chunk_split( base64_encode( (string) file_get_contents( $f ) ) );
		}
		$message .= "--$b--\r\n";
	}
}
$mbox = @imap_open( $ref, 'support', (string) getenv( 'PET_IMAP_PASSWORD' ), 0, 1 );
if ( false === $mbox ) {
	pet_reply_die( 'cannot open the local mailbox on port ' . $port . ': ' . implode( '; ', (array) imap_errors() ) );
}
if ( ! imap_append( $mbox, $ref, $message ) ) {
	pet_reply_die( 'the mailbox refused the message: ' . implode( '; ', (array) imap_errors() ) );
}
imap_close( $mbox );
echo $id, "\n";
