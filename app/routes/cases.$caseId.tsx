import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, NavLink, Outlet, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { formatDate } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { RiskBadge } from "~/components/risk-badge";
import { FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission, safeRedirectPath } from "~/auth/guard.server";
import { CASE_STATUS_LABELS, CONCERN_LABELS, RISK_LABELS } from "~/auth/permissions";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { requireCaseAction } from "~/models/case-access.server";
import {
  addCaseMember,
  caseMemberSchema,
  caseRiskSchema,
  caseStatusSchema,
  changeCaseStatus,
  getCaseHeader,
  loadStaffCase,
  removeCaseMember,
  setCaseRisk,
} from "~/models/case-workflow.server";
import { RISK_LEVELS, type CaseStatus } from "../../db/schema";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.header.client.name} · ${data.header.title} · Cairn` : "Case · Cairn" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const { addableStaff: addable, ...header } = await getCaseHeader(actor, params.caseId ?? "");
  return json({ header, addable });
}

const STATUS_DONE: Record<CaseStatus, string> = {
  intake: "The case is back at intake.",
  active: "The case is now active.",
  paused: "The case is paused.",
  closed: "The case is closed. Thank you for the closing note.",
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  // Loading first: a case the actor may not see is a 404 for every intent, whatever was posted.
  const access = await loadStaffCase(actor, params.caseId ?? "");
  const caseId = access.case.id;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const home = `/cases/${caseId}`;
  const requested = safeRedirectPath(formData.get("back"), home);
  const back = requested === home || requested.startsWith(`${home}/`) || requested.startsWith(`${home}?`) ? requested : home;
  try {
    switch (intent) {
      case "status": {
        requireCaseAction(access, "case.changeStatus");
        const parsed = parseForm(formData, caseStatusSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const { from, to } = await changeCaseStatus(actor, caseId, parsed.data, context.clientIp);
        const message = from === "closed" ? "The case is open again and active." : STATUS_DONE[to];
        return redirectWithFlash(request, back, { kind: "success", message });
      }
      case "risk": {
        requireCaseAction(access, "case.changeRisk");
        const parsed = parseForm(formData, caseRiskSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const changed = await setCaseRisk(actor, caseId, parsed.data.risk, context.clientIp);
        const message = changed ? `Risk level set to ${RISK_LABELS[parsed.data.risk]}.` : `Risk level was already ${RISK_LABELS[parsed.data.risk]}.`;
        return redirectWithFlash(request, back, { kind: changed ? "success" : "info", message });
      }
      case "addMember": {
        requireCaseAction(access, "case.manageMembers");
        const parsed = parseForm(formData, caseMemberSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const person = await addCaseMember(actor, caseId, parsed.data.userId, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `${person.name} joined the case as a support member.` });
      }
      case "removeMember": {
        requireCaseAction(access, "case.manageMembers");
        const parsed = parseForm(formData, caseMemberSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const removed = await removeCaseMember(actor, caseId, parsed.data.userId, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `${removed.name} is no longer on this case.` });
      }
      default:
        return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

const STATUS_STYLES: Record<CaseStatus, string> = {
  intake: "bg-sky-50 text-sky-800",
  active: "bg-brand-50 text-brand-800",
  paused: "bg-amber-50 text-amber-800",
  closed: "bg-stone-200 text-stone-700",
};

/** Buttons for the moves that need nothing else typed (closing has its own form below). */
const STATUS_BUTTONS: Partial<Record<CaseStatus, { label: string; pending: string }>> = {
  active: { label: "Mark as active", pending: "Saving…" },
  paused: { label: "Pause the case", pending: "Pausing…" },
};


export default function CaseLayout() {
  const { header: c, addable } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const back = location.pathname + location.search;
  const failed = actionData && !actionData.ok ? actionData : null;
  const errorsFor = (intent: string): Record<string, string> => (failed?.intent === intent ? failed.errors : {});
  const statusErrors = errorsFor("status");
  const closing = failed?.intent === "status" && failed.values.status === "closed";
  const canCloseNow = c.nextStatuses.includes("closed");
  const formWide = failed && !["status", "risk", "addMember"].includes(String(failed.intent)) ? failed.errors.form : undefined;
  const lead = c.members.find((m) => m.role === "lead");

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/cases">← Cases</Link>
      </p>

      <header className="space-y-3">
        <h1>
          {c.client.name} · {c.title}
        </h1>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className={`badge ${STATUS_STYLES[c.status]}`}>Status: {CASE_STATUS_LABELS[c.status]}</span>
          <RiskBadge risk={c.risk} prefix="Risk: " />
          {lead ? <span className="text-stone-700">Lead: {lead.name}</span> : null}
        </p>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium text-stone-700">Client</dt>
          <dd>
            {c.client.name}
            {c.client.email ? <span className="text-stone-600"> · {c.client.email}</span> : null}
          </dd>
          <dt className="font-medium text-stone-700">Concern</dt>
          <dd>
            {CONCERN_LABELS[c.concernCategory]}
            {c.concern ? <span className="text-stone-700"> — {c.concern}</span> : null}
          </dd>
          <dt className="font-medium text-stone-700">Check-ins</dt>
          <dd>Every {c.checkInEveryDays === 1 ? "day" : `${c.checkInEveryDays} days`}</dd>
          <dt className="font-medium text-stone-700">Opened</dt>
          <dd>{formatDate(c.openedAt)}</dd>
          {c.closedAt ? (
            <>
              <dt className="font-medium text-stone-700">Closed</dt>
              <dd>{formatDate(c.closedAt)}</dd>
            </>
          ) : null}
        </dl>
        {c.closingNote ? (
          <div className="rounded-md border border-stone-200 bg-stone-50 p-3 text-sm">
            <p className="font-medium text-stone-800">Closing note</p>
            <p className="whitespace-pre-line">{c.closingNote}</p>
          </div>
        ) : null}
      </header>

      <FormMessage error={formWide} />

      <div className="grid gap-4 lg:grid-cols-2">
        <section className="card space-y-3" aria-labelledby="members-title">
          <h2 id="members-title">Team on this case</h2>
          <ul className="divide-y divide-stone-100">
            {c.members.map((m) => (
              <li key={m.userId} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <span className="font-medium">{m.name}</span>
                  {m.isYou ? <span className="text-stone-600"> (you)</span> : null}
                  <span className="text-sm text-stone-600">
                    {" "}
                    · {m.roleLabel} · {m.role === "lead" ? "Lead" : "Support"}
                  </span>
                </span>
                {c.can.manageMembers && m.role === "support" ? (
                  <Form method="post" action={`/cases/${c.id}`}>
                    <input type="hidden" name="userId" value={m.userId} />
                    <input type="hidden" name="back" value={back} />
                    <SubmitButton name="intent" value="removeMember" pendingWhen={{ userId: m.userId }} variant="secondary" pendingLabel="Removing…">
                      Remove {m.name}
                    </SubmitButton>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
          {c.can.manageMembers ? (
            addable.length > 0 ? (
              <Form method="post" action={`/cases/${c.id}`} className="flex flex-wrap items-end gap-3" noValidate>
                <input type="hidden" name="back" value={back} />
                <SelectField
                  label="Add a support member"
                  name="userId"
                  defaultValue={errorsFor("addMember").userId ? failed?.values.userId : undefined}
                  error={errorsFor("addMember").userId ?? errorsFor("addMember").form}
                  options={[{ value: "", label: "Choose a colleague…" }, ...addable.map((p) => ({ value: p.id, label: p.name }))]}
                />
                <SubmitButton name="intent" value="addMember" pendingLabel="Adding…">
                  Add to case
                </SubmitButton>
              </Form>
            ) : (
              <p className="text-sm text-stone-600">Every active colleague is already on this case.</p>
            )
          ) : (
            <p className="text-sm text-stone-600">The lead or an admin can add and remove support members.</p>
          )}
        </section>

        {c.can.changeStatus || c.can.changeRisk ? (
          <section className="card space-y-4" aria-labelledby="status-title">
            <h2 id="status-title">Status and risk</h2>
            {c.can.changeStatus ? (
              <div className="space-y-3">
                <FormMessage error={statusErrors.status ?? (closing ? undefined : statusErrors.form)} />
                <div className="flex flex-wrap gap-3">
                  {c.nextStatuses.map((next) => {
                    const reopen = c.status === "closed" && next === "active";
                    const button = reopen ? { label: "Reopen the case", pending: "Reopening…" } : next === "active" && c.status === "paused" ? { label: "Resume the case", pending: "Resuming…" } : STATUS_BUTTONS[next];
                    if (!button) return null;
                    return (
                      <Form key={next} method="post" action={`/cases/${c.id}`}>
                        <input type="hidden" name="status" value={next} />
                        <input type="hidden" name="back" value={back} />
                        <SubmitButton name="intent" value="status" pendingWhen={{ status: next }} variant="secondary" pendingLabel={button.pending}>
                          {button.label}
                        </SubmitButton>
                      </Form>
                    );
                  })}
                </div>
                {canCloseNow ? (
                  <details open={closing || undefined} className="rounded-md border border-stone-200 p-3">
                    <summary className="cursor-pointer text-sm font-medium">Close the case</summary>
                    <Form method="post" action={`/cases/${c.id}`} className="mt-3 space-y-3" noValidate>
                      <input type="hidden" name="status" value="closed" />
                      <input type="hidden" name="back" value={back} />
                      <TextAreaField
                        label="Closing note"
                        name="closingNote"
                        required
                        defaultValue={closing ? failed?.values.closingNote : undefined}
                        error={closing ? statusErrors.closingNote : undefined}
                        hint="How the work ended and anything a colleague should know if the case is reopened. Staff only."
                      />
                      <SubmitButton name="intent" value="status" pendingWhen={{ status: "closed" }} variant="danger" pendingLabel="Closing…">
                        Close case
                      </SubmitButton>
                    </Form>
                  </details>
                ) : null}
              </div>
            ) : null}
            {c.can.changeRisk ? (
              <Form method="post" action={`/cases/${c.id}`} className="flex flex-wrap items-end gap-3" noValidate>
                <input type="hidden" name="back" value={back} />
                <SelectField
                  label="Risk level"
                  name="risk"
                  defaultValue={failed?.intent === "risk" ? failed.values.risk : c.risk}
                  error={errorsFor("risk").risk ?? errorsFor("risk").form}
                  options={RISK_LEVELS.map((r) => ({ value: r, label: RISK_LABELS[r] }))}
                />
                <SubmitButton name="intent" value="risk" variant="secondary" pendingLabel="Saving…">
                  Update risk
                </SubmitButton>
              </Form>
            ) : null}
          </section>
        ) : null}
      </div>

      <nav aria-label="Case sections" className="border-b border-stone-200">
        <ul className="flex flex-wrap gap-1">
          {[
            { to: `/cases/${c.id}`, label: "Overview", end: true },
            { to: `/cases/${c.id}/plans`, label: "Plans", end: false },
            { to: `/cases/${c.id}/progress`, label: "Progress", end: false },
            { to: `/cases/${c.id}/threads`, label: "Questions", end: false },
            { to: `/cases/${c.id}/timeline`, label: "Timeline", end: false },
            { to: `/cases/${c.id}/notes`, label: "Notes", end: false },
          ].map((tab) => (
            <li key={tab.to}>
              <NavLink
                to={tab.to}
                end={tab.end}
                className={({ isActive }) =>
                  `-mb-px block border-b-2 px-3 py-2 text-sm no-underline ${isActive ? "border-brand-600 font-medium text-brand-800" : "border-transparent text-stone-700 hover:border-stone-300"}`
                }
              >
                {tab.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>

      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
