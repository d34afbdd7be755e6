<?php
/**
 * IDE stubs for `Pet\Portal` (the customer portal: contacts' portal access; a portal user's tickets,
 * replies and knowledge search). Same conventions as pet.stub.php (ids, dates, $context, lists, exceptions).
 *
 * Ownership is the engine's: a portal user is named by their WordPress user id and sees only their
 * contact's customer's tickets (another customer's ticket: NotFoundException; a reply to it:
 * InvariantViolationException), and never internal notes. Portal commands take a $context without
 * actor_id (only the idempotency key): staff do not act through the portal.
 *
 * Shapes:
 * - access: ['contact_id','customer_id','wp_user_id' (?int, null once revoked),'version']
 * - portal ticket: ['id','reference' ('#12'),'subject','status','priority','created_at','updated_at']
 *   plus, from portalTicket and the commands, 'can_reply' => bool, 'can_reopen' => bool,
 *   'messages' => list<['id','author_kind' (employee|customer),'author_name','mine' => bool,'body','created_at']>.
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Portal
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Portal access (staff) ------------------------------------------------------

    /**
     * Gives the contact portal access as this WordPress user (or moves it to another user);
     * the user must not be an employee's or another contact's portal user. @return array access
     */
    public function grantPortalAccess(string $contactId, int $wpUserId, array $context): array {}

    /** Takes the contact's portal access away. @return array access */
    public function revokePortalAccess(string $contactId, array $context): array {}

    /**
     * @param array{contact_ids:list<string>} $query at most 100 (a page of a customer's contacts)
     * @return array{items:list<array>} access of those ever granted
     */
    public function portalAccessOfContacts(array $query): array {}

    /**
     * A contact with its customer (the invitation reads its e-mail).
     * @return array{id:string,customer_id:string,name:string,email:?string}
     */
    public function portalContact(string $contactId): array {}

    // ---- The signed-in portal user --------------------------------------------------

    /**
     * @return ?array{contact_id:string,contact_name:string,contact_email:?string,customer_id:string,
     *   customer_name:string,customer_status:string} null when the user is no contact's portal user
     */
    public function portalUser(int $wpUserId): ?array {}

    /**
     * The user's customer's tickets, newest first.
     * @param array{status?:string,search?:string,page?:int,per_page?:int,after?:string,before?:string} $query
     * @return array{items:list<array>,total:int,page:int,per_page:int} portal tickets
     */
    public function portalTickets(int $wpUserId, array $query = []): array {}

    /** @return array portal ticket with its public messages */
    public function portalTicket(int $wpUserId, string $ticketId): array {}

    /**
     * Opens a ticket (channel portal) with the contact's first message.
     * @param array{subject:string,message:string,priority?:string} $input @return array portal ticket
     */
    public function portalOpenTicket(int $wpUserId, array $input, array $context): array {}

    /** The contact's public reply. @param array{body:string} $input @return array portal ticket */
    public function portalReply(int $wpUserId, string $ticketId, array $input, array $context): array {}

    /**
     * Reopens a resolved ticket of the user's customer, within the window of the resolution
     * mail's reopen link (7 days). @return array portal ticket
     */
    public function portalReopen(int $wpUserId, string $ticketId, array $context): array {}

    // ---- Knowledge ------------------------------------------------------------------

    /**
     * Published articles: with q the full-text search, else by category and title.
     * @param array{q?:string,page?:int,per_page?:int} $query
     * @return array{items:list<array>,total:int,page:int,per_page:int}
     */
    public function portalArticles(array $query = []): array {}

    /**
     * A published article's live version. @return array{id:string,slug:string,category:string,
     *   title:string,body:string,published_at:string}
     */
    public function portalArticle(string $slug): array {}
}
