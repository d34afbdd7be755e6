// Browser test of the support desk screens (headless Debian Chromium, playwright-core): define
// an SLA with business hours (first a rejected version with field errors shown next to the
// fields and the input kept), create a customer, open a ticket pinned to the SLA, move it to
// waiting on customer (clock paused) and back, write an internal note and a reply, then run
// the SLA job with the test build's clock (the "Run SLA job at…" form exists only in test
// builds) past the warning point and past the resolution target, and see "warning" and then
// "breached" on the ticket (list and detail) and in Activity. Screenshots go to
// $PET_ARTIFACTS (helpdesk-*).
//
// The SLA job's time is computed from the resolution due time the ticket page shows (the
// engine's projection at real "now"): 30 minutes before it at most 30 business minutes can
// accrue, so at least 210 of 240 minutes are used (past the 75 % warning point, 180) and the
// target is not yet reached; 5 minutes after it the target is breached.
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoPhpErrors, expectNoErrors, admin, post, submit, text, login, runDueJobs, finish } = await startSuite({
  name: 'helpdesk',
  phpError: /Fatal error|There has been a critical error|Warning:.*on line/i,
});
const slaName = `Business hours ${stamp}`;
const customer = `Initech ${stamp}`;
const subject = `TPS report cover sheet ${stamp}`;

/** The ticket page's SLA badge state (data-sla-state of the heading's badge). */
async function headingSla() {
  return page.locator('#pet-ticket-title .pet-sla').getAttribute('data-sla-state');
}

let ticketUrl = '';
let slaUrl = '';

/** Runs the SLA job at `at` through the test-build form, then opens the ticket again. */
async function runSlaJobAt(at) {
  await admin('pet-slas');
  const form = page.locator('#pet-run-sla-job-at');
  await form.locator('[name=at]').fill(at);
  await submit(form);
  const notice = await page.locator('.notice-success').first().innerText();
  expect(notice.includes('test clock'), `unexpected notice: ${notice}`);
}

/** Activity must show a line with the ticket's subject and `words`; catches up the feed once. */
async function activityShows(words) {
  const find = async () => {
    await admin('pet-activity');
    const lines = await page.locator('table.wp-list-table tbody tr').allInnerTexts();
    return lines.some((l) => l.includes(subject) && l.includes(words));
  };
  let ok = await find();
  if (!ok) {
    await runDueJobs();
    ok = await find();
  }
  expect(ok, `Activity has no "${words}" line for the ticket`);
}

await step('log into wp-admin', login);

/** Fills the SLA editor (Mon–Fri 09:00–17:00 in Europe/Berlin, targets, warning at 75 %). */
async function fillSla(form, { normalFirstResponse, mondaySecond }) {
  await form.locator('[name=name]').fill(slaName);
  await form.locator('[name=timezone]').selectOption('Europe/Berlin');
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
    await form.locator(`[name="hours[${day}][0][start]"]`).fill('09:00');
    await form.locator(`[name="hours[${day}][0][end]"]`).fill('17:00');
  }
  if (mondaySecond) {
    await form.locator('[name="hours[mon][1][start]"]').fill(mondaySecond[0]);
    await form.locator('[name="hours[mon][1][end]"]').fill(mondaySecond[1]);
  } else {
    await form.locator('[name="hours[mon][1][start]"]').fill('');
    await form.locator('[name="hours[mon][1][end]"]').fill('');
  }
  await form.locator('[name=holidays]').fill('2030-12-25\n2030-12-26');
  await form.locator('input[name="pause_statuses[]"][value=waiting_on_customer]').check();
  await form.locator('[name=warning_percent]').fill('75');
  await form.locator('input[name="always_on[]"][value=urgent]').check();
  const targets = { low: [480, 2400], normal: [normalFirstResponse, 240], high: [30, 120], urgent: [15, 60] };
  for (const [p, [fr, res]] of Object.entries(targets)) {
    await form.locator(`[name="targets[${p}][first_response_minutes]"]`).fill(String(fr));
    await form.locator(`[name="targets[${p}][resolution_minutes]"]`).fill(String(res));
  }
}

