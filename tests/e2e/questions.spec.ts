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
