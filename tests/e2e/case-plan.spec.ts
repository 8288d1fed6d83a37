import { expect, test } from "@playwright/test";
import { demoTemplates } from "../../db/demo-templates";
import { escapeRegExp, signIn, uniqueEmail } from "./support";

// The journey: a therapist opens a case for a new client and assigns a plan; the client,
// signed in from the invitation, works through two steps with a note; the therapist sees the
// progress and both steps on the case timeline.

const template = demoTemplates.find((t) => t.title.startsWith("Rebuilding trust"))!;
const [first, second] = template.steps;

/** Step buttons and fields carry the step's title in visually hidden text after their label. */
const forStep = (label: string, step: { title: string }) => new RegExp(`^${escapeRegExp(label)}\\W+${escapeRegExp(step.title)}$`);

test("a therapist opens a case and assigns a plan; the client works through it; the therapist sees it", async ({ page: therapist, browser, baseURL }) => {
  const email = uniqueEmail("new-client");
  const clientName = "Quinn Newcomer";
  const caseTitle = `Rebuilding trust after a secret ${Date.now().toString(36)}`;

  // The therapist opens the case, inviting the client in the same form.
  await signIn(therapist, "therapist@cairn.test");
  await expect(therapist).toHaveURL("/cases");
  await therapist.getByRole("link", { name: "New case" }).click();
  await expect(therapist.getByRole("heading", { level: 1, name: "Open a case" })).toBeVisible();
  await therapist.getByLabel("Client's name").fill(clientName);
  await therapist.getByLabel("Client's email").fill(email);
  await therapist.getByLabel("Title").fill(caseTitle);
  await therapist.getByLabel("Main concern").selectOption({ label: "Trust repair" });
  await therapist.getByLabel("What's going on").fill("Hid messages from an ex for months; both want to rebuild.");
  await therapist.getByRole("button", { name: "Open case" }).click();
  await expect(therapist).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(therapist.url()).pathname;
  await expect(therapist.getByRole("heading", { level: 1 })).toContainText(clientName);

  // …and assigns the plan.
  const sections = therapist.getByRole("navigation", { name: "Case sections" });
  await sections.getByRole("link", { name: "Plans" }).click();
  await therapist.getByRole("link", { name: "Assign a plan" }).click();
  await therapist.getByLabel("Template").selectOption({ label: `${template.title} (${template.steps.length} steps)` });
  await therapist.getByRole("button", { name: "Assign plan" }).click();
  await expect(therapist.getByRole("status")).toBeVisible();

  // The client follows the invitation from the outbox and lands on their plan.
  const clientContext = await browser.newContext({ baseURL });
  try {
    const client = await clientContext.newPage();
    await client.goto("/dev/outbox");
    const invitation = client.getByRole("article", { name: new RegExp(`^Email to ${escapeRegExp(email)}:`) });
    await invitation.getByRole("link", { name: "Open the link in this email" }).click();
    await client.getByLabel("Password", { exact: true }).fill("a long walk by the river");
    await client.getByLabel("Repeat the password").fill("a long walk by the river");
    await client.getByRole("button", { name: "Set password and sign in" }).click();
    await expect(client).toHaveURL("/portal");
    await expect(client.getByRole("heading", { level: 2, name: template.title })).toBeVisible();
    const progress = client.getByRole("progressbar", { name: `Your progress on ${template.title}` });
    await expect(progress).toHaveAttribute("aria-valuenow", "0");

    // Two steps done, the second with a note.
    await client.getByRole("button", { name: forStep("Mark done", first!) }).click();
    await expect(client.getByRole("button", { name: forStep("Reopen", first!) })).toBeVisible();
    await client.getByLabel(forStep("Your note (optional) on", second!)).fill("I said sorry without a 'but'. It landed.");
    await client.getByRole("button", { name: forStep("Mark done", second!) }).click();
    await expect(client.getByRole("button", { name: forStep("Reopen", second!) })).toBeVisible();
    await expect(client.getByLabel(forStep("Your note (optional) on", second!))).toHaveValue("I said sorry without a 'but'. It landed.");
    const expected = String(Math.floor((100 * 2) / template.steps.length));
    await expect(progress).toHaveAttribute("aria-valuenow", expected);
  } finally {
    await clientContext.close();
  }

  // The therapist sees the progress and both steps on the timeline.
  await therapist.goto(caseUrl);
  await expect(therapist.getByRole("progressbar", { name: `Progress on ${template.title}` })).toHaveAttribute(
    "aria-valuenow",
    String(Math.floor((100 * 2) / template.steps.length)),
  );
  await expect(therapist.getByText(`2 of ${template.steps.length} steps done`).first()).toBeVisible();
  await sections.getByRole("link", { name: "Timeline" }).click();
  const timeline = therapist.getByRole("list").filter({ hasText: "finished" });
  await expect(timeline.getByRole("listitem").filter({ hasText: new RegExp(`${clientName} finished .${escapeRegExp(first!.title)}`) })).toHaveCount(1);
  await expect(timeline.getByRole("listitem").filter({ hasText: new RegExp(`${clientName} finished .${escapeRegExp(second!.title)}`) })).toHaveCount(1);
});

test("a client opening a case page, or another client's plan, gets the not-found page", async ({ page }) => {
  await signIn(page, "client@cairn.test");
  await page.goto("/cases");
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await page.goto("/plans/templates");
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
});