await step('a rejected SLA shows the field errors next to the fields and keeps the input', async () => {
  await admin('pet-slas');
  const form = page.locator('#pet-sla-editor');
  // Monday 09:00–17:00 and 12:00–13:00 overlap; a first-response target of 0 is refused.
  await fillSla(form, { normalFirstResponse: 0, mondaySecond: ['12:00', '13:00'] });
  await post(form);
  await expectNoPhpErrors();
  await page.locator('.notice-error').first().waitFor();
  const editor = page.locator('#pet-sla-editor');
  const targetError = editor.locator('#pet-target-normal .pet-field-error');
  expect(await targetError.count() >= 1, 'no field error next to the normal first-response target');
  const hoursError = editor.locator('#pet-hours-mon .pet-field-error, #pet-sla-hours ~ .pet-field-error');
  expect(await hoursError.count() >= 1, 'no field error next to the overlapping Monday hours');
  expect(await editor.locator('[name=name]').inputValue() === slaName, 'the name was not kept');
  expect(await editor.locator('[name="hours[mon][1][start]"]').inputValue() === '12:00', 'the Monday range was not kept');
  expect(await editor.locator('[name="targets[normal][first_response_minutes]"]').inputValue() === '0', 'the target was not kept');
  expect(await editor.locator('[name=timezone]').inputValue() === 'Europe/Berlin', 'the time zone was not kept');
  await screenshot('sla-editor-errors');
});

await step('define the SLA with business hours', async () => {
  const form = page.locator('#pet-sla-editor');
  await fillSla(form, { normalFirstResponse: 60, mondaySecond: null });
  await submit(form);
  await page.waitForURL(/page=pet-slas&id=/);
  slaUrl = page.url();
  const title = await page.locator('#pet-sla-title').innerText();
  expect(title.includes(slaName) && title.includes('version 1'), `title: ${title}`);
  const history = await page.locator('#pet-sla-versions').innerText();
  expect(history.includes('Europe/Berlin') && history.includes('mon 09:00–17:00') && history.includes('Warning at 75 %') && history.includes('2030-12-25'), `history: ${history}`);
  await screenshot('sla-defined');
});

await step('create a customer', async () => {
  await admin('pet-customers');
  const form = page.locator('#pet-create-customer');
  await form.locator('[name=name]').fill(customer);
  await submit(form);
  expect((await text()).includes(customer), 'customer not listed');
});

await step('open a ticket pinned to the SLA', async () => {
  await admin('pet-tickets');
  const form = page.locator('#pet-create-ticket');
  // The customer and SLA are type-ahead pickers: type, then choose from the list.
  await form.locator('#pet-ticket-customer').fill(customer);
  await form.locator('#pet-ticket-customer-list [role=option]', { hasText: customer }).first().click();
  expect((await form.locator('input[type=hidden][name=customer_id]').inputValue()).length === 36, 'customer not chosen');
  await form.locator('[name=subject]').fill(subject);
  await form.locator('[name=priority]').selectOption('normal');
  await form.locator('[name=channel]').selectOption('email');
  await form.locator('#pet-ticket-sla').fill(slaName);
  await form.locator('#pet-ticket-sla-list [role=option]', { hasText: slaName }).first().click();
  await submit(form);
  await page.waitForURL(/page=pet-tickets&id=/);
  ticketUrl = page.url();
  const facts = await page.locator('#pet-ticket-facts').innerText();
  expect(facts.includes(customer) && facts.includes(`${slaName}, version 1`), `facts: ${facts}`);
  expect(await page.locator('#pet-sla-resolution').getAttribute('data-state') === 'running', 'resolution clock is not running');
});

await step('publish SLA version 2: the ticket keeps version 1', async () => {
  await page.goto(slaUrl);
  await expectNoErrors();
  const form = page.locator('#pet-sla-editor');
  expect(await form.locator('[name="targets[normal][resolution_minutes]"]').inputValue() === '240', 'the editor does not start from the current version');
  await form.locator('[name="targets[normal][resolution_minutes]"]').fill('300');
  await submit(form);
  expect((await page.locator('#pet-sla-title').innerText()).includes('version 2'), 'version 2 not current');
  expect(await page.locator('#pet-sla-versions .pet-sla-version').count() === 2, 'history does not list two versions');
  expect((await page.locator('#pet-sla-versions').innerText()).includes('300 business min'), 'version 2 spec not shown');
  await screenshot('sla-version-2');
  await page.goto(ticketUrl);
  await expectNoErrors();
  const facts = await page.locator('#pet-ticket-facts').innerText();
  expect(facts.includes(`${slaName}, version 1`), `ticket no longer on version 1: ${facts}`);
  expect((await page.locator('#pet-sla-resolution').innerText()).includes('of 240'), 'ticket target changed with version 2');
});

