import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { requirePermission } from "~/auth/guard.server";
import { can } from "~/auth/permissions";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import {
  createSavedReply,
  deleteSavedReply,
  listSavedRepliesForActor,
  savedReplyEditSchema,
  savedReplySchema,
  updateSavedReply,
} from "~/models/saved-replies.server";

export const meta: MetaFunction = () => [{ title: "Saved replies · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const replies = await listSavedRepliesForActor(actor);
  return json({ replies, isAdmin: can(actor, "settings.manage") });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const replyId = String(formData.get("replyId") ?? "");
  try {
    switch (intent) {
      case "create": {
        const parsed = parseForm(formData, savedReplySchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const reply = await createSavedReply(actor, parsed.data, context.clientIp);
        return redirectWithFlash(request, "/saved-replies", {
          kind: "success",
          message:
            reply.scope === "practice"
              ? `“${reply.title}” is saved for everyone in the practice.`
              : `“${reply.title}” is saved. You'll find it under the reply box of every question.`,
        });
      }
      case "update": {
        const parsed = parseForm(formData, savedReplyEditSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const changed = await updateSavedReply(actor, replyId, parsed.data, context.clientIp);
        return redirectWithFlash(request, "/saved-replies", {
          kind: changed ? "success" : "info",
          message: changed ? "Saved reply updated." : "Nothing changed in that reply.",
        });
      }
      case "delete": {
        const reply = await deleteSavedReply(actor, replyId, context.clientIp);
        return redirectWithFlash(request, "/saved-replies", { kind: "success", message: `“${reply.title}” was deleted.` });
      }
      default:
        return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

type Reply = ReturnType<typeof useLoaderData<typeof loader>>["replies"][number];

function ReplyCard({ reply, editFailed }: { reply: Reply; editFailed: { errors: Record<string, string>; values: Record<string, string> } | null }) {
  const headingId = `reply-${reply.id}-title`;
  return (
    <li>
      <article className="card space-y-3" aria-labelledby={headingId}>
        <h3 id={headingId} className="text-base font-semibold">
          {reply.title}
        </h3>
        <Markdown>{reply.body}</Markdown>
        {reply.canManage ? (
          <div className="space-y-3">
            <details open={editFailed ? true : undefined}>
              <summary className="cursor-pointer text-sm font-medium text-brand-700">
                Edit<span className="sr-only"> “{reply.title}”</span>
              </summary>
              <Form method="post" className="mt-3 space-y-3" noValidate>
                <input type="hidden" name="replyId" value={reply.id} />
                <FormMessage error={editFailed?.errors.form} />
                <Field
                  label="Title"
                  name="title"
                  required
                  defaultValue={editFailed ? editFailed.values.title : reply.title}
                  error={editFailed?.errors.title}
                />
                <TextAreaField
                  label="Text"
                  name="body"
                  rows={6}
                  required
                  defaultValue={editFailed ? editFailed.values.body : reply.body}
                  error={editFailed?.errors.body}
                />
                <SubmitButton name="intent" value="update" pendingWhen={{ replyId: reply.id }} pendingLabel="Saving changes…">
                  Save changes
                </SubmitButton>
              </Form>
            </details>
            <Form method="post">
              <input type="hidden" name="replyId" value={reply.id} />
              <SubmitButton
                name="intent"
                value="delete"
                variant="danger"
                compact
                pendingWhen={{ replyId: reply.id }}
                pendingLabel="Deleting…"
              >
                Delete<span className="sr-only"> “{reply.title}”</span>
              </SubmitButton>
            </Form>
          </div>
        ) : null}
      </article>
    </li>
  );
}

export default function SavedRepliesPage() {
  const { replies, isAdmin } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  const createFailed = failed?.intent === "create" ? failed : null;
  const editFailedFor = (id: string) => (failed && failed.intent !== "create" && failed.values.replyId === id ? failed : null);
  const unmatchedError =
    failed && failed.intent !== "create" && !replies.some((r) => r.id === failed.values.replyId) ? failed.errors.form : undefined;
  const mine = replies.filter((r) => r.scope === "mine");
  const practice = replies.filter((r) => r.scope === "practice");

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1>Saved replies</h1>
        <p className="text-stone-700">
          Words you reach for often, ready to drop into a reply and shape to the person you&apos;re writing to.
          {isAdmin
            ? " Practice-wide replies are shared with every practitioner; you look after them."
            : " Practice-wide replies come from your practice's admin."}
        </p>
      </div>
      <FormMessage error={unmatchedError} />

      <section className="card max-w-2xl space-y-3" aria-labelledby="new-reply-title">
        <h2 id="new-reply-title">New saved reply</h2>
        <Form method="post" className="space-y-3" noValidate key={replies.length}>
          <FormMessage error={createFailed?.errors.form} />
          <Field
            label="Title"
            name="title"
            required
            defaultValue={createFailed?.values.title}
            error={createFailed?.errors.title}
            hint="A few words to find it by in the reply box; clients never see it."
          />
          <TextAreaField
            label="Text"
            name="body"
            rows={6}
            required
            defaultValue={createFailed?.values.body}
            error={createFailed?.errors.body}
            hint="Markdown works: **bold**, lists with “-”, links."
          />
          {isAdmin ? (
            <SelectField
              label="Who can use it"
              name="scope"
              defaultValue={createFailed?.values.scope ?? "mine"}
              error={createFailed?.errors.scope}
              options={[
                { value: "mine", label: "Only me" },
                { value: "practice", label: "Everyone in the practice" },
              ]}
            />
          ) : (
            <input type="hidden" name="scope" value="mine" />
          )}
          <SubmitButton name="intent" value="create" pendingLabel="Saving reply…">
            Save reply
          </SubmitButton>
        </Form>
      </section>

      <section className="space-y-3" aria-labelledby="mine-title">
        <h2 id="mine-title">Your replies</h2>
        {mine.length === 0 ? (
          <p className="card">You have no saved replies yet. Save the first one above.</p>
        ) : (
          <ul className="space-y-3">
            {mine.map((reply) => (
              <ReplyCard key={reply.id} reply={reply} editFailed={editFailedFor(reply.id)} />
            ))}
          </ul>
        )}
      </section>

      <section className="space-y-3" aria-labelledby="practice-title">
        <h2 id="practice-title">Practice-wide replies</h2>
        {practice.length === 0 ? (
          <p className="card">
            {isAdmin
              ? "The practice has no shared replies yet. Choose “Everyone in the practice” above to add one."
              : "Your practice hasn't shared any replies yet."}
          </p>
        ) : (
          <ul className="space-y-3">
            {practice.map((reply) => (
              <ReplyCard key={reply.id} reply={reply} editFailed={editFailedFor(reply.id)} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This saved reply doesn't exist, or it belongs to someone else." />;
}
