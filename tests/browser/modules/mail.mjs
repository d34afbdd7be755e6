// Browser test of replies by email (issue 17) with the real parts scripts/test starts: the SMTP
// catcher (messages in $PET_MAIL_DIR/new) and the local dovecot mailbox (PET_IMAP_PORT, user
// support, PET_IMAP_PASSWORD). Staff set the reply address and the mailbox on PET → Email (Test
// connection); a customer's contact opens a ticket in the portal; staff reply in wp-admin; the
// contact's email arrives in the catcher with its signed Reply-To; the contact's answer to that
// address is put into the mailbox with scripts/mail-reply (the README's command); Poll now
// reads it; the answer appears on the staff ticket page and in the portal, without the quoted
// mail. Screenshots go to $PET_ARTIFACTS (mail-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM, PET_MAIL_DIR,
//      PET_IMAP_PORT, PET_IMAP_PASSWORD, PET_IMAP_DIR.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoPhpErrors, admin, post, submit, text, login, finish } = await startSuite({
  name: 'mail',
  phpError: /Fatal error|There has been a critical error|Warning:.*on line/i,
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const mailDir = process.env.PET_MAIL_DIR || '';
const imapPort = process.env.PET_IMAP_PORT || '';
const imapPassword = process.env.PET_IMAP_PASSWORD || '';
const customer = `Acme Mail ${stamp}`;
const email = `roadrunner.${stamp}@acme.test`;
const loginName = `rr${stamp}`;
const password = randomBytes(12).toString('hex');
const subject = `Rocket skates ${stamp}`;
const staffReply = `Tighten the straps ${stamp}`;
const answer = `Beep beep, that fixed it ${stamp}`;
let portalUrl = '';
let ticketUrl = '';

