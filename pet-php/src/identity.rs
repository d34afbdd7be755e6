//! `Pet\Identity`: employees, teams, org structure, customers and contacts, and the
//! identity lists' filter options. Declared once in the table below, from which
//! [`php_class!`](crate::api) generates the wrappers and the stub `pet-identity.stub.php`.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Identity<'a>;

crate::api::php_class! {
    /// The identity API, built from the same connection settings as `Pet\Engine` (and sharing
    /// its connection pool).
    class Identity = "Pet\\Identity";
    stub "pet-identity.stub.php" = r"/**
 * IDE stubs for `Pet\Identity` (employees, teams, org structure, customers and contacts).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Employees";

    /// @param array{name:string,email:string,wp_user_id?:?int,
    ///              cost_rate?:array{amount?:string,amount_minor?:int,currency:string,effective_from:string},
    ///              bill_rate?:array{amount?:string,amount_minor?:int,currency:string,effective_from:string}} $input
    /// @return array employee (see getEmployee)
    fn create_employee(input: array, context: context) -> array;

    /// @return array employee
    fn deactivate_employee(employeeId: string("employee_id"), context: context) -> array;

    /// @return array employee
    fn reactivate_employee(employeeId: string("employee_id"), context: context) -> array;

    /// @param array{kind:'cost'|'bill',amount?:string,amount_minor?:int,currency:string,effective_from:string} $input
    /// @return array employee
    fn change_employee_rate(
        employeeId: string("employee_id"),
        input: array,
        context: context
    ) -> array;

    /// Links (or with null unlinks) a WordPress user. @return array employee
    fn link_employee_user(
        employeeId: string("employee_id"),
        wpUserId: ?int,
        context: context
    ) -> array;

    /// @return array{id:string,name:string,email:string,wp_user_id:?int,status:'active'|'inactive',
    ///   actions:list<'deactivate'|'reactivate'|'change_rate'|'link_user'>,version:int,created_at:string,
    ///   rates:list<array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string}>,
    ///   current_cost_rate:?array,current_bill_rate:?array}
    fn get_employee(employeeId: string("employee_id")) -> array;

    /// @return ?array employee linked to this WordPress user, or null
    fn find_employee_by_user(wpUserId: int) -> ?array;

    /// @param array{search?:string,status?:'active'|'inactive',page?:int,per_page?:int} $query
    fn list_employees(query: array = []) -> array;

    section "Teams";

    /// @param array{name:string,parent_id?:?string} $input @return array team
    fn create_team(input: array, context: context) -> array;

    /// Moves a team under another parent (null = top level); cycles are refused.
    fn move_team(
        teamId: string("team_id"),
        parentId: ?string("parent_id"),
        context: context
    ) -> array;

    /// @return array team
    fn archive_team(teamId: string("team_id"), context: context) -> array;

    /// @return array{id:string,name:string,parent_id:?string,status:'active'|'archived',version:int,
    ///   members:list<array{id:string,employee_id:string,employee_name:string,role:'member'|'lead',
    ///   valid_from:string,valid_to:?string}>}
    fn get_team(teamId: string("team_id")) -> array;

    /// Teams in hierarchy order, each with 'depth' (search: a part of the name).
    /// @param array{status?:string,search?:string,page?:int,per_page?:int} $query
    fn list_teams(query: array = []) -> array;

    /// @param array{employee_id:string,role:'member'|'lead',valid_from:string,valid_to?:?string} $input @return array team
    fn add_team_member(teamId: string("team_id"), input: array, context: context) -> array;

    /// Ends a membership. @param array{valid_to?:string} $input @return array team
    fn remove_team_member(
        teamId: string("team_id"),
        membershipId: string("membership_id"),
        input: array,
        context: context
    ) -> array;

    section "Org structure";

    /// Snapshots the current teams and memberships as a new numbered version effective at
    /// 'effective_at' (RFC 3339). A future date schedules it; the job runner publishes it then.
    /// @param array{effective_at:string,note?:string} $input
    /// @return array{actions:list<string>,id:string,number:int,status:'scheduled'|'published',effective_at:string,note:string}
    ///         actions ['publish_due'] while scheduled (the job publishes it once due), [] once published
    fn publish_org_structure(input: array, context: context) -> array;

    fn list_org_structure_versions(query: array = []) -> array;

    section "Customers";

    /// @param array{name:string} $input @return array customer
    fn create_customer(input: array, context: context) -> array;

    /// @return array customer
    fn archive_customer(customerId: string("customer_id"), context: context) -> array;

    /// @param array{name:string,email?:?string,phone?:?string} $input @return array customer
    fn add_contact(customerId: string("customer_id"), input: array, context: context) -> array;

    /// The customer with its contact count and its first 20 contacts, oldest first
    /// (`listContacts` pages through all of them).
    /// @return array{actions:list<string>,id:string,name:string,status:'active'|'archived',version:int,contact_count:int,contacts:list<array{id:string,name:string,email:?string,phone:?string}>}
    fn get_customer(customerId: string("customer_id")) -> array;

    /// A flat page of customers; each row carries its contact count and first 3 contacts.
    /// @param array{search?:string,status?:string,page?:int,per_page?:int,after?:string,before?:string} $query
    fn list_customers(query: array = []) -> array;

    /// A customer's contacts, in the order they were added (searched: name or email,
    /// newest first); a flat page like every list.
    /// @param array{search?:string,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array{id:string,name:string,email:?string,phone:?string}>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
    fn list_contacts(customerId: string("customer_id"), query: array = []) -> array;

    section "Privacy requests";

    /// The personal data PET holds about an e-mail address (WordPress's exporter): the
    /// employee with it, the contacts with it and the ticket messages those contacts wrote
    /// (fields ticket, date, message), up to 100 contacts and 100 messages per page.
    /// @param array{email:string,page?:int} $query
    /// @return array{items:list<array{group:'employee'|'contact'|'message',id:string,fields:array<string,mixed>}>,done:bool}
    fn export_personal_data(query: array) -> array;

    /// Erases the personal data of everyone with an e-mail address (WordPress's eraser) by
    /// crypto-shredding: their data keys destroyed, state rows, feed lines and stored
    /// results overwritten with "Erased person"; the messages a contact wrote (ticket
    /// replies, mail received, its attachments, notifications quoting them) overwritten with
    /// "(message erased)", with their counts; an identity event records each erasure.
    /// Up to 100 contacts per call (call again while `done` is false).
    /// @param array{email:string} $query
    /// @return array{erased:list<array{subject_type:'employee'|'contact',id:string}>,legacy_plaintext_events:int,feed_lines:int,messages:int,mail_received:int,attachments:int,notifications:int,done:bool}
    fn erase_personal_data(query: array, context: context) -> array;

    section "Filter options";

    /// The values each list can be filtered by (from the engine's enums).
    /// @return array{employee_status:list<string>,team_status:list<string>,customer_status:list<string>,org_version_status:list<string>}
    fn identity_options() -> array;
}
