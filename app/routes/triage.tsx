import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type RefObject } from "react";
import { z } from "zod";
import { formatDateTime } from "~/dates";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SubmitButton } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, formValues, ruleViolationError } from "~/forms.server";
import { assignThreads } from "~/models/threads.server";
import { listAssignableStaff, listTriage, triageHref, triageQuery, type TriageFilter } from "~/models/triage.server";
import { SLA_LABELS, type SlaState } from "~/models/sla";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data && data.counts.all > 0 ? `Triage (${data.counts.all}) · Cairn` : "Triage · Cairn" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const url = new URL(request.url);
  const query = triageQuery.parse(Object.fromEntries(url.searchParams));
  const [queue, staff] = await Promise.all([listTriage(actor, query), listAssignableStaff(actor)]);
  // A page past the end (questions were answered meanwhile): go to the last page that has rows.
  const lastPage = Math.max(1, Math.ceil(queue.total / query.perPage));
  if (query.page > lastPage) throw redirect(triageHref({ ...query, page: lastPage }));
  return json({
    name: actor.name,
    meId: actor.id,
    isAdmin: actor.role === "admin",
    query,
    rows: queue.rows,
    counts: queue.counts,
    total: queue.total,
    targetHours: queue.targetHours,
    now: queue.now,
    staff,
  });
}

