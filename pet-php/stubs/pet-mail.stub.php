<?php
/**
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
 */

namespace Pet;

final class Mail
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- The outbox -----------------------------------------------------------------

    /**
     * Enqueues the outbox job (at most one pending); WP-Cron calls this every minute.
     * @return array{enqueued:bool,job_id:?string}
     */
    public function enqueueOutboxJob(): array {}

    /** Runs the outbox job now. @return array{events:int,queued:int,skipped:int,checkpoint:int} */
    public function runOutboxJob(): array {}

    /**
     * Claims due messages for five minutes. @param array{limit?:int} $options 1–100, default 20
     * @return array{items:list<array>} outgoing mail
     */
    public function claimOutgoing(array $options = []): array {}

    /**
     * Records a claimed message as sent (and `mail.sent` on its ticket); a lost claim is a ConflictException.
     * @return array{id:string,status:string,events:int}
     */
    public function mailSent(string $mailId, int $attempt, string $subject): array {}

    /**
     * Records a failed send: retried after a back-off, or a dead letter on the last attempt.
     * @return array{id:string,status:string,run_at:string}
     */
    public function mailFailed(string $mailId, int $attempt, string $error): array {}

    /** Gives a dead letter fresh attempts. @return array outbox row */
    public function retryMail(string $mailId, array $context): array {}

    /** @return array outbox row */
    public function getMail(string $mailId): array {}

    /**
     * @param array{status?:string,per_page?:int,after?:string} $query status: dead (default), pending, failed, running, sent
     * @return array{items:list<array>,next:?string} outbox rows, most recent first
     */
    public function listMail(array $query = []): array {}

    // ---- Templates and opt-outs -----------------------------------------------------

    /** @return array{items:list<array{kind:string,audience:string,placeholders:list<string>,template:?array{subject:string,body:string}}>} */
    public function mailTemplates(): array {}

    /**
     * @param array{subject:string,body:string} $input placeholders must be the kind's
     * @return array{kind:string,template:array}
     */
    public function setMailTemplate(string $kind, array $input): array {}

    /** Back to the default template. @return array{kind:string,template:null} */
    public function resetMailTemplate(string $kind): array {}

    /** @return array{employee_id:string,opted_out:list<string>} */
    public function mailOptouts(string $employeeId): array {}

    /**
     * @param array{kinds?:list<string>} $input staff kinds only
     * @return array{employee_id:string,opted_out:list<string>}
     */
    public function setMailOptouts(string $employeeId, array $input): array {}

    // ---- Replies by email -----------------------------------------------------------

    /**
     * Takes one message read from the mailbox: threaded onto its ticket by the reply token in a `to` address's
     * plus-part, a new ticket for a known contact without one, auto-replies and loops ignored, the rest for review.
     * @param array{message_id:string,from_email:string,from_name?:string,subject?:string,body:string,to:list<string>,
     *        own_addresses:list<string>,auto_submitted?:string,precedence?:string,x_autoreply?:bool,x_pet_mail?:bool,
     *        attachments?:list<array{filename:string,mime_type:string,content_base64:string}>} $input
     * @return array{id:string,status:string,reason:string,ticket_id:?string,attachments:int,attachments_dropped:int,repeated:bool}
     */
    public function receiveMail(array $input): array {}

    /**
     * @param array{status?:string,per_page?:int} $query status: review (default), threaded, opened, ignored
     * @return array{items:list<array>} newest first
     */
    public function listInbox(array $query = []): array {}

    /**
     * The largest attachment the engine keeps, in bytes (a larger one is dropped and counted):
     * the poller skips fetching parts over it.
     */
    public static function maxAttachmentBytes(): int {}

    /** The most attachment bytes the engine keeps per message (attachments past it are dropped). */
    public static function maxAttachmentsTotal(): int {}

    // ---- Links and tokens -----------------------------------------------------------

    /**
     * Reopens a resolved ticket from a resolution mail's signed link, as the system; a forged or
     * expired link is a ValidationException. @return array ticket
     */
    public function reopenByLink(string $ticketId, int $expires, string $sig): array {}

    /** @return array{ticket_id:string} the ticket a reply token names; a forged one is a ValidationException */
    public function checkReplyToken(string $token): array {}

    // ---- The reply mailbox ----------------------------------------------------------

    /**
     * Encrypts the mailbox password with the site's secret key (PET_ENCRYPTION_KEY, else AUTH_KEY), as the
     * QuickBooks credentials are; an empty one is a ValidationException. @return array{sealed:string}
     */
    public function sealMailboxPassword(string $password): array {}

    /**
     * Decrypts a sealed mailbox password; one sealed with another key is a PET exception naming the fix.
     * @return array{password:string}
     */
    public function openMailboxPassword(string $sealed): array {}
}
