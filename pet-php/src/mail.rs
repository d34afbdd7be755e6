//! `Pet\Mail`: helpdesk email (issue 17) — the outbox job, the claim / sent / failed
//! protocol WordPress sends through (`wp_mail`), dead letters, templates, staff opt-outs,
//! reply tokens and reopen links. Declared once in the table below, from which
//! [`php_class!`](crate::api) generates the wrappers and the stub `pet-mail.stub.php`.
// PHP parameter names are part of the stub contract (see knowledge.rs).
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Mail<'a>;

/// `Pet\Mail::maxAttachmentBytes()`.
fn max_attachment_bytes() -> i64 {
    pet_storage_mysql::mail::MAX_ATTACHMENT_BYTES as i64
}

/// `Pet\Mail::maxAttachmentsTotal()`.
fn max_attachments_total() -> i64 {
    pet_storage_mysql::mail::MAX_ATTACHMENTS_TOTAL as i64
}

crate::api::php_class! {
    /// The mail API, built from the same connection settings as `Pet\Engine` (and sharing
    /// its connection pool).
    class Mail = "Pet\\Mail";
    stub "pet-mail.stub.php" = r"/**
 * IDE stubs for `Pet\Mail` (helpdesk email: the outbox, sending through wp_mail, dead letters, templates, opt-outs,
 * reply tokens and reopen links). Same conventions as pet.stub.php (ids, dates, $context, exceptions).
 *
 * Shapes:
 * - outgoing mail: ['id','attempt','kind','audience' (customer|staff),'ticket_id','to','recipient_name',
 *   'vars' => ['ticket_number','ticket_subject','recipient_name','reply_body'?,'sla_target'?,
 *   'reopen'? => ['ticket_id','expires','sig']],'template' => ?['subject','body'],'reply_token','message_id'].
 * - outbox row: ['id','kind','ticket_id','to','status' (pending|running|failed|dead|sent),'attempts','max_attempts',
 *   'run_at','last_error','created_at','sent_at'].
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "The outbox";

    /// Enqueues the outbox job (at most one pending); WP-Cron calls this every minute.
    /// @return array{enqueued:bool,job_id:?string}
    fn enqueue_outbox_job() -> array;

    /// Runs the outbox job now. @return array{events:int,queued:int,skipped:int,checkpoint:int}
    fn run_outbox_job() -> array;

    /// Claims due messages for five minutes. @param array{limit?:int} $options 1–100, default 20
    /// @return array{items:list<array>} outgoing mail
    fn claim_outgoing(options: array = []) -> array;

    /// Records a claimed message as sent (and `mail.sent` on its ticket); a lost claim is a ConflictException.
    /// @return array{id:string,status:string,events:int}
    fn mail_sent(mailId: string("mail_id"), attempt: int, subject: string("subject")) -> array;

    /// Records a failed send: retried after a back-off, or a dead letter on the last attempt.
    /// @return array{id:string,status:string,run_at:string}
    fn mail_failed(mailId: string("mail_id"), attempt: int, error: string("error")) -> array;

    /// Gives a dead letter fresh attempts. @return array outbox row
    fn retry_mail(mailId: string("mail_id"), context: context) -> array;

    /// @return array outbox row
    fn get_mail(mailId: string("mail_id")) -> array;

    /// @param array{status?:string,per_page?:int,after?:string} $query status: dead (default), pending, failed, running, sent
    /// @return array{items:list<array>,next:?string} outbox rows, most recent first
    fn list_mail(query: array = []) -> array;

    section "Templates and opt-outs";

    /// @return array{items:list<array{kind:string,audience:string,placeholders:list<string>,template:?array{subject:string,body:string}}>}
    fn mail_templates() -> array;

    /// @param array{subject:string,body:string} $input placeholders must be the kind's
    /// @return array{kind:string,template:array}
    fn set_mail_template(kind: string("kind"), input: array) -> array;

    /// Back to the default template. @return array{kind:string,template:null}
    fn reset_mail_template(kind: string("kind")) -> array;

    /// @return array{employee_id:string,opted_out:list<string>}
    fn mail_optouts(employeeId: string("employee_id")) -> array;

    /// @param array{kinds?:list<string>} $input staff kinds only
    /// @return array{employee_id:string,opted_out:list<string>}
    fn set_mail_optouts(employeeId: string("employee_id"), input: array) -> array;

    section "Replies by email";

    /// Takes one message read from the mailbox: threaded onto its ticket by the reply token in a `to` address's
    /// plus-part, a new ticket for a known contact without one, auto-replies and loops ignored, the rest for review.
    /// @param array{message_id:string,from_email:string,from_name?:string,subject?:string,body:string,to:list<string>,
    ///        own_addresses:list<string>,auto_submitted?:string,precedence?:string,x_autoreply?:bool,x_pet_mail?:bool,
    ///        attachments?:list<array{filename:string,mime_type:string,content_base64:string}>} $input
    /// @return array{id:string,status:string,reason:string,ticket_id:?string,attachments:int,attachments_dropped:int,repeated:bool}
    fn receive_mail(input: array) -> array;

    /// @param array{status?:string,per_page?:int} $query status: review (default), threaded, opened, ignored
    /// @return array{items:list<array>} newest first
    fn list_inbox(query: array = []) -> array;

    /// The largest attachment the engine keeps, in bytes (a larger one is dropped and counted):
    /// the poller skips fetching parts over it.
    static fn max_attachment_bytes() -> int = max_attachment_bytes;

    /// The most attachment bytes the engine keeps per message (attachments past it are dropped).
    static fn max_attachments_total() -> int = max_attachments_total;

    section "Links and tokens";

    /// Reopens a resolved ticket from a resolution mail's signed link, as the system; a forged or
    /// expired link is a ValidationException. @return array ticket
    fn reopen_by_link(ticketId: string("ticket_id"), expires: int, sig: string("sig")) -> array;

    /// @return array{ticket_id:string} the ticket a reply token names; a forged one is a ValidationException
    fn check_reply_token(token: string("token")) -> array;

    section "The reply mailbox";

    /// Encrypts the mailbox password with the site's secret key (PET_ENCRYPTION_KEY, else AUTH_KEY), as the
    /// QuickBooks credentials are; an empty one is a ValidationException. @return array{sealed:string}
    fn seal_mailbox_password(password: string("password")) -> array;

    /// Decrypts a sealed mailbox password; one sealed with another key is a PET exception naming the fix.
    /// @return array{password:string}
    fn open_mailbox_password(sealed: string("sealed")) -> array;
}
