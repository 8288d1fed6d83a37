import { expect, test, type Page } from "@playwright/test";
import { screenText } from "../../app/models/risk-screening";
import { signIn } from "./support";

// The journey: a client asks a question → a coach sees it at the top of the queue →
// replies using a saved reply → the client sees it and replies under it → it is back in the queue.
// The question says the client doesn't feel safe, so it is flagged urgent: that is what puts it
// above the demo practice's older questions, and the client is shown the crisis message.

const run = Date.now().toString(36);
const title = `Not feeling safe at home ${run}`;
const question = "Since Sunday's argument I'm not safe at home when he drinks. What should I do tonight?";

async function firstQueueRow(page: Page) {
  await page.goto("/triage");
  const table = page.getByRole("table", { name: /questions waiting for a reply/ });
  return table.getByRole("row").nth(1);
}

test("a question goes from the client to the top of the queue and back after a saved-reply answer", async ({ page: coach, browser, baseURL }) => {
  expect(screenText(question).length).toBeGreaterThan(0);
  const clientContext = await browser.newContext({ baseURL });
  try {
    // The client asks.
    const client = await clientContext.newPage();
    await signIn(client, "client@cairn.test");
    await client.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Questions" }).click();
    await expect(client.getByRole("heading", { level: 1, name: "Your questions" })).toBeVisible();
    await client.getByLabel("Title").fill(title);
    await client.getByRole("textbox", { name: "Your question" }).fill(question);
    await client.getByRole("button", { name: "Send your question" }).click();
    await expect(client.getByRole("heading", { level: 1, name: title })).toBeVisible();
    // A calm message with crisis resources, because of what the question says.
    await expect(client.getByRole("heading", { name: "You don't have to carry this alone" })).toBeVisible();
    const threadUrl = new URL(client.url()).pathname;

    // The coach keeps a saved reply…
    await signIn(coach, "coach@cairn.test");
    await coach.goto("/saved-replies");
    const newReply = coach.getByRole("region", { name: "New saved reply" });
    await newReply.getByLabel("Title").fill(`Safety first ${run}`);
    await newReply.getByLabel("Text").fill("Thank you for telling us. Your safety comes first.");
    await newReply.getByRole("button", { name: "Save reply" }).click();
    await expect(coach.getByRole("status")).toBeVisible();

    // …finds the question at the top of the queue and answers with it.
    const top = await firstQueueRow(coach);
    await expect(top).toContainText(title);
    await expect(top).toContainText(/urgent/i);
    await top.getByRole("link", { name: title }).click();
    await expect(coach.getByRole("heading", { level: 1 })).toContainText(title);
    await coach.getByLabel("Saved reply").selectOption({ label: `Safety first ${run}` });
    await coach.getByRole("button", { name: "Insert" }).click();
    const box = coach.getByLabel("Your reply", { exact: true });
    await expect(box).toHaveValue("Thank you for telling us. Your safety comes first.");
    await box.fill("Thank you for telling us. Your safety comes first. I'll call you at six to make a plan for tonight.");
    await coach.getByRole("button", { name: "Send reply", exact: true }).click();
    await expect(coach.getByRole("paragraph").filter({ hasText: "I'll call you at six to make a plan for tonight." })).toBeVisible();
    await expect(await firstQueueRow(coach)).not.toContainText(title);

    // The client sees the answer and replies under it.
    await client.goto(threadUrl);
    await expect(client.getByRole("paragraph").filter({ hasText: "I'll call you at six to make a plan for tonight." })).toBeVisible();
    // "Reply" under a message is a link that opens the one reply form under it. It is a plain
    // anchor (FastLink) that the app routes itself: the page isn't loaded again, so a value
    // left on window survives the click.
    await client.evaluate(() => Object.assign(window, { cairnSamePage: true }));
    await client.getByRole("link", { name: "Reply to Casey Coach" }).first().click();
    await expect(client).toHaveURL(/\?replyTo=[0-9a-f-]{36}#reply-/);
    expect(await client.evaluate(() => (window as Window & { cairnSamePage?: boolean }).cairnSamePage)).toBe(true);
    await client.getByLabel("Your reply to Casey Coach").fill("Thank you. Six is good; I'll be at my sister's.");
    await client.getByRole("button", { name: "Send reply" }).click();
    await expect(client.getByRole("list", { name: "Replies to Casey Coach" }).getByRole("paragraph").filter({ hasText: "Six is good; I'll be at my sister's." })).toBeVisible();

    // The question is back in the coach's queue, still at the top.
    await expect(await firstQueueRow(coach)).toContainText(title);
  } finally {
    await clientContext.close();
  }
});

test("a long thread reads a page of 50 messages at a time, and a reply on a later page comes back to that page", async ({ page: coach, baseURL }) => {
  await signIn(coach, "coach@cairn.test");
  // A conversation of the coach's own with a client (it waits for the client, so it stays out of the queue).
  await coach.goto("/cases");
  await coach.getByRole("table").first().getByRole("row").nth(1).getByRole("link").first().click();
  await expect(coach).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await coach.goto(`${new URL(coach.url()).pathname}/threads`);
  const subject = `Weekly notes ${run}`;
  await coach.getByLabel("Title", { exact: true }).fill(subject);
  await coach.getByLabel("Message", { exact: true }).fill("A place for this week's notes.");
  await coach.getByRole("button", { name: "Send to the client" }).click();
  await expect(coach.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  const threadPath = new URL(coach.url()).pathname;

  // 55 internal notes, sent as the page's form sends them: 56 messages in all.
  for (let i = 1; i <= 55; i++) {
    const sent = await coach.request.post(threadPath, {
      form: { intent: "reply", parentId: "", body: `Note ${i} of the week`, visibility: "internal" },
      headers: { Origin: baseURL! },
      maxRedirects: 0,
    });
    expect(sent.status()).toBe(302);
  }

  await coach.goto(threadPath);
  await expect(coach.getByText("Messages 1–50 of 56").first()).toBeVisible();
  const pages = coach.getByRole("navigation", { name: "Thread pages" }).first();
  await expect(pages.getByRole("link", { name: "Page 1" })).toHaveAttribute("aria-current", "page");
  await expect(coach.getByText("Note 55 of the week")).toHaveCount(0);
  await pages.getByRole("link", { name: "Next" }).click();
  await expect(coach).toHaveURL(/\?page=2$/);
  await expect(coach.getByText("Messages 51–56 of 56").first()).toBeVisible();
  await expect(coach.getByText("Note 55 of the week")).toBeVisible();
  // Their parent, the question, is on page 1: each says whom it answers.
  await expect(coach.getByText("Replying to Casey Coach").first()).toBeVisible();

  // A reply under a note on page 2 opens the form there, and after sending, page 2 shows it.
  const note = coach.getByRole("listitem").filter({ hasText: "Note 55 of the week" });
  await note.getByRole("link", { name: "Reply to Casey Coach" }).click();
  await expect(coach).toHaveURL(/\?replyTo=[0-9a-f-]{36}#reply-/);
  await note.getByLabel("Your reply to Casey Coach").fill("Followed up by phone.");
  await note.getByRole("button", { name: "Send reply", exact: true }).click();
  await expect(coach).toHaveURL(/\?post=[0-9a-f-]{36}#post-/);
  await expect(coach.getByText("Messages 51–57 of 57").first()).toBeVisible();
  await expect(coach.getByRole("list", { name: "Replies to Casey Coach" }).getByText("Followed up by phone.")).toBeVisible();

  // Page 1 has a way to the newest message.
  await coach.getByRole("navigation", { name: "Thread pages" }).first().getByRole("link", { name: "Page 1" }).click();
  await coach.getByRole("link", { name: "Newest message" }).click();
  await expect(coach.getByText("Followed up by phone.")).toBeVisible();
});
