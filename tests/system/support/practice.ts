import { connect, type ConnectOptions } from "../../../db/connect";
import { installDatabaseHandle } from "../../../db/handle";

// A small practice made straight through the models, in a database the test created: coaches,
// and clients each with a case (a coach as its lead), an open question and a plan of three steps.

export type PracticeClient = { id: string; email: string; caseId: string; threadId: string; leadId: string };
export type PracticeCoach = { id: string; email: string; caseIds: string[]; threadIds: string[] };
export type Practice = { password: string; coaches: PracticeCoach[]; clients: PracticeClient[] };

/**
 * Opens the database (a `postgres://` URL, or connect options) as this process's app database
 * (model modules are imported only after that, so they use it) and makes the practice. The handle
 * stays open for checks afterwards; close it with closeDatabase() from db/handle.ts.
 */
export async function makePractice(database: string | ConnectOptions, size: { coaches: number; clients: number }): Promise<Practice> {
  installDatabaseHandle(await connect(typeof database === "string" ? { url: database, maxConnections: 4 } : database));
  const { createUser, insertCase, insertTemplate, TEST_PASSWORD, uniqueEmail } = await import("../../support/factories");
  const { startThread } = await import("../../../app/models/threads.server");
  const { assignPlan } = await import("../../../app/models/plans.server");

  const template = await insertTemplate({
    title: "Small steps",
    steps: [{ title: "Name one thing that went well" }, { title: "Ask one open question" }, { title: "Plan a quiet evening" }],
  });
  const coaches: PracticeCoach[] = [];
  for (let i = 0; i < size.coaches; i++) {
    const coach = await createUser({ role: "coach", name: `Coach ${i + 1}`, email: uniqueEmail(`coach${i + 1}`) });
    coaches.push({ id: coach.id, email: coach.email, caseIds: [], threadIds: [] });
  }
  const clients: PracticeClient[] = [];
  for (let i = 0; i < size.clients; i++) {
    const lead = coaches[i % coaches.length]!;
    const client = await createUser({ role: "client", name: `Client ${i + 1}`, email: uniqueEmail(`client${i + 1}`) });
    const { case: c } = await insertCase({ lead, client, title: `Working together ${i + 1}` });
    const { thread } = await startThread(
      { id: client.id, role: "client" },
      c.id,
      { title: `A question from client ${i + 1}`, body: "How do we start a calm conversation?" },
    );
    await assignPlan({ id: lead.id, role: "coach" }, c.id, { templateId: template.id, startDate: null, sequential: false });
    lead.caseIds.push(c.id);
    lead.threadIds.push(thread.id);
    clients.push({ id: client.id, email: client.email, caseId: c.id, threadId: thread.id, leadId: lead.id });
  }
  return { password: TEST_PASSWORD, coaches, clients };
}
