import { json } from "@remix-run/node";
import type { z } from "zod";
import { RuleViolation } from "~/models/errors.server";
import { withoutNul } from "~/models/typed-text";

// The one way forms are validated: zod parses the submitted fields; on failure the action
// answers 400 with a message per field and the values as typed, and the form shows both.
// NUL characters are removed from every field before anything else looks at it (the policy is
// in app/models/typed-text.ts); models that take text straight from a route do the same.

export type FieldErrors = Record<string, string>;
export type FormFailure = { ok: false; errors: FieldErrors; values: Record<string, string> };
export type FormResult<T> = { ok: true; data: T } | FormFailure;

/** Fields never echoed back to the page. */
const SECRET_FIELDS = /password/i;

export function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData) {
    if (typeof value === "string" && !SECRET_FIELDS.test(key)) values[key] = withoutNul(value);
  }
  return values;
}

export function parseForm<S extends z.ZodType>(formData: FormData, schema: S): FormResult<z.infer<S>> {
  const raw = Object.fromEntries([...formData].flatMap(([k, v]) => (typeof v === "string" ? [[k, withoutNul(v)]] : [])));
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values: formValues(formData) };
}

/** The 400 answer for a failed form; `extra` is merged in (e.g. which form of several). */
export function formError(failure: Omit<FormFailure, "ok">, extra: Record<string, unknown> = {}) {
  return json({ ok: false as const, errors: failure.errors, values: failure.values, ...extra }, { status: 400 });
}

/** Turns a rule the domain refused into the same 400 answer, next to the field it concerns. */
export function ruleViolationError(error: unknown, formData: FormData, extra: Record<string, unknown> = {}) {
  if (!(error instanceof RuleViolation)) throw error;
  return formError({ errors: { [error.field ?? "form"]: error.message }, values: formValues(formData) }, extra);
}
