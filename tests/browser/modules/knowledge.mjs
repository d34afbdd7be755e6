// Browser test of the Knowledgebase screens (headless Debian Chromium, playwright-core): write
// an article, see a field error kept next to its field, revise it (version 2), restore
// version 1 (version 3 with version 1's content, in the history and in the diff), find it by a
// word only in its body with the search box (and not by a word only in the replaced
// version), comment and hide a comment, and see the facts in Activity. Screenshots go to
// $PET_ARTIFACTS (knowledge-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoPhpErrors, expectNoErrors, admin, post, submit, text, login, runDueJobs, finish } = await startSuite({
  name: 'knowledge',
  phpError: /Fatal error|There has been a critical error|Warning:|Notice:/i,
});
const tag = stamp.slice(-8);
const category = `Billing ${tag}`;
const title = `Invoices page times out ${tag}`;
const slug = `invoices-time-out-${tag}`;
// Words that appear only in the body of one version each (never in the title).
const oldWord = `zebracache${tag}`;
const newWord = `quokkaindex${tag}`;
const body1 = `When the invoices page times out, flush the ${oldWord} and reload.\n\nIf it still fails, open a ticket.`;
const body2 = `When the invoices page times out, rebuild the ${newWord} overnight.\n\nIf it still fails, open a ticket.`;

let articleUrl = '';

await step('log into wp-admin', login);

await step('write and publish an article from "New article"', async () => {
  await admin('pet-kb');
  expect(await page.locator('#adminmenu a[href$="page=pet-kb"]').count() === 1, 'no Knowledgebase menu entry');
  expect(await page.locator('#adminmenu a[href$="page=pet-kb-article"]').count() === 0, 'the article page has a menu entry of its own');
  await Promise.all([page.waitForNavigation(), page.click('#pet-kb-new')]);
  await expectNoErrors();
  const form = page.locator('#pet-kb-create');
  await form.locator('[name=category]').fill(category);
  await form.locator('[name=title]').fill(title);
  await form.locator('[name=slug]').fill(slug);
  await form.locator('[name=body]').fill(body1);
  expect(await form.locator('[name=publish]').isChecked(), '"publish now" is not ticked by default');
  await submit(form);
  await page.waitForURL(/page=pet-kb-article&id=/);
  articleUrl = page.url();
  expect((await text('#pet-kb-title')).includes(title), 'title not shown');
  expect((await text('#pet-kb-title')).includes('published'), 'status not shown as published');
  expect((await text('#pet-kb-live-version')).includes('1'), 'live version is not 1');
  const shown = await text('#pet-kb-body');
  expect(shown.includes(oldWord) && shown.includes('If it still fails'), `body not shown: ${shown}`);
  expect(await page.locator('#pet-kb-body p').count() === 2, 'the blank line did not make two paragraphs');
  expect((await text('#pet-kb-facts')).includes(category), 'category not shown');
  await screenshot('article-v1');
});

await step('a duplicate slug is shown next to the slug field, the input kept', async () => {
  await admin('pet-kb-article');
  const form = page.locator('#pet-kb-create');
  await form.locator('[name=category]').fill(category);
  await form.locator('[name=title]').fill(`Duplicate ${tag}`);
  await form.locator('[name=slug]').fill(slug);
  await form.locator('[name=body]').fill('Kept text\n\nsecond paragraph');
  await post(form);
  await expectNoPhpErrors();
  expect(await page.locator('.notice-error').count() >= 1, 'no error notice');
  const err = await text('#pet-kb-new-slug-error');
  expect(err.length > 0, 'no message next to the slug field');
  expect(await page.locator('#pet-kb-new-slug').getAttribute('aria-invalid') === 'true', 'slug not marked invalid');
  expect(await page.locator('#pet-kb-new-title').inputValue() === `Duplicate ${tag}`, 'title input not kept');
  expect(await page.locator('#pet-kb-new-body').inputValue() === 'Kept text\n\nsecond paragraph', 'body input not kept');
  await screenshot('field-error');
});

await step('revise it: version 2', async () => {
  await page.goto(articleUrl);
  await expectNoErrors();
  const form = page.locator('#pet-kb-publish');
  expect((await form.locator('[name=body]').inputValue()).includes(oldWord), 'editor not filled with the live version');
  await form.locator('[name=body]').fill(body2);
  await submit(form);
  expect((await text('#pet-kb-live-version')).includes('2'), 'live version is not 2');
  const shown = await text('#pet-kb-body');
  expect(shown.includes(newWord) && !shown.includes(oldWord), `body is not version 2: ${shown}`);
  expect(await page.locator('#pet-kb-versions tbody tr').count() === 2, 'history does not list two versions');
  await screenshot('article-v2');
});