const assignSchema = z.object({
  threadIds: z.array(z.uuid()).min(1, { error: "Choose at least one question first: tick the box at the start of its row." }).max(100),
  assigneeId: z.uuid({ error: "Choose who should take these questions." }).nullable(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = triageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const threadIds = formData.getAll("threadId").filter((v): v is string => typeof v === "string");
  const extra = { intent, selected: threadIds };
  if (intent !== "assign-me" && intent !== "assign") {
    return formError({ errors: { form: "That action isn't available here." }, values: formValues(formData) }, extra);
  }
  // "Assign to": the select's empty choice means "nobody" (unassign).
  const rawAssignee = intent === "assign-me" ? actor.id : String(formData.get("assigneeId") ?? "");
  const parsed = assignSchema.safeParse({ threadIds, assigneeId: rawAssignee === "none" ? null : rawAssignee });
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === "threadIds" ? "threadId" : String(issue.path[0] ?? "form");
      errors[field] ??= issue.message;
    }
    return formError({ errors, values: formValues(formData) }, extra);
  }
  const { assigneeId } = parsed.data;
  // The model checks every thread is on a case the actor may see (404, nothing changes otherwise)
  // and that the assignee may work on it.
  let assigned: number;
  try {
    assigned = await assignThreads(actor, parsed.data.threadIds, assigneeId, context.clientIp);
  } catch (error) {
    return ruleViolationError(error, formData, extra);
  }
  if (assigned === 0) {
    return redirectWithFlash(request, triageHref(query), { kind: "info", message: "Nothing changed: those questions were already assigned that way." });
  }
  const what = assigned === 1 ? "1 question" : `${assigned} questions`;
  const message =
    assigneeId === actor.id
      ? `${what} assigned to you.`
      : assigneeId === null
        ? `${what} no longer assigned to anyone.`
        : `${what} assigned.`;
  return redirectWithFlash(request, triageHref(query), { kind: "success", message });
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = LoaderData["rows"][number];

const SLA_STYLES: Record<SlaState, string> = {
  on_time: "bg-brand-50 text-brand-800",
  due_soon: "bg-amber-100 text-amber-900",
  overdue: "bg-red-100 text-red-800",
  responded: "bg-stone-100 text-stone-700",
};

const FILTER_LABELS: Record<TriageFilter, string> = { all: "All my cases", mine: "Assigned to me", unassigned: "Unassigned" };

const exact = (iso: string) => `${formatDateTime(iso)} UTC`;

/** "45 min", "5 h", "3 days": a rounded length of time for the queue's columns. */
function span(ms: number) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** What the queue's cells need beyond their row: the server's clock and the boxes left ticked. */
const QueueView = createContext<{ nowMs: number; selected: ReadonlySet<string> }>({ nowMs: 0, selected: new Set() });

// The columns are one constant (DataTable keeps a TanStack table per columns array); the cells
// that need the clock or the ticked boxes read them from QueueView.
const columns: SortableColumn<Row>[] = [
  {
    id: "select",
    header: () => <span className="sr-only">Select</span>,
    meta: { className: "w-10" },
    cell: function SelectCell({ row }) {
      const { selected } = useContext(QueueView);
      return (
        <input
          type="checkbox"
          name="threadId"
          value={row.original.id}
          defaultChecked={selected.has(row.original.id)}
          aria-label={`Select “${row.original.title}”`}
          className="h-4 w-4 accent-brand-600"
        />
      );
    },
  },
  {
    id: "priority",
    header: "Priority",
    cell: ({ row }) =>
      row.original.priority === "urgent" ? (
        <span className="badge bg-red-700 text-white">Urgent</span>
      ) : (
        <span className="text-stone-600">Normal</span>
      ),
  },
  { id: "client", header: "Client", cell: ({ row }) => row.original.clientName },
  {
    id: "title",
    header: "Question",
    cell: ({ row }) => (
      <FastLink to={`/threads/${row.original.id}`} className="font-medium" data-thread-link="">
        {row.original.title}
      </FastLink>
    ),
  },
  {
    id: "waiting",
    header: "Waiting since",
    meta: { className: "whitespace-nowrap" },
    cell: function WaitingCell({ row }) {
      const { nowMs } = useContext(QueueView);
      const since = row.original.waitingSince;
      if (!since) return <span className="text-stone-600">—</span>;
      return (
        <time dateTime={since} title={exact(since)}>
          {span(nowMs - new Date(since).getTime())} ago
        </time>
      );
    },
  },
  {
    id: "sla",
    header: "First response",
    meta: { className: "whitespace-nowrap" },
    cell: function FirstResponseCell({ row }) {
      const { nowMs } = useContext(QueueView);
      const { sla, dueAt } = row.original;
      const dueMs = dueAt ? new Date(dueAt).getTime() - nowMs : null;
      return (
        <span className="flex flex-col items-start gap-0.5">
          <span className={`badge ${SLA_STYLES[sla]}`}>
            {sla === "overdue" ? <span aria-hidden="true">!&nbsp;</span> : null}
            {SLA_LABELS[sla]}
          </span>
          {dueAt && dueMs !== null ? (
            <span className="text-xs text-stone-600" title={`Due ${exact(dueAt)}`}>
              {dueMs > 0 ? `due in ${span(dueMs)}` : `${span(-dueMs)} past due`}
            </span>
          ) : null}
        </span>
      );
    },
  },
  {
    id: "assignee",
    header: "Assignee",
    cell: ({ row }) => row.original.assigneeName ?? <span className="text-stone-600">Unassigned</span>,
  },
  {
    id: "lead",
    header: "Case lead",
    cell: ({ row }) => row.original.leadName ?? <span className="text-stone-600">No lead</span>,
  },
];

function filterHref(filter: TriageFilter, perPage: number) {
  const params = new URLSearchParams();
  if (filter !== "all") params.set("filter", filter);
  if (perPage !== 25) params.set("perPage", String(perPage));
  const qs = params.toString();
  return qs ? `/triage?${qs}` : "/triage";
}

/** Where keyboard shortcuts must not fire: while typing text or choosing in a select. */
function isTyping(target: EventTarget | null) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  return false;
}

/**
 * j/k move a visible selection between the queue's rows, Enter opens the selected question and
 * "a" assigns it to the viewer. Progressive enhancement: without JavaScript none of this runs
 * and the checkboxes, buttons and links do the same work.
 */
