<?php
/**
 * IDE stubs for `Pet\Accounting` (the QuickBooks Online connection, mapping, pushes, reconciliation).
 * Same conventions as pet.stub.php (ids, dates, $context, exceptions).
 *
 * Shapes:
 * - connection: ['status' (not_connected|connected|lost),'environment','client_id','has_client_secret','redirect_url',
 *   'realm_id','expires_at','lost_reason','api_base'] (never a secret).
 * - mapping: ['sale_target' (invoice|estimate),'items' => array<string,string>,'default_item','tax_codes' => array<string,string>,
 *   'default_tax_code','currency' => ['mode' (single|multi),'home'],'employees' => array<string,array{kind:string,id:string}>
 *   (PET employee id => QuickBooks employee or vendor; setMapping also takes an email as the key and 'employee:<id>' or
 *   'vendor:<id>' as the value),'employee_labels' => array<string,string> (getMapping only: each mapped employee's email)].
 * - push: ['id','target','source' => ['kind','id'],'label','amount_minor','currency','status' (queued|in_flight|failed|confirmed|dead),
 *   'generation','attempts','failures','next_at','remote_id','last_error','reconciliation' (unchecked|matched|mismatched|missing),
 *   'differences' => list<['field','pet','remote']>,'remote_amount_minor','request_id','waiting' (why it waits for the admin,
 *   e.g. an unmapped employee; null),'actions' (repush)].
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Accounting
{
    /** @param array $settings the same keys as Engine::__construct (with secret_key); shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Connection -----------------------------------------------------------------

    /** @return array connection */
    public function connectionStatus(): array {}

    /**
     * @param array{environment?:string,client_id:string,client_secret?:string,redirect_url:string,api_base?:string,auth_url?:string,token_url?:string} $input
     *        client_secret blank keeps the stored one; environment production|sandbox|custom (custom: the three URLs)
     * @return array connection (not connected until the authorisation finishes)
     */
    public function saveConnectionSettings(array $input): array {}

    /**
     * Starts the OAuth authorisation; the caller keeps $state (with a nonce) to check on the way back.
     * @return array{url:string} where to send the admin
     */
    public function startConnection(string $state): array {}

    /**
     * @param array{code:string,state:string,realm_id:string} $input what Intuit sent back
     * @return array connection
     */
    public function finishConnection(array $input): array {}

    /** Forgets the tokens. @return array connection */
    public function disconnect(): array {}

    // ---- Mapping --------------------------------------------------------------------

    /** @return array mapping */
    public function getMapping(): array {}

    /**
     * @param array $input mapping
     * @return array mapping as saved
     */
    public function setMapping(array $input): array {}

    // ---- Pushes and reconciliation --------------------------------------------------

    /**
     * @param array{status?:string,reconciliation?:string,page?:int,per_page?:int,after?:string,before?:string} $query
     * @return array{items:list<array>,total:int,total_exact:bool,next:?string,prev:?string} items: push
     */
    public function listPushes(array $query = []): array {}

    /** @return list<array{period:string,currency:string,count:int,pet_minor:int,remote_minor:int,agree:bool}> per month, newest first */
    public function pushTotals(): array {}

    /** Pushes a dead, mismatched or missing push again. @return array push */
    public function repush(string $pushId, array $context): array {}

    // ---- Jobs -----------------------------------------------------------------------

    /**
     * Enqueues the push and reconciliation jobs (at most one of each pending); WP-Cron calls this.
     * @return array<string,bool>
     */
    public function enqueueJobs(): array {}

    /**
     * Runs the push job now (unmapped: approved time waiting for its employee's mapping).
     * @return array{events:int,queued:int,sent:int,confirmed:int,failed:int,dead:int,waiting:int,unmapped:int,unauthorized:bool,rate_limited:bool}
     */
    public function runPushJob(): array {}

    /**
     * Runs the reconciliation job now: the next bounded slice from its checkpoint (complete: it reached the last push).
     * @return array{checked:int,matched:int,mismatched:int,missing:int,complete:bool}
     */
    public function runReconcileJob(): array {}

    /**
     * Reconciles every confirmed push now (a full sweep; the job's checkpoint is left alone).
     * @return array{checked:int,matched:int,mismatched:int,missing:int,complete:bool}
     */
    public function runFullReconcileJob(): array {}
}