await step('restore version 1 as version 3', async () => {
  await submit(page.locator('#pet-kb-restore-1'));
  expect((await text('#pet-kb-live-version')).includes('3'), 'live version is not 3');
  const shown = await text('#pet-kb-body');
  expect(shown.includes(oldWord) && !shown.includes(newWord), `body is not version 1's content: ${shown}`);
  const rows = page.locator('#pet-kb-versions tbody tr');
  expect(await rows.count() === 3, 'history does not list three versions');
  // Newest first: version 3, live, restoring version 1.
  const first = await rows.first().innerText();
  expect(first.includes('3') && first.includes('live') && first.includes('restores version 1'), `history row of version 3: ${first}`);
  expect(await page.locator('#pet-kb-restore-3').count() === 0, 'the live version offers a restore');
  expect(await page.locator('#pet-kb-restore-2').count() === 1, 'version 2 offers no restore');
  await screenshot('article-v3-restored');
});

await step('the diff of versions 2 and 3 shows the restored text', async () => {
  await page.locator('#pet-kb-versions input[name=from][value="2"]').check();
  await page.locator('#pet-kb-versions input[name=to][value="3"]').check();
  await Promise.all([page.waitForNavigation(), page.locator('[type=submit][form=pet-kb-compare]').click()]);
  await expectNoErrors();
  await page.locator('#pet-kb-diff table.diff').waitFor();
  const removed = (await page.locator('#pet-kb-diff .diff-deletedline').allInnerTexts()).join(' ');
  const added = (await page.locator('#pet-kb-diff .diff-addedline').allInnerTexts()).join(' ');
  expect(removed.includes(newWord), `version 2's word not shown as removed: ${removed}`);
  expect(added.includes(oldWord), `version 1's word not shown as added: ${added}`);
  await screenshot('diff');
  // Versions 1 and 3 have the same content.
  await page.goto(`${articleUrl}&from=1&to=3`);
  await expectNoErrors();
  expect((await text('#pet-kb-diff')).includes('same title and text'), 'versions 1 and 3 are not reported identical');
});

await step('the search box finds it by a word only in its body', async () => {
  await admin('pet-kb');
  expect((await text('#pet-kb-articles')).includes(title), 'article not listed');
  expect((await text('#pet-kb-articles')).includes(category), 'category heading not listed');
  await page.fill('#pet-kb-q', oldWord);
  await Promise.all([page.waitForNavigation(), page.click('#pet-kb-search-submit')]);
  await expectNoErrors();
  const results = await text('#pet-kb-results');
  expect(results.includes(title), `search for a body word did not find the article: ${results}`);
  expect(results.includes(oldWord), 'snippet does not show the body');
  await screenshot('search');
  // The word of the replaced version 2 is not in any live version any more.
  await admin('pet-kb', `&q=${encodeURIComponent(newWord)}`);
  expect(!(await text('#pet-kb-results')).includes(title), 'a word of a replaced version still finds the article');
  // Category filter through the category links.
  await admin('pet-kb', `&category=${encodeURIComponent(category)}`);
  expect((await text('#pet-kb-articles')).includes(title), 'category filter lost the article');
  await admin('pet-kb', '&q=' + encodeURIComponent(oldWord));
  await Promise.all([page.waitForNavigation(), page.locator('#pet-kb-results a.row-title', { hasText: title }).click()]);
  expect(page.url().includes('page=pet-kb-article'), 'search result does not open the article');
});

await step('comment, and hide a comment as a moderator', async () => {
  await page.goto(articleUrl);
  await expectNoErrors();
  let form = page.locator('#pet-kb-comment');
  await form.locator('[name=body]').fill(`Worked for me ${tag}`);
  await submit(form);
  form = page.locator('#pet-kb-comment');
  await form.locator('[name=body]').fill(`Buy cheap watches ${tag}`);
  await submit(form);
  const spam = page.locator('.pet-kb-comment', { hasText: `Buy cheap watches ${tag}` });
  expect(await spam.count() === 1, 'second comment not shown');
  await spam.locator('input[name=reason]').fill('spam');
  await submit(spam.locator('form.pet-kb-hide'));
  const hidden = page.locator('.pet-kb-comment', { hasText: `Buy cheap watches ${tag}` });
  expect(await hidden.getAttribute('class').then((c) => c.includes('pet-kb-comment-hidden')), 'hidden comment not greyed');
  const note = await hidden.innerText();
  expect(note.includes('Hidden by') && note.includes('spam'), `who/why not shown: ${note}`);
  const kept = page.locator('.pet-kb-comment', { hasText: `Worked for me ${tag}` });
  expect(!(await kept.getAttribute('class')).includes('hidden'), 'the other comment was hidden too');
  await screenshot('comments');
});

await step('the facts are in Activity', async () => {
  await Promise.all([page.waitForNavigation(), page.click('#pet-kb-activity')]);
  await expectNoErrors();
  let feed = await page.locator('body').innerText();
  if (!/hid a comment/i.test(feed)) {
    await runDueJobs();
    await admin('pet-activity', '&context_type=knowledge_article');
    feed = await page.locator('body').innerText();
  }
  for (const want of [
    /Version 1 of “[^”]*” was published/,
    /Version 2 of “[^”]*” was published/,
    /Version 3 of “[^”]*” was published, restoring version 1/,
    /commented on/,
    /hid a comment on .*: spam/,
  ]) {
    expect(want.test(feed), `Activity lacks ${want}`);
  }
  await screenshot('activity');
});

await finish();