await step('open, wait on the customer (clock paused) and back', async () => {
  await submit(page.locator('#pet-status-open'));
  await submit(page.locator('#pet-status-waiting-on-customer'));
  expect(await headingSla() === 'paused', `SLA while waiting: ${await headingSla()}`);
  expect(await page.locator('#pet-sla-resolution').getAttribute('data-state') === 'paused', 'resolution clock not paused');
  await submit(page.locator('#pet-status-open'));
  expect(['running', 'warning'].includes(await headingSla()), `SLA after waiting: ${await headingSla()}`);
  const timeline = await page.locator('#pet-ticket-timeline').innerText();
  expect(timeline.includes('waiting on customer') && (timeline.match(/status → open/g) || []).length === 2, `timeline: ${timeline}`);
});

await step('an internal note and a reply to the customer look different', async () => {
  const form = page.locator('#pet-reply-form');
  await form.locator('[name=body]').fill('Checked the cover sheet template: the memo went out on Friday.');
  await form.locator('input[name=visibility][value=internal]').check();
  await submit(form);
  expect(await page.locator('#pet-sla-first-response').getAttribute('data-state') !== 'met', 'an internal note counted as a first response');
  const reply = page.locator('#pet-reply-form');
  await reply.locator('[name=body]').fill('Hello Peter,\nyes, we are putting new cover sheets on all TPS reports now.');
  await reply.locator('input[name=visibility][value=public]').check();
  await submit(reply);
  expect(await page.locator('.pet-reply-internal').count() === 1, 'internal note not shown as internal');
  expect(await page.locator('.pet-reply-public').count() === 1, 'reply not shown as a reply');
  expect(await page.locator('#pet-sla-first-response').getAttribute('data-state') === 'met', 'first response not met after the reply');
  await screenshot('ticket-conversation');
});

let dueAt = 0;

await step('run the SLA job past the warning point: warning on the ticket and in Activity', async () => {
  const due = await page.locator('#pet-sla-resolution').getAttribute('data-due-at');
  expect(due, 'the ticket page shows no resolution due time');
  dueAt = Date.parse(due);
  expect(!Number.isNaN(dueAt), `unreadable due time ${due}`);
  await runSlaJobAt(new Date(dueAt - 30 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
  await page.goto(ticketUrl);
  await expectNoErrors();
  expect(await headingSla() === 'warning', `ticket SLA after the warning run: ${await headingSla()}`);
  expect(await page.locator('#pet-sla-resolution').getAttribute('data-state') === 'warning', 'resolution target not in warning');
  await screenshot('ticket-warning');
  await admin('pet-tickets', '&sla_state=warning&orderby=sla&order=asc');
  const row = page.locator('table.wp-list-table tbody tr', { hasText: subject });
  expect(await row.count() === 1, 'ticket not listed under the "warning" filter');
  const cell = await row.locator('.pet-sla').innerText();
  expect(/^warning/.test(cell), `SLA column: ${cell}`);
  await screenshot('tickets-warning');
  await activityShows('SLA warning');
});

await step('run the SLA job past the resolution target: breached on the ticket and in Activity', async () => {
  await runSlaJobAt(new Date(dueAt + 5 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
  await page.goto(ticketUrl);
  await expectNoErrors();
  expect(await headingSla() === 'breached', `ticket SLA after the breach run: ${await headingSla()}`);
  expect(await page.locator('#pet-sla-resolution').getAttribute('data-state') === 'breached', 'resolution target not breached');
  await screenshot('ticket-breached');
  await admin('pet-tickets', '&status=active&sla_state=breached');
  const row = page.locator('table.wp-list-table tbody tr', { hasText: subject });
  expect(await row.count() === 1, 'ticket not listed under the "breached" filter');
  const cell = await row.locator('.pet-sla').innerText();
  expect(/^breached/.test(cell), `SLA column: ${cell}`);
  await screenshot('tickets-breached');
  await activityShows('SLA breached');
  await screenshot('activity');
});

await step('resolve, reopen with a reason, resolve and close', async () => {
  await page.goto(ticketUrl);
  await submit(page.locator('#pet-status-resolved'));
  const reopen = page.locator('#pet-reopen');
  await reopen.locator('[name=reason]').fill('Peter found another report without a cover sheet');
  await submit(reopen);
  expect((await page.locator('#pet-ticket-title').innerText()).includes('open'), 'not reopened');
  expect((await page.locator('.pet-reply-internal').allInnerTexts()).some((t) => t.includes('another report without a cover sheet')), 'reopen reason not kept as an internal note');
  await submit(page.locator('#pet-status-resolved'));
  await submit(page.locator('#pet-status-closed'));
  expect(await page.locator('#pet-reply-form').count() === 0, 'a closed ticket still offers the reply form');
  await screenshot('ticket-closed');
});

await finish();
