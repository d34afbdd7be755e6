//! `Pet\Portal`: the customer portal (issue 17) — staff grant a contact portal access (a
//! WordPress user signs in as the contact), and a signed-in portal user, always named by
//! their WordPress user id, lists their customer's tickets, reads one (public messages
//! only), opens one, replies, and searches the published knowledge articles. Declared once
//! in the table below, from which [`php_class!`](crate::api) generates the wrappers and the
//! stub `pet-portal.stub.php`.
// PHP parameter names (`$wpUserId`) are part of the stub contract and ext-php-rs takes them
// from the Rust identifiers (also in the code it generates outside the impl block), so the
// table spells parameters in camelCase.
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Portal<'a>;

crate::api::php_class! {
    /// The customer portal API, built from the same connection settings as `Pet\Engine` (and
    /// sharing its connection pool).
    class Portal = "Pet\\Portal";
    stub "pet-portal.stub.php" = r"/**
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
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Portal access (staff)";

    /// Gives the contact portal access as this WordPress user (or moves it to another user);
    /// the user must not be an employee's or another contact's portal user. @return array access
    fn grant_portal_access(contactId: string("contact_id"), wpUserId: int, context: context) -> array;

    /// Takes the contact's portal access away. @return array access
    fn revoke_portal_access(contactId: string("contact_id"), context: context) -> array;

    /// @param array{contact_ids:list<string>} $query at most 100 (a page of a customer's contacts)
    /// @return array{items:list<array>} access of those ever granted
    fn portal_access_of_contacts(query: array) -> array;

    /// A contact with its customer (the invitation reads its e-mail).
    /// @return array{id:string,customer_id:string,name:string,email:?string}
    fn portal_contact(contactId: string("contact_id")) -> array;

    section "The signed-in portal user";

    /// @return ?array{contact_id:string,contact_name:string,contact_email:?string,customer_id:string,
    ///   customer_name:string,customer_status:string} null when the user is no contact's portal user
    fn portal_user(wpUserId: int) -> ?array;

    /// The user's customer's tickets, newest first.
    /// @param array{status?:string,search?:string,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array>,total:int,page:int,per_page:int} portal tickets
    fn portal_tickets(wpUserId: int, query: array = []) -> array;

    /// @return array portal ticket with its public messages
    fn portal_ticket(wpUserId: int, ticketId: string("ticket_id")) -> array;

    /// Opens a ticket (channel portal) with the contact's first message.
    /// @param array{subject:string,message:string,priority?:string} $input @return array portal ticket
    fn portal_open_ticket(wpUserId: int, input: array, context: context) -> array;

    /// The contact's public reply. @param array{body:string} $input @return array portal ticket
    fn portal_reply(
        wpUserId: int,
        ticketId: string("ticket_id"),
        input: array,
        context: context
    ) -> array;

    /// Reopens a resolved ticket of the user's customer, within the window of the resolution
    /// mail's reopen link (7 days). @return array portal ticket
    fn portal_reopen(wpUserId: int, ticketId: string("ticket_id"), context: context) -> array;

    section "Knowledge";

    /// Published articles: with q the full-text search, else by category and title.
    /// @param array{q?:string,page?:int,per_page?:int} $query
    /// @return array{items:list<array>,total:int,page:int,per_page:int}
    fn portal_articles(query: array = []) -> array;

    /// A published article's live version. @return array{id:string,slug:string,category:string,
    ///   title:string,body:string,published_at:string}
    fn portal_article(slug: string("slug")) -> array;
}
