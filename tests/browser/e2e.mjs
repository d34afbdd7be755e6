// End-to-end test of the PET wp-admin screens in headless Debian Chromium (playwright-core):
// log in, create an employee and a team, add the employee to the team, and find the three facts
// on the Activity screen. Screenshots of every step go to $PET_ARTIFACTS (kept by scripts/test).
//
// Env: PET_E2E_URL (http://127.0.0.1:8089), PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS,
//      PET_CHROMIUM (/usr/bin/chromium).
import { startSuite, expect } from './lib/harness.mjs';

const { stamp, page, pageErrors, step, screenshot, expectNoErrors, admin, post, login, runDueJobs, finish } = await startSuite();
const employeeName = `Edsger Dijkstra ${stamp}`;
const employeeEmail = `edsger.${stamp}@example.com`;
const teamName = `Research ${stamp}`;

await step('log into wp-admin', async () => {
  await login();
  expect(await page.locator('#toplevel_page_pet-employees').count() === 1, 'no PET menu in wp-admin');
  await screenshot('dashboard');
});

await step('create an employee', async () => {
  await admin('pet-employees');
  const form = page.locator('#pet-create-employee');
  await form.locator('[name=name]').fill(employeeName);
  await form.locator('[name=email]').fill(employeeEmail);
  await form.locator('[name=cost_amount]').fill('55');
  await form.locator('[name=bill_amount]').fill('110.50');
  await post(form);
  await page.waitForURL(/page=pet-employees/);
  await expectNoErrors();
  await page.locator('.notice-success', { hasText: employeeName }).waitFor();
  const row = page.locator('table.wp-list-table tbody tr', { hasText: employeeName });
  expect(await row.count() === 1, 'the new employee is not listed');
  expect((await row.innerText()).includes('110.50'), 'the bill rate is not shown in the list');
  await screenshot('employee-created');
});

await step('create a team', async () => {
  await admin('pet-teams');
  const form = page.locator('#pet-create-team');
  await form.locator('[name=name]').fill(teamName);
  await post(form);
  await page.waitForURL(/page=pet-teams/);
  await expectNoErrors();
  await page.locator('.notice-success', { hasText: teamName }).waitFor();
  expect(await page.locator('table.wp-list-table tbody tr', { hasText: teamName }).count() === 1, 'the new team is not listed');
  await screenshot('team-created');
});

await step('add the employee to the team', async () => {
  await page.locator('table.wp-list-table tbody tr', { hasText: teamName }).locator('a.row-title').click();
  await page.waitForURL(/team=/);
  await expectNoErrors();
  const form = page.locator('#pet-add-member');
  // The employee is a type-ahead picker: type, then choose from the list.
  await form.locator('#pet-employee-id').fill(employeeName);
  await form.locator('#pet-employee-id-list [role=option]', { hasText: employeeName }).first().click();
  expect((await form.locator('input[type=hidden][name=employee_id]').inputValue()).length === 36, 'employee not chosen');
  await form.locator('[name=role]').selectOption('lead');
  await post(form);
  await page.waitForURL(/team=/);
  await expectNoErrors();
  await page.locator('.notice-success').waitFor();
  const row = page.locator('table.wp-list-table tbody tr', { hasText: employeeName });
  expect(await row.count() === 1, 'the employee is not listed as a member');
  expect((await row.innerText()).includes('Lead'), 'the member role is not shown');
  await screenshot('member-added');
});

// The feed is a projection: when it lags, the Jobs screen's "Run due jobs now" catches it up.
async function activityRows() {
  await admin('pet-activity');
  return page.locator('table.wp-list-table tbody tr');
}
async function findFacts() {
  const rows = await activityRows();
  const texts = await rows.allInnerTexts();
  return {
    employee: texts.some((t) => t.includes(employeeName) && /employee/i.test(t)),
    team: texts.some((t) => t.includes(teamName) && /team/i.test(t) && !t.includes(employeeName)),
    member: texts.some((t) => t.includes(employeeName) && t.includes(teamName)),
    texts,
  };
}

await step('see the three facts on the Activity screen', async () => {
  let facts = await findFacts();
  for (let i = 0; i < 5 && !(facts.employee && facts.team && facts.member); i += 1) {
    await runDueJobs();
    await page.waitForTimeout(500);
    facts = await findFacts();
  }
  await screenshot('activity');
  const feed = facts.texts.slice(0, 8).join('\n      ');
  expect(facts.employee, `no "employee created" line for ${employeeName}; feed:\n      ${feed}`);
  expect(facts.team, `no "team created" line for ${teamName}; feed:\n      ${feed}`);
  expect(facts.member, `no "member added" line naming ${employeeName} and ${teamName}; feed:\n      ${feed}`);
});

await step('filter the Activity screen by the team', async () => {
  const link = page.locator('table.wp-list-table tbody tr', { hasText: teamName })
    .filter({ hasNotText: employeeName }).first().locator('td.column-context a.pet-context-filter');
  // Wait for the filtered page itself: 'load' of the page already shown resolves at once.
  await Promise.all([page.waitForURL(/context_id=/), link.click()]);
  await page.waitForLoadState('load');
  await expectNoErrors();
  const texts = await page.locator('table.wp-list-table tbody tr').allInnerTexts();
  expect(texts.length >= 1, 'no activity for the team');
  expect(texts.every((t) => t.includes(teamName)), `a row of another context is shown: ${texts.join(' | ')}`);
  await screenshot('activity-filtered');
});

await step('no JavaScript errors on the pages', async () => {
  expect(pageErrors.length === 0, pageErrors.join('\n'));
});

await finish();
