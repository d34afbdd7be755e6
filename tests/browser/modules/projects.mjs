// Browser test of the project page and the projects list (headless Debian Chromium,
// playwright-core): create an internal project, activate it, add a milestone and a task, move
// the task along, see the burn-up chart actually drawn by Chart.js (the canvas is painted,
// not blank) with its table alternative, and find the project with the list's search.
// Screenshots go to $PET_ARTIFACTS (projects-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoErrors, admin, submit, text, login, finish } = await startSuite({
  name: 'projects',
  phpError: /Fatal error|There has been a critical error|Warning:|Notice:/i,
});
const tag = stamp.slice(-8);
const name = `Portal relaunch ${tag}`;
let projectUrl = '';

await step('log into wp-admin', login);

await step('create an internal project and activate it', async () => {
  await admin('pet-projects');
  const form = page.locator('#pet-project-create');
  await form.locator('[name=name]').fill(name);
  await form.locator('[name=role]').fill('Developer');
  await form.locator('[name=minutes]').fill('10:00');
  await submit(form);
  await page.waitForURL(/page=pet-projects&id=/);
  projectUrl = page.url();
  expect((await text('#pet-project-name')).includes(name), 'project name not shown');
  // (The status buttons' forms are not children of their paragraph: a <form> start tag closes
  // an open <p>.)
  await submit(page.locator('form.pet-row-action').filter({ has: page.locator('input[name=status][value=active]') }));
  expect((await text('#pet-project-name')).includes('active'), 'project not active');
});

await step('the burn-up chart is drawn by Chart.js, with its table', async () => {
  const canvas = page.locator('#pet-project-burnup canvas[data-pet-chart]');
  await canvas.waitFor();
  await page.waitForFunction(() => document.querySelector('#pet-project-burnup canvas')?.getAttribute('data-pet-chart-drawn') === '1');
  // Painted pixels: a blank canvas reads back as all transparent.
  const painted = await page.evaluate(() => {
    const c = document.querySelector('#pet-project-burnup canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) {
      if (d[i] !== 0) n++;
    }
    return { n, w: c.width, h: c.height };
  });
  expect(painted.w > 100 && painted.h > 100, `canvas too small: ${JSON.stringify(painted)}`);
  expect(painted.n > 500, `the canvas is blank: ${JSON.stringify(painted)}`);
  await page.locator('#pet-project-burnup details summary').click();
  const table = await text('#pet-project-burnup table');
  expect(table.includes('Sold') && table.includes('10'), `table alternative: ${table}`);
  await screenshot('burn-up');
});

await step('add a milestone and a task, move the task to in progress', async () => {
  await page.locator('details:has(#pet-add-milestone) summary').click();
  const ms = page.locator('#pet-add-milestone');
  await ms.locator('[name=title]').fill(`Beta ${tag}`);
  await ms.locator('[name=due]').fill('2030-01-31');
  await submit(ms);
  expect((await text('#pet-project-milestones')).includes(`Beta ${tag}`), 'milestone not listed');
  await page.locator('details:has(#pet-add-task) summary').click();
  const task = page.locator('#pet-add-task');
  await task.locator('[name=title]').fill(`Login page ${tag}`);
  await task.locator('[name=hours]').fill('2:30');
  await task.locator('[name=milestone_id]').selectOption({ label: `Beta ${tag}` });
  await submit(task);
  const row = page.locator('#pet-project-tasks tr', { hasText: `Login page ${tag}` });
  expect((await row.innerText()).includes('2:30'), 'estimate not shown');
  await submit(row.locator('form').filter({ has: page.locator('input[name=status][value=in_progress]') }));
  const moved = page.locator('#pet-project-tasks tr', { hasText: `Login page ${tag}` });
  expect(await moved.locator('[data-status=in_progress]').count() === 1, 'task not in progress');
  await screenshot('project-page');
});

await step('the list finds the project by name and shows its variance', async () => {
  await admin('pet-projects', `&s=${encodeURIComponent(name)}`);
  const rows = page.locator('table.wp-list-table tbody tr');
  expect(await rows.count() === 1, `expected one row, got ${await rows.count()}`);
  const row = await rows.first().innerText();
  expect(row.includes(name) && row.includes('none'), `row: ${row}`);
  await expectNoErrors();
  await screenshot('projects-list');
});

await finish();