/** A WordPress REST call as the logged-in admin (cookie + nonce, as the block editor does). */
async function wpRest(path, body) {
  return page.evaluate(async ({ path, body }) => {
    const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce')).text();
    const r = await fetch(`/wp-json${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': nonce },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  }, { path, body });
}

/** The caught messages to an address: [{headers (lower-case names), raw}]. */
function caught(to) {
  const out = [];
  for (const f of readdirSync(join(mailDir, 'new'))) {
    const raw = readFileSync(join(mailDir, 'new', f), 'utf8');
    const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
    const headers = {};
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] ??= line.slice(i + 1).trim();
    }
    if ((headers.to || '').includes(to)) out.push({ headers, raw });
  }
  return out;
}

/** Logs out and logs in as the contact through the portal's form. */
async function portalLogin() {
  await page.context().clearCookies();
  await page.goto(portalUrl);
  await expectNoPhpErrors();
  const form = page.locator('#pet-portal-login');
  await form.waitFor();
  await form.locator('#pet-portal-user').fill(loginName);
  await form.locator('#pet-portal-pass').fill(password);
  await post(form);
  await page.locator('.pet-portal__nav').waitFor();
}

await step('the catcher and the mailbox are given', async () => {
  expect(mailDir !== '' && imapPort !== '' && imapPassword !== '', 'PET_MAIL_DIR, PET_IMAP_PORT and PET_IMAP_PASSWORD must be set (scripts/test does)');
});

await step('log into wp-admin', login);

await step('set the reply address and the mailbox on PET → Email; Test connection', async () => {
  await admin('pet-mail');
  const replies = page.locator('#pet-mail-settings');
  await replies.locator('[name=reply_address]').fill('support@pet.localhost');
  await submit(replies);
  const form = page.locator('#pet-mailbox-settings');
  await form.locator('[name=imap_host]').fill('127.0.0.1');
  await form.locator('[name=imap_port]').fill(imapPort);
  await form.locator('[name=imap_encryption]').selectOption('ssl');
  await form.locator('[name=imap_verify]').uncheck();
  await form.locator('[name=imap_user]').fill('support');
  await form.locator('[name=imap_password]').fill(imapPassword);
  await form.locator('[name=imap_folder]').fill('INBOX');
  await submit(form);
  expect(!(await page.content()).includes(imapPassword), 'the password is shown on the page');
  await submit(page.locator('#pet-mailbox-test'));
  const notice = await page.locator('.notice-success').first().innerText();
  expect(notice.includes('Connected to the mailbox'), `unexpected notice: ${notice}`);
  await screenshot('settings');
});

await step('create a customer with a contact, a portal page and the contact\'s user', async () => {
  await admin('pet-customers');
  const form = page.locator('#pet-create-customer');
  await form.locator('[name=name]').fill(customer);
  await submit(form);
  await page.locator('a', { hasText: customer }).first().click();
  await page.waitForLoadState('load');
  const add = page.locator('#pet-add-contact');
  await add.locator('[name=name]').fill('Road Runner');
  await add.locator('[name=email]').fill(email);
  await submit(add);
  const pageRes = await wpRest('/wp/v2/pages', { title: `Mail support ${stamp}`, content: '[pet_portal]', status: 'publish' });
  expect(pageRes.status === 201, `page not created: ${JSON.stringify(pageRes)}`);
  portalUrl = pageRes.body.link;
  const userRes = await wpRest('/wp/v2/users', { username: loginName, email, password, roles: ['pet_customer'] });
  expect(userRes.status === 201, `user not created: ${JSON.stringify(userRes)}`);
  await page.reload();
  const section = page.locator('table.pet-portal-access');
  await section.waitFor();
  await submit(section.locator('tr', { hasText: 'Road Runner' }).locator('form'));
});

await step('the contact opens a ticket in the portal', async () => {
  await portalLogin();
  await page.locator('.pet-portal__nav a', { hasText: 'Open a ticket' }).click();
  await page.waitForLoadState('load');
  const form = page.locator('#pet-portal-open');
  await form.locator('[name=subject]').fill(subject);
  await form.locator('[name=message]').fill('They will not stop.');
  await post(form);
  await expectNoPhpErrors();
  await page.locator('.pet-portal__notice--success').waitFor();
});

await step('staff reply in wp-admin; the mail goes out', async () => {
  await page.context().clearCookies();
  await login();
  await admin('pet-tickets', `&s=${encodeURIComponent(stamp)}`);
  await page.locator('a', { hasText: subject }).first().click();
  await page.waitForLoadState('load');
  ticketUrl = page.url();
  const form = page.locator('#pet-reply-form');
  await form.locator('[name=body]').fill(staffReply);
  await submit(form);
  await admin('pet-mail');
  await submit(page.locator('#pet-mail-send-now'));
});

await step('the contact\'s email arrives in the catcher with a signed reply address', async () => {
  // WP-Cron may have claimed the mail first (a page load spawns it) and still be sending it:
  // wait for it to arrive, sending what is due again now and then (never more than once).
  let mails = [];
  for (let i = 0; i < 40; i++) {
    mails = caught(email).filter((m) => m.raw.includes(staffReply));
    if (mails.length > 0) break;
    if (i % 10 === 9) {
      await admin('pet-mail');
      await submit(page.locator('#pet-mail-send-now'));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(mails.length === 1, `expected one mail with the reply to ${email}, got ${mails.length}`);
  const replyTo = mails[0].headers['reply-to'] || '';
  expect(/support\+[0-9a-f]{56}@pet\.localhost/.test(replyTo), `no signed Reply-To: ${replyTo}`);
});

await step('the contact answers by email (scripts/mail-reply puts it in the mailbox); Poll now', async () => {
  const id = execFileSync(join(root, 'scripts', 'mail-reply'), [email, answer], {
    env: { ...process.env, PET_MAIL_DIR: mailDir, PET_IMAP_PORT: imapPort },
    encoding: 'utf8',
  }).trim();
  expect(/^<reply-[0-9a-f]+@acme\.test>$/.test(id), `unexpected Message-ID: ${id}`);
  await admin('pet-mail');
  await submit(page.locator('#pet-mailbox-poll'));
  const notice = await page.locator('.notice-success').first().innerText();
  expect(/1 added to tickets/.test(notice), `unexpected notice: ${notice}`);
  expect((await text('.pet-mailbox-status')).includes('1 added to tickets'), 'the last check is not shown');
  await screenshot('polled');
});

await step('the answer is on the staff ticket page, without the quoted mail', async () => {
  await page.goto(ticketUrl);
  await expectNoPhpErrors();
  const shown = await text();
  expect(shown.includes(answer), 'the emailed answer is not on the ticket page');
  expect(!shown.includes('wrote:'), 'the quoted history reached the ticket');
  await screenshot('staff-view');
});

await step('the answer is in the portal', async () => {
  await portalLogin();
  await page.locator('a', { hasText: subject }).first().click();
  await page.waitForLoadState('load');
  const shown = await text('.pet-portal');
  expect(shown.includes(staffReply), 'the staff reply is not in the portal');
  expect(shown.includes(answer), 'the emailed answer is not in the portal');
  await screenshot('portal');
});

await finish();