function useQueueKeyboard(
  tableRef: RefObject<HTMLDivElement>,
  rowKey: string,
  assignToMe: (threadId: string, title: string) => void,
) {
  const navigate = useNavigate();
  const [enabled, setEnabled] = useState(false);
  const [index, setIndex] = useState<number | null>(null);

  const rows = useCallback(() => {
    const container = tableRef.current;
    if (!container) return [];
    return Array.from(container.querySelectorAll<HTMLTableRowElement>("tbody tr")).filter((tr) =>
      tr.querySelector('input[name="threadId"]'),
    );
  }, [tableRef]);

  useEffect(() => setEnabled(true), []);

  // Show the selection as a highlighted row (the focus sits on its question's link). After the
  // rows change (a question was assigned away), the selection stays at the same place.
  useEffect(() => {
    const all = rows();
    const shown = index === null ? null : Math.min(index, all.length - 1);
    all.forEach((tr, i) => {
      if (i === shown) tr.setAttribute("data-selected", "true");
      else tr.removeAttribute("data-selected");
    });
  }, [index, rows, rowKey]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const all = rows();
      if (all.length === 0) return;
      const current = index === null ? null : Math.min(index, all.length - 1);
      const select = (i: number) => {
        setIndex(i);
        const row = all[i];
        row?.querySelector<HTMLAnchorElement>("a[data-thread-link]")?.focus();
        row?.scrollIntoView({ block: "nearest" });
      };
      const selectedRow = current !== null ? all[current] : undefined;
      const link = selectedRow?.querySelector<HTMLAnchorElement>("a[data-thread-link]");
      const threadId = selectedRow?.querySelector<HTMLInputElement>('input[name="threadId"]')?.value;
      switch (event.key) {
        case "j":
          event.preventDefault();
          select(current === null ? 0 : Math.min(current + 1, all.length - 1));
          break;
        case "k":
          event.preventDefault();
          select(current === null ? 0 : Math.max(current - 1, 0));
          break;
        case "Enter":
          // A focused link or button already does its own thing on Enter.
          if (!link || !threadId || event.target instanceof HTMLAnchorElement || event.target instanceof HTMLButtonElement) return;
          event.preventDefault();
          navigate(`/threads/${threadId}`);
          break;
        case "a":
          if (!threadId || !link) return;
          event.preventDefault();
          assignToMe(threadId, link.textContent ?? "");
          break;
      }
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [index, rows, navigate, assignToMe]);

  return enabled;
}

