import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { Pagination } from "~/components/data-table";
import { EarlierVersions } from "~/components/earlier-versions";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { requireCaseAction } from "~/models/case-access.server";
import { addCaseNote, addNoteSchema, editCaseNote, listCaseNotes, notesQuery } from "~/models/case-notes.server";
import { loadStaffCase } from "~/models/case-workflow.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = notesQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const notes = await listCaseNotes(actor, params.caseId ?? "", query);
  await recordCaseView(actor, params.caseId ?? "", "notes", context.clientIp);
  return json(notes);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  // Loading first: a case the actor may not see is a 404 for every intent, whatever was posted.
  const access = await loadStaffCase(actor, params.caseId ?? "");
  const caseId = access.case.id;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const page = notesQuery.parse(Object.fromEntries(new URL(request.url).searchParams)).page;
  const notesPath = `/cases/${caseId}/notes`;
  try {
    switch (intent) {
      case "add": {
        requireCaseAction(access, "case.writeNotes");
        const parsed = parseForm(formData, addNoteSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        await addCaseNote(actor, caseId, parsed.data.body, context.clientIp);
        return redirectWithFlash(request, notesPath, { kind: "success", message: "Note saved. Only staff on this case can read it." });
      }
      case "edit": {
        // The model checks the note belongs to this case (404) and that the actor wrote it (403)
        // before it looks at the new text.
        const noteId = String(formData.get("noteId") ?? "");
        const changed = await editCaseNote(actor, caseId, noteId, String(formData.get("body") ?? ""), context.clientIp);
        return redirectWithFlash(request, page > 1 ? `${notesPath}?page=${page}` : notesPath, {
          kind: changed ? "success" : "info",
          message: changed ? "Note updated. The earlier text is kept with it." : "Nothing changed in the note.",
        });
      }
      default:
        return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

const formatWhen = (iso: string) => `${formatDateTime(iso)} UTC`;

export default function CaseNotes() {
  const { notes, total, page, perPage, canWrite } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  const addFailed = failed?.intent === "add" ? failed : null;
  const editFailed = failed?.intent === "edit" ? failed : null;
  const addError = addFailed?.errors.body;

  return (
    <section className="space-y-4" aria-labelledby="notes-title">
      <h2 id="notes-title">Staff notes</h2>
      <p className="text-sm text-stone-600">
        Notes are for the team on this case. The client never sees them. Each author can edit their own notes; earlier
        versions are kept.
      </p>
      <FormMessage error={failed && !addError && !editFailed?.errors.body ? failed.errors.form : undefined} />

      {canWrite ? (
        <Form method="post" key={total} className="card space-y-3" noValidate>
          <TextAreaField
            label="New note"
            name="body"
            required
            defaultValue={addFailed?.values.body}
            error={addError}
            hint="Markdown works: **bold**, lists with “-”, links."
          />
          <SubmitButton name="intent" value="add" pendingLabel="Saving note…">
            Save note
          </SubmitButton>
        </Form>
      ) : null}

      {notes.length === 0 ? (
        <p className="card">No notes yet.</p>
      ) : (
        <ol className="space-y-3">
          {notes.map((note) => {
            const editing = editFailed?.values.noteId === note.id ? editFailed : null;
            const editError = editing?.errors.body ?? editing?.errors.form;
            return (
              <li key={note.id}>
                <article className="card space-y-3" aria-labelledby={`note-${note.id}-title`}>
                  <header>
                    <h3 id={`note-${note.id}-title`} className="text-base font-semibold">
                      {note.mine ? "Your note" : `Note by ${note.authorName}`}
                    </h3>
                    <p className="text-sm text-stone-600">
                      <time dateTime={note.createdAt}>{formatWhen(note.createdAt)}</time>
                      {note.updatedAt ? (
                        <>
                          {" "}
                          · edited <time dateTime={note.updatedAt}>{formatWhen(note.updatedAt)}</time>
                        </>
                      ) : null}
                    </p>
                  </header>
                  <Markdown>{note.body}</Markdown>
                  {note.mine && canWrite ? (
                    <details open={editing ? true : undefined}>
                      <summary className="cursor-pointer text-sm font-medium text-brand-700">Edit this note</summary>
                      <Form method="post" className="mt-3 space-y-3" noValidate>
                        <input type="hidden" name="noteId" value={note.id} />
                        <TextAreaField
                          label="Note text"
                          name="body"
                          required
                          defaultValue={editing ? editing.values.body : note.body}
                          error={editError}
                        />
                        <SubmitButton name="intent" value="edit" pendingWhen={{ noteId: note.id }} pendingLabel="Saving changes…">
                          Save changes
                        </SubmitButton>
                      </Form>
                    </details>
                  ) : null}
                  <EarlierVersions versions={note.versions} formatTime={formatWhen} />
                </article>
              </li>
            );
          })}
        </ol>
      )}
      <Pagination page={page} perPage={perPage} total={total} label="notes" />
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
