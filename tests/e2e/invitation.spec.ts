import { expect, test, type Page } from "@playwright/test";
import { escapeRegExp, expectSignedInAs, signIn, uniqueEmail } from "./support";

/** On /admin/users, searches for `email` and returns its row in the users table. */
async function findUserRow(page: Page, email: string) {
  await page.goto("/admin/users");
  const filters = page.getByRole("search", { name: "Filter users" });
  await filters.getByLabel("Search name or email").fill(email);
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${escapeRegExp(encodeURIComponent(email))}(&|$)`));
  const table = page.getByRole("table", { name: "Users of the practice" });
  // The header row plus exactly one match.
  await expect(table.getByRole("row")).toHaveCount(2);
  return table.getByRole("row").filter({ has: page.getByRole("cell", { name: email, exact: true }) });
}

test("an admin invites a client, who sets a password and lands in the portal", async ({ page: admin, browser, baseURL }) => {
  const email = uniqueEmail("invitee");
  const invitedAs = "Robin Invitee";
  const chosenName = "Robin Q. Invitee";

  // The admin sends the invitation.
  await signIn(admin, "admin@cairn.test");
  await expect(admin).toHaveURL("/admin");
  await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await admin.getByRole("link", { name: "Invite someone" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Invite someone" })).toBeVisible();
  await admin.getByLabel("Name").fill(invitedAs);
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role").selectOption({ label: "Client" });
  await admin.getByRole("button", { name: "Send invitation" }).click();

  await expect(admin.getByRole("status")).toHaveText(`Invitation sent to ${email}. The link works once, for 7 days.`);
  await expect(admin.getByRole("heading", { level: 1, name: invitedAs })).toBeVisible();

  const invitedRow = await findUserRow(admin, email);
  await expect(invitedRow.getByRole("cell")).toHaveText([invitedAs, email, "Client", "invited", /\d{4}-\d{2}-\d{2}/]);

  // The invitee, signed out in a browser of their own, follows the link from the email.
  const visitorContext = await browser.newContext({ baseURL });
  try {
    const visitor = await visitorContext.newPage();
    await visitor.goto("/dev/outbox");
    await expect(visitor.getByRole("heading", { level: 1, name: "Outbox" })).toBeVisible();
    const invitation = visitor.getByRole("article", { name: new RegExp(`^Email to ${escapeRegExp(email)}:`) });
    await expect(invitation).toHaveCount(1);
    await invitation.getByRole("link", { name: "Open the link in this email" }).click();

    await expect(visitor.getByRole("heading", { level: 1, name: "Welcome to Cairn" })).toBeVisible();
    await expect(visitor.getByLabel("Your name")).toHaveValue(invitedAs);
    const password = visitor.getByLabel("Password", { exact: true });
    const repeat = visitor.getByLabel("Repeat the password");

    // Too short: the error sits on the field, and the name typed is kept.
    await visitor.getByLabel("Your name").fill(chosenName);
    await password.fill("short");
    await repeat.fill("short");
    await visitor.getByRole("button", { name: "Set password and sign in" }).click();

    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expect(password).toHaveAccessibleDescription(/Use at least 10 characters\./);
    await expect(visitor.getByLabel("Your name")).toHaveValue(chosenName);
    await expect(visitor).toHaveURL(/\/invite\//);

    const goodPassword = "lantern moss over granite 42";
    await password.fill(goodPassword);
    await repeat.fill(goodPassword);
    await visitor.getByRole("button", { name: "Set password and sign in" }).click();

    await expect(visitor).toHaveURL("/portal");
    await expect(visitor.getByRole("status")).toHaveText(`Welcome to Cairn, ${chosenName}.`);
    await expect(visitor.getByRole("heading", { level: 1, name: `Welcome, ${chosenName}` })).toBeVisible();
    await expectSignedInAs(visitor, chosenName, "Client");
  } finally {
    await visitorContext.close();
  }

  // The admin finds the new account by its email; it is active under the name the client chose.
  const activeRow = await findUserRow(admin, email);
  await expect(activeRow.getByRole("cell")).toHaveText([chosenName, email, "Client", "active", /\d{4}-\d{2}-\d{2}/]);
  await activeRow.getByRole("link", { name: chosenName }).click();
  await expect(admin.getByRole("heading", { level: 1, name: chosenName })).toBeVisible();
});

test("an invitation link works only once", async ({ page: admin, browser, baseURL }) => {
  const email = uniqueEmail("once");
  await signIn(admin, "admin@cairn.test");
  await admin.goto("/admin/users/new");
  await admin.getByLabel("Name").fill("Kit Once");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role").selectOption({ label: "Client" });
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.getByRole("status")).toContainText(`Invitation sent to ${email}.`);

  const visitorContext = await browser.newContext({ baseURL });
  try {
    const visitor = await visitorContext.newPage();
    await visitor.goto("/dev/outbox");
    await visitor
      .getByRole("article", { name: new RegExp(`^Email to ${escapeRegExp(email)}:`) })
      .getByRole("link", { name: "Open the link in this email" })
      .click();
    const link = visitor.url();
    await visitor.getByLabel("Password", { exact: true }).fill("a quiet harbour at dawn");
    await visitor.getByLabel("Repeat the password").fill("a quiet harbour at dawn");
    await visitor.getByRole("button", { name: "Set password and sign in" }).click();
    await expect(visitor).toHaveURL("/portal");

    await visitor.getByRole("button", { name: "Sign out" }).click();
    await expect(visitor).toHaveURL("/login");
    await visitor.goto(link);
    await expect(visitor.getByRole("heading", { level: 1, name: "This invitation can't be used" })).toBeVisible();
    await expect(visitor.getByRole("button", { name: "Set password and sign in" })).toHaveCount(0);
  } finally {
    await visitorContext.close();
  }
});