export default function TriagePage() {
  const { name, isAdmin, meId, query, rows, counts, total, targetHours, now, staff } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/triage";
  const fetcher = useFetcher<typeof action>();
  const [assigning, setAssigning] = useState<string | null>(null);
  const tableRef = useRef<HTMLDivElement>(null);

  const assignToMe = useCallback(
    (threadId: string, title: string) => {
      setAssigning(title);
      fetcher.submit({ intent: "assign-me", threadId }, { method: "post" });
    },
    [fetcher],
  );
  const keyboard = useQueueKeyboard(tableRef, rows.map((r) => r.id).join(","), assignToMe);
  // After a refused submission the ticked boxes stay ticked.
  const selected = new Set<string>(Array.isArray(failed?.selected) ? (failed.selected as string[]) : []);
  const view = { nowMs: new Date(now).getTime(), selected };
  const others = staff.filter((s) => s.id !== meId);
  const allLabel = isAdmin ? "All cases" : FILTER_LABELS.all;
  const waiting = counts.all === 1 ? "1 question waiting" : `${counts.all} questions waiting`;
  const fetcherFailed = fetcher.data && !fetcher.data.ok ? fetcher.data : null;

  return (
    <section className="space-y-4" aria-labelledby="triage-title">
      <div className="space-y-1">
        <h1 id="triage-title">
          Triage <span className="text-base font-normal text-stone-600">· {waiting}</span>
        </h1>
        <p className="text-sm text-stone-700">
          Questions waiting for a reply{isAdmin ? " across the practice" : " on your cases"}: urgent ones first, then whoever
          has waited longest. The first reply is due within {targetHours} {targetHours === 1 ? "hour" : "hours"} of the
          question.
        </p>
      </div>

      {counts.all === 0 ? (
        <div className="card">
          <p>
            Nothing is waiting for you, {name}. When a client asks a question on one of {isAdmin ? "the practice's" : "your"}{" "}
            cases, it appears here.
          </p>
        </div>
      ) : (
        <>
          <nav aria-label="Which questions" className="flex flex-wrap gap-2 text-sm">
            {(["all", "mine", "unassigned"] as const).map((filter) => {
              const current = query.filter === filter;
              return (
                <Link
                  key={filter}
                  to={filterHref(filter, query.perPage)}
                  aria-current={current ? "page" : undefined}
                  className={`rounded-full border px-3 py-1 no-underline ${current ? "border-brand-600 bg-brand-50 font-medium text-brand-800" : "border-stone-300 bg-white text-stone-700 hover:bg-stone-100"}`}
                >
                  {filter === "all" ? allLabel : FILTER_LABELS[filter]} ({counts[filter]})
                </Link>
              );
            })}
          </nav>

          {keyboard ? (
            <p className="text-sm text-stone-600">
              Keyboard: <kbd className="rounded border border-stone-300 bg-white px-1 font-mono">j</kbd> and{" "}
              <kbd className="rounded border border-stone-300 bg-white px-1 font-mono">k</kbd> move between questions,{" "}
              <kbd className="rounded border border-stone-300 bg-white px-1 font-mono">Enter</kbd> opens the selected one,{" "}
              <kbd className="rounded border border-stone-300 bg-white px-1 font-mono">a</kbd> assigns it to you.
            </p>
          ) : null}
          <p role="status" className="sr-only">
            {fetcher.state !== "idle" && assigning ? `Assigning “${assigning}” to you…` : ""}
          </p>
          <FormMessage error={fetcherFailed ? Object.values(fetcherFailed.errors as Record<string, string>)[0] : undefined} />

          <Form method="post" className="space-y-3" noValidate>
            <fieldset className="card flex flex-wrap items-end gap-3 p-3 sm:p-4">
              <legend className="sr-only">Assign the questions you ticked</legend>
              <SubmitButton name="intent" value="assign-me" pendingLabel="Assigning…">
                Assign to me
              </SubmitButton>
              <div className="space-y-1">
                <label htmlFor="assigneeId" className="block text-sm font-medium text-stone-800">
                  Assign to
                </label>
                <select
                  id="assigneeId"
                  name="assigneeId"
                  className="input"
                  defaultValue={failed?.values.assigneeId ?? ""}
                  aria-invalid={failed?.errors.assigneeId ? true : undefined}
                  aria-describedby={failed?.errors.assigneeId ? "assigneeId-error" : undefined}
                >
                  <option value="">Choose a colleague…</option>
                  {others.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                  <option value="none">Nobody (unassign)</option>
                </select>
              </div>
              <SubmitButton name="intent" value="assign" variant="secondary" pendingLabel="Assigning…">
                Assign
              </SubmitButton>
              {failed?.errors.assigneeId ? (
                <p id="assigneeId-error" className="w-full text-sm text-red-700">
                  {failed.errors.assigneeId}
                </p>
              ) : null}
            </fieldset>
            <FormMessage error={failed?.errors.threadId ?? failed?.errors.threadIds ?? failed?.errors.form} />
            <div
              ref={tableRef}
              aria-busy={loading || undefined}
              className={`[&_tr[data-selected]]:bg-brand-50 [&_tr[data-selected]]:outline-2 [&_tr[data-selected]]:-outline-offset-2 [&_tr[data-selected]]:outline-brand-600 ${loading ? "opacity-60" : ""}`}
            >
              <QueueView.Provider value={view}>
                <DataTable
                  caption={`${query.filter === "all" ? allLabel : FILTER_LABELS[query.filter]}: questions waiting for a reply, urgent first, then longest waiting`}
                  columns={columns}
                  rows={rows}
                  sort=""
                  dir="asc"
                  getRowId={(r) => r.id}
                  emptyMessage={
                    query.filter === "mine"
                      ? "No waiting questions are assigned to you. Pick some up from “Unassigned”."
                      : query.filter === "unassigned"
                        ? "Every waiting question has someone assigned. Nothing is left unclaimed."
                        : "Nothing is waiting here."
                  }
                />
              </QueueView.Provider>
            </div>
          </Form>
          <Pagination page={query.page} perPage={query.perPage} total={total} label="questions" />
        </>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
