import { expect, test } from "@playwright/test";
import { signIn } from "./support";

// The journey: a client checks in → it appears in the review queue → a coach reviews it
// with feedback → the client sees the feedback and the new point on their chart.
// Priya's case (lead: Casey Coach) has no check-ins in the demo practice, so today's point is hers.

const run = Date.now().toString(36);
const happened = `We talked about money for ten minutes without raising our voices (${run}).`;
const feedback = `Ten calm minutes is a real start, Priya. Try the same pause next week (${run}).`;
const today = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date());

test("a check-in travels from the client to the review queue and comes back with feedback", async ({ page: coach, browser, baseURL }) => {
  const clientContext = await browser.newContext({ baseURL });
  try {
    const client = await clientContext.newPage();
    await signIn(client, "priya@cairn.test");
    await client.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Check in" }).click();
    await expect(client.getByRole("heading", { level: 1, name: "Check in" })).toBeVisible();
    await client.getByRole("group", { name: /Your mood lately/ }).getByRole("radio", { name: "4 · Good" }).check();
    await client.getByRole("group", { name: /Progress toward your goal/ }).getByRole("radio", { name: "6", exact: true }).check();
    await client.getByRole("group", { name: /Closeness and trust/ }).getByRole("radio", { name: "7", exact: true }).check();
    await client.getByLabel("What happened since your last check-in?").fill(happened);
    await client.getByLabel("What was hard?").fill("Not finishing each other's sentences.");
    await client.getByRole("button", { name: "Send check-in" }).click();
    await expect(client).toHaveURL(/\/portal\/progress/);
    await expect(client.getByText(`Your latest check-in (${today}): mood 4 of 5, progress 6 of 10.`)).toBeVisible();

    // The coach finds it in the review queue (oldest first, so Priya's new one is the last of hers).
    await signIn(coach, "coach@cairn.test");
    await coach.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Check-ins" }).click();
    const queue = coach.getByRole("table", { name: /Check-ins waiting for review/ });
    await queue.getByRole("link", { name: /open the check-in from Priya Raman/ }).last().click();
    await expect(coach.getByText(happened)).toBeVisible();
    await coach.getByLabel("Feedback for Priya Raman").fill(feedback);
    await coach.getByRole("button", { name: "Mark reviewed" }).click();
    await expect(coach.getByRole("status")).toBeVisible();

    // Priya sees the feedback beside her check-in, and today's point in the chart's figures.
    await client.goto("/portal/progress");
    await expect(client.getByText(feedback)).toBeVisible();
    await client.getByText("Show the figures").first().click();
    const figures = client.getByRole("table", { name: "Your mood and progress" });
    await expect(figures.getByRole("row").last()).toContainText(today);
    await expect(figures.getByRole("row").last()).toContainText("4");
  } finally {
    await clientContext.close();
  }
});
