// Answers an input box a command opened, after checking which question it is and what it suggests.
import assert from 'node:assert/strict';
import { waitFor, type Workbench } from './harness.js';

/** Waits for the input box titled `title`, checks its prefilled value, types `answer` and accepts. */
export async function answerInputBox(vs: Workbench, title: RegExp, prefilled: string, answer: string): Promise<void> {
  const widget = vs.page.locator('.quick-input-widget');
  const heading = widget.locator('.quick-input-title');
  const input = widget.locator('.quick-input-box input');
  const seen = await waitFor(`an input box titled ${title}`, async () => {
    if (!(await widget.isVisible())) return undefined;
    const text = (await heading.textContent())?.trim() ?? '';
    return title.test(text) ? text : undefined;
  });
  assert.equal(await input.inputValue(), prefilled, `the value ${seen} suggests`);
  await input.fill(answer);
  await vs.page.keyboard.press('Enter');
  await waitFor(`the input box ${title} to close`, async () => !(await widget.isVisible()) || !title.test((await heading.textContent()) ?? ''));
}
