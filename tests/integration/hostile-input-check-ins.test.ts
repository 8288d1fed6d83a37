import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CHECK_IN_TEXT_MAX, FEEDBACK_MAX, OWN_CHECK_INS_PER_PAGE, submitCheckIn } from "~/models/check-ins.server";
import * as reviewPage from "~/routes/check-ins.$checkInId";
import * as reviewQueue from "~/routes/check-ins._index";
import * as checkInPage from "~/routes/portal.check-in";
import * as progressPage from "~/routes/portal.progress";
import { db } from "../../db/client";
import { checkIns } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  HOSTILE_INPUTS,
  sendAllThrough,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile text through a check-in's free text and the feedback staff write on it: every string
// of the corpus is posted through the route's action as someone allowed to, then the pages that
// show it are rendered (the staff review page and queue, the client's progress history). No
// answer is an error, what was typed is stored as typed (NUL removed, trimmed), over-long text
// gets the limit message beside the field, and no page carries live markup.
//
// | route module       | path               | intent | field        | other fields                                   |
// |--------------------|--------------------|--------|--------------|------------------------------------------------|
// | portal.check-in    | /portal/check-in   | –      | whatHappened | caseId, mood, progress, closeness, whatWasHard |
// | portal.check-in    | /portal/check-in   | –      | whatWasHard  | caseId, mood, progress, closeness, whatHappened |
// | check-ins.$checkInId | /check-ins/:id   | –      | feedback     | – (a fresh check-in each time)                 |

const page = (module: unknown) => module as PageModule;

async function setup() {
  const lead = await createUser({ role: "therapist" });
  const client = await createUser({ role: "client" });
  const { case: c } = await insertCase({ lead, client });
  return { lead, client, caseId: c.id };
}

const newestCheckIn = async (caseId: string) =>
  (await db.select().from(checkIns).where(eq(checkIns.caseId, caseId)).orderBy(desc(checkIns.submittedAt)).limit(1))[0];

describe("a client's check-in", () => {
  it("keeps both free-text answers as typed and shows them as text to staff and to the client", { timeout: 90_000 }, async () => {
    const s = await setup();
    const scores = { caseId: s.caseId, mood: "3", progress: "5", closeness: "6" };
    const happened: FieldUnderTest = {
      route: "portal.check-in",
      action: checkInPage.action,
      path: "/portal/check-in",
      field: "whatHappened",
      others: { ...scores, whatWasHard: "" },
      as: s.client,
      max: CHECK_IN_TEXT_MAX,
      required: false,
      read: async () => (await newestCheckIn(s.caseId))?.whatHappened,
    };
    const answers = await sendAllThrough(happened, HOSTILE_INPUTS);
    await sendAllThrough({ ...happened, field: "whatWasHard", others: { ...scores, whatHappened: "" }, read: async () => (await newestCheckIn(s.caseId))?.whatWasHard }, HOSTILE_INPUTS);

    const all = await db.select().from(checkIns).where(eq(checkIns.caseId, s.caseId)).orderBy(checkIns.submittedAt);
    expect(all.length).toBe(answers.length * 2);
    for (const checkIn of all.slice(0, answers.length)) {
      const html = await renderPage(page(reviewPage), "/check-ins/:checkInId", s.lead, `/check-ins/${checkIn.id}`);
      expectNoLiveInjection(html, `review page ← ${checkIn.whatHappened.slice(0, 40)}`);
      expectShownAsText(html, [checkIn.whatHappened], "review page");
    }
    expectNoLiveInjection(await renderPage(page(reviewQueue), "/check-ins", s.lead, "/check-ins?perPage=50"), "review queue");
    for (let n = 1; n <= Math.ceil(all.length / OWN_CHECK_INS_PER_PAGE); n++) {
      const html = await renderPage(page(progressPage), "/portal/progress", s.client, `/portal/progress?page=${n}`);
      expectNoLiveInjection(html, `client's progress page ${n}`);
    }
    await expectLimitShownInForm(happened, { module: page(checkInPage), pattern: "/portal/check-in" });
  });
});

describe("feedback on a check-in", () => {
  it("keeps every feedback as typed and shows it inert on the review page and in the client's history", { timeout: 90_000 }, async () => {
    const s = await setup();
    let current = "";
    const feedback: FieldUnderTest = {
      route: "check-ins.$checkInId",
      action: reviewPage.action,
      path: "/check-ins/:checkInId",
      field: "feedback",
      others: {},
      as: s.lead,
      max: FEEDBACK_MAX,
      required: true,
      before: async () => {
        current = (await submitCheckIn(s.client, s.caseId, { mood: 4, progress: 6, closeness: 6, stepIds: [], whatHappened: "We talked.", whatWasHard: "" })).checkIn.id;
        return { path: `/check-ins/${current}`, params: { checkInId: current } };
      },
      read: async () => (await db.select().from(checkIns).where(eq(checkIns.id, current)))[0]?.feedback,
    };
    const given = await sendAllThrough(feedback, HOSTILE_INPUTS);
    const reviewed = await db.select().from(checkIns).where(eq(checkIns.caseId, s.caseId));
    for (const checkIn of reviewed.filter((c) => c.feedback !== null)) {
      const html = await renderPage(page(reviewPage), "/check-ins/:checkInId", s.lead, `/check-ins/${checkIn.id}`);
      expectNoLiveInjection(html, `review page with feedback ← ${checkIn.feedback!.slice(0, 40)}`);
      expectShownAsText(html, [checkIn.feedback!], "review page");
    }
    // The client's history, where feedback is Markdown: every page of it.
    for (let n = 1; n <= Math.ceil(reviewed.length / OWN_CHECK_INS_PER_PAGE); n++) {
      const html = await renderPage(page(progressPage), "/portal/progress", s.client, `/portal/progress?page=${n}`);
      expectNoLiveInjection(html, `client's progress page ${n}`);
    }
    expect(given.length).toBeGreaterThan(60);
    await expectLimitShownInForm(feedback, { module: page(reviewPage), pattern: "/check-ins/:checkInId" });
  });
});
