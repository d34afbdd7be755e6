// Browser test of the customer portal (issue 17): staff make a customer with a contact, a
// WordPress user for the contact and a page with [pet_portal] (through WordPress's own REST
// API, as the editor would), then invite the contact from the customer screen. The contact
// logs in through the portal's login form, opens a ticket; staff reply in wp-admin (and write
// an internal note) and wait on the customer; the contact sees the reply (never the note) and
// answers, which puts the ticket back to open; staff see the answer on the ticket page, resolve,
// and the contact reopens the ticket from the portal. Screenshots go to $PET_ARTIFACTS (portal-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { randomBytes } from 'node:crypto';
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoPhpErrors, admin, post, submit, text, login, finish } = await startSuite({
  name: 'portal',
  phpError: /Fatal error|There has been a critical error|Warning:.*on line/i,
});
const base = (process.env.PET_E2E_URL || 'http://127.0.0.1:8089').replace(/\/$/, '');
const customer = `Acme Portal ${stamp}`;
const email = `wile.${stamp}@acme.test`;
const login_name = `wile${stamp}`;
const password = randomBytes(12).toString('hex');
const subject = `Anvil cracked ${stamp}`;
const staffReply = `A new anvil ships today ${stamp}`;
const note = `INTERNAL ${stamp} check the courier`;
const answer = `Received, thanks ${stamp}`;
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

/** Logs out (forgets the cookies) and logs in as the contact through the portal's form. */
async function portalLogin() {
  await page.context().clearCookies();
  await page.goto(portalUrl);
  await expectNoPhpErrors();
  const form = page.locator('#pet-portal-login');
  await form.waitFor();
  await form.locator('#pet-portal-user').fill(login_name);
  await form.locator('#pet-portal-pass').fill(password);
  await post(form);
  await page.locator('.pet-portal__nav').waitFor();
}

await step('log into wp-admin', login);

await step('create a customer with a contact', async () => {
  await admin('pet-customers');
  const form = page.locator('#pet-create-customer');
  await form.locator('[name=name]').fill(customer);
  await submit(form);
  await page.locator('a', { hasText: customer }).first().click();
  await page.waitForLoadState('load');
  const add = page.locator('#pet-add-contact');
  await add.locator('[name=name]').fill('Wile E. Coyote');
  await add.locator('[name=email]').fill(email);
  await submit(add);
});

await step('make the portal page and the contact\'s WordPress user', async () => {
  const pageRes = await wpRest('/wp/v2/pages', { title: `Support ${stamp}`, content: '[pet_portal]', status: 'publish' });
  expect(pageRes.status === 201, `page not created: ${JSON.stringify(pageRes)}`);
  portalUrl = pageRes.body.link;
  const userRes = await wpRest('/wp/v2/users', { username: login_name, email, password, roles: ['pet_customer'] });
  expect(userRes.status === 201, `user not created: ${JSON.stringify(userRes)}`);
});

await step('invite the contact to the portal from the customer screen', async () => {
  await page.reload();
  const section = page.locator('table.pet-portal-access');
  await section.waitFor();
  await submit(section.locator('tr', { hasText: 'Wile E. Coyote' }).locator('form'));
  const notice = await page.locator('.notice-success').first().innerText();
  expect(notice.includes(login_name), `unexpected notice: ${notice}`);
  expect((await page.locator('table.pet-portal-access').innerText()).includes(login_name), 'portal user not shown');
  await screenshot('invited');
});

await step('logged out, the portal page shows the login form', async () => {
  await page.context().clearCookies();
  await page.goto(portalUrl);
  await expectNoPhpErrors();
  await page.locator('#pet-portal-login').waitFor();
  await screenshot('login');
});

await step('the contact opens a ticket in the portal', async () => {
  await portalLogin();
  await page.locator('.pet-portal__nav a', { hasText: 'Open a ticket' }).click();
  await page.waitForLoadState('load');
  const form = page.locator('#pet-portal-open');
  await form.locator('[name=subject]').fill(subject);
  await form.locator('[name=message]').fill('It cracked when it landed on me.');
  await post(form);
  await expectNoPhpErrors();
  await page.locator('.pet-portal__notice--success').waitFor();
  expect((await text('.pet-portal')).includes('It cracked when it landed on me.'), 'first message not shown');
  await screenshot('opened');
});

