/**
 * The pet/portal block in the editor: plain JavaScript (no build step). The block has no
 * attributes; the editor shows the server's rendering, the site shows the portal.
 */
( function ( wp ) {
	'use strict';
	if ( ! wp || ! wp.blocks || ! wp.element ) {
		return;
	}
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var ServerSideRender = wp.serverSideRender;
	wp.blocks.registerBlockType( 'pet/portal', {
		edit: function () {
			return el(
				'div',
				{ className: 'pet-portal-block-editor' },
				ServerSideRender
					? el( ServerSideRender, { block: 'pet/portal' } )
					: el( 'p', null, __( 'PET customer portal', 'pet' ) )
			);
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp );
