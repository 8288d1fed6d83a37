import type { Role } from "../../db/schema";

// The one place that says which role may do what (DESIGN.md, "Who may see and do what").
// Record-level rules (a coach sees only cases they are a member of) live in the model
// functions, which take the acting user; this table answers the role-wide questions.

export const STAFF_ROLES = ["admin", "coach", "therapist"] as const satisfies readonly Role[];

const PERMISSIONS = {
  /** Admin dashboard and practice-wide figures. */
  "admin.dashboard": ["admin"],
  /** Create, invite, deactivate and change roles of accounts. */
  "users.manage": ["admin"],
  /** Practice settings (first-response target, crisis message) and practice-wide saved replies. */
  "settings.manage": ["admin"],
  /** Read, filter and export the audit log. */
  "audit.read": ["admin"],
  /** Export everything on a case (notes, internal posts, timeline) as JSON or a printable page. */
  "cases.export": ["admin"],
  /** Staff work screens: triage queue, case list. */
  "staff.workspace": STAFF_ROLES,
  /** The client portal. */
  "portal.use": ["client"],
  /** Own profile and password. */
  "account.manage": ["admin", "coach", "therapist", "client"],
  /** Two-step sign-in with an authenticator app (staff only). */
  "account.twoFactor": STAFF_ROLES,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(user: { role: Role } | null | undefined, permission: Permission): boolean {
  if (!user) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(user.role);
}

export function isStaff(role: Role): boolean {
  return (STAFF_ROLES as readonly Role[]).includes(role);
}

/** Where each role lands after signing in. */
export function homePath(role: Role): string {
  switch (role) {
    case "admin":
      return "/admin";
    case "coach":
      return "/triage";
    case "therapist":
      return "/cases";
    case "client":
      return "/portal";
  }
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  coach: "Coach",
  therapist: "Therapist",
  client: "Client",
};

export const ROLE_PLURALS: Record<Role, string> = {
  admin: "Admins",
  coach: "Coaches",
  therapist: "Therapists",
  client: "Clients",
};

export type NavItem = { to: string; label: string };

/** The app shell's navigation for a role, built from the same permission table. */
export function navigationFor(role: Role): NavItem[] {
  const user = { role };
  const items: NavItem[] = [];
  if (can(user, "admin.dashboard")) items.push({ to: "/admin", label: "Dashboard" });
  if (can(user, "staff.workspace")) {
    items.push(
      { to: "/triage", label: "Triage" },
      { to: "/check-ins", label: "Check-ins" },
      { to: "/cases", label: "Cases" },
      { to: "/plans/templates", label: "Templates" },
      { to: "/saved-replies", label: "Saved replies" },
    );
  }
  if (can(user, "users.manage")) items.push({ to: "/admin/users", label: "Users" });
  if (can(user, "settings.manage")) items.push({ to: "/admin/settings", label: "Settings" });
  if (can(user, "audit.read")) items.push({ to: "/admin/audit", label: "Audit log" });
  if (can(user, "portal.use")) {
    items.push(
      { to: "/portal", label: "My plan" },
      { to: "/portal/check-in", label: "Check in" },
      { to: "/portal/progress", label: "Progress" },
      { to: "/portal/questions", label: "Questions" },
    );
  }
  items.push({ to: "/account", label: "Account" });
  return items;
}

// ---------------------------------------------------------------------------------------------
// Case-level rules. Who can see a case at all is decided by the cases model (admin: every case;
// coach/therapist: cases they are a member of; client: their own). Once a viewer can see it,
// this table says what they may do there; anything else answers 403.

export type CaseRelation = "admin" | "lead" | "support" | "client";

const CASE_ACTIONS = {
  /** Internal content: staff notes, the full timeline, audit entries. */
  "case.readInternal": ["admin", "lead", "support"],
  /** Status workflow (incl. closing and reopening) and risk level. */
  "case.changeStatus": ["admin", "lead", "support"],
  "case.changeRisk": ["admin", "lead", "support"],
  /** Add or remove support members. */
  "case.manageMembers": ["admin", "lead"],
  /** Assign plans from templates, edit the case's copies, archive them. */
  "case.editPlans": ["admin", "lead", "support"],
  /** Write staff notes (authors edit their own). */
  "case.writeNotes": ["admin", "lead", "support"],
  /** Start, finish or skip steps of the case's plans and write reflections. */
  "case.workSteps": ["client"],
} as const satisfies Record<string, readonly CaseRelation[]>;

export type CaseAction = keyof typeof CASE_ACTIONS;

export function caseCan(relation: CaseRelation, action: CaseAction): boolean {
  return (CASE_ACTIONS[action] as readonly CaseRelation[]).includes(relation);
}

export const CASE_STATUS_LABELS = { intake: "Intake", active: "Active", paused: "Paused", closed: "Closed" } as const;
export const RISK_LABELS = { none: "None", watch: "Watch", urgent: "Urgent" } as const;
export const CONCERN_LABELS = {
  trust_repair: "Trust repair",
  communication: "Communication",
  separation: "Separation",
  other: "Other",
} as const;
