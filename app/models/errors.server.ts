// Models signal "you can't see this" and "you can't do this" the way HTTP does, so every route
// answers them the same: a record the actor may not see is 404, never 403 (that would reveal it).

export function notFound(message = "Not found"): Response {
  return new Response(message, { status: 404, statusText: "Not Found" });
}

export function forbidden(message = "Forbidden"): Response {
  return new Response(message, { status: 403, statusText: "Forbidden" });
}

/** A rule of the domain refused the change; the message is shown to the user as it is. */
export class RuleViolation extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "RuleViolation";
  }
}