await step('staff reply in wp-admin (and write an internal note)', async () => {
  await page.context().clearCookies();
  await login();
  await admin('pet-tickets', `&s=${encodeURIComponent(stamp)}`);
  await page.locator('a', { hasText: subject }).first().click();
  await page.waitForLoadState('load');
  ticketUrl = page.url();
  expect((await text()).includes('It cracked when it landed on me.'), 'customer message not on the ticket page');
  const form = page.locator('#pet-reply-form');
  await form.locator('[name=body]').fill(staffReply);
  await submit(form);
  await form.locator('[name=body]').fill(note);
  await form.locator('input[name=visibility][value=internal]').check();
  await submit(form);
  // Staff now wait on the customer.
  await submit(page.locator('#pet-status-open'));
  await submit(page.locator('#pet-status-waiting-on-customer'));
  const waitingTitle = (await page.locator('#pet-ticket-title').innerText()).toLowerCase();
  expect(waitingTitle.includes('waiting on customer'), `ticket not waiting on the customer: ${waitingTitle}`);
});

await step('the reply appears in the portal, the note does not; the contact answers', async () => {
  await portalLogin();
  await page.locator('a', { hasText: subject }).first().click();
  await page.waitForLoadState('load');
  const shown = await text('.pet-portal');
  expect(shown.includes(staffReply), 'staff reply not shown in the portal');
  expect(!shown.includes(note), 'an internal note reached the portal');
  const waiting = (await page.locator('.pet-portal__status').innerText()).toLowerCase();
  expect(waiting.includes('waiting'), `portal status before the answer: ${waiting}`);
  const form = page.locator('#pet-portal-reply');
  await form.locator('[name=body]').fill(answer);
  await post(form);
  await page.locator('.pet-portal__notice--success').waitFor();
  expect((await text('.pet-portal')).includes(answer), 'answer not shown');
  // The answer ended the wait on the customer.
  const status = (await page.locator('.pet-portal__status').innerText()).toLowerCase();
  expect(status.includes('open') && !status.includes('waiting'), `portal status after the answer: ${status}`);
  await screenshot('conversation');
});

await step('staff see the answer on the ticket page, the ticket open again', async () => {
  await page.context().clearCookies();
  await login();
  await page.goto(ticketUrl);
  expect((await text()).includes(answer), 'the portal answer is not on the ticket page');
  const title = (await page.locator('#pet-ticket-title').innerText()).toLowerCase();
  expect(title.includes('open') && !title.includes('waiting'), `ticket after the customer's answer: ${title}`);
  // The timeline names the contact on the entry their answer caused.
  const timeline = await page.locator('#pet-ticket-timeline').innerText();
  expect(timeline.includes('by Wile E. Coyote (customer)'), `timeline: ${timeline}`);
  await screenshot('staff-view');
});

await step('staff resolve; the contact reopens the ticket from the portal', async () => {
  await submit(page.locator('#pet-status-resolved'));
  expect((await page.locator('#pet-ticket-title').innerText()).toLowerCase().includes('resolved'), 'not resolved');
  await portalLogin();
  await page.locator('a', { hasText: subject }).first().click();
  await page.waitForLoadState('load');
  const reopen = page.locator('#pet-portal-reopen');
  await reopen.waitFor();
  expect(await reopen.locator('input[name=_wpnonce]').count() === 1, 'the reopen form has no nonce');
  await screenshot('resolved');
  await post(reopen);
  await page.locator('.pet-portal__notice--success').waitFor();
  const status = (await page.locator('.pet-portal__status').innerText()).toLowerCase();
  expect(status.includes('open'), `portal status after reopening: ${status}`);
  expect(await page.locator('#pet-portal-reopen').count() === 0, 'an open ticket still offers Reopen');
  await page.context().clearCookies();
  await login();
  await page.goto(ticketUrl);
  const title = (await page.locator('#pet-ticket-title').innerText()).toLowerCase();
  expect(title.includes('open') && !title.includes('resolved'), `ticket after the portal reopen: ${title}`);
});

await finish();
