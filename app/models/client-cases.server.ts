import { and, asc, eq, ne } from "drizzle-orm";
import { db } from "../../db/client";
import { cases } from "../../db/schema";
import { loadCaseAccess, type Actor } from "./case-access.server";
import { notFound, RuleViolation } from "./errors.server";

// The cases a client can ask a new question on, for the portal's "Ask a question" form: their
// own cases that are still open (intake, active or paused). A closed case keeps its questions,
// readable and answerable, but takes no new ones: the work there has ended.

/** The client's open cases, oldest first. Anyone but a client: 404. */
export async function listAskableCases(client: Actor) {
  if (client.role !== "client") throw notFound();
  return db
    .select({ id: cases.id, title: cases.title })
    .from(cases)
    .where(and(eq(cases.clientId, client.id), ne(cases.status, "closed")))
    .orderBy(asc(cases.openedAt), asc(cases.id));
}

/**
 * The case a new question goes on: the one chosen (404 unless it is the client's own; refused
 * when closed), or the client's only open case when none was chosen.
 */
export async function caseToAskOn(client: Actor, caseId: string | null) {
  if (client.role !== "client") throw notFound();
  if (!caseId) {
    const open = await listAskableCases(client);
    if (open.length === 1) return open[0]!.id;
    throw new RuleViolation(
      open.length === 0 ? "You have no open case to ask about right now." : "Choose which of your cases this question is about.",
      "caseId",
    );
  }
  const access = await loadCaseAccess(client, caseId);
  if (access.relation !== "client") throw notFound();
  if (access.case.status === "closed") {
    throw new RuleViolation("This case is closed, so it can't take new questions. Your earlier questions stay here to read.", "caseId");
  }
  return access.case.id;
}
