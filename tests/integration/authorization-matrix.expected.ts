import type { MatrixRow } from "../support/route-matrix";

// Who gets what from every route file: one row per route file and request, one column per person.
// authorization-matrix.test.ts calls each loader (GET) and action (POST) directly and compares
// every cell; a route file without a row, or a row for a file that is gone, fails the test.
//
// The people (fixtures in the test):
//   anonymous  no session                    admin      admin, on no case
//   clientA    client of case A              clientB    client of case B
//   coachA     coach, lead of case A         coachB     coach, lead of case B, not on case A
//   therapist  therapist, support member of case A only (lead-only rights answer it 403)
//   adminCodeOwed  an admin whose session got past the password but still owes the code from the
//              authenticator app: everything but the public and two-factor pages sends it there
// Side A's records: case A with a plan and steps, a thread with a shared reply and an internal
// note (both by coachA), a check-in, a case note by coachA, a plan template and a personal saved
// reply owned by coachA, a notification for clientA. Side B mirrors them with clientB and coachB.
// A request that names a record runs once with side A's ids and once, as "(B)", with side B's;
// one that names a record inside another (a plan in a case, a message in a thread) runs once
// more, as "(A+B)", with the address's record from side A and the rest from side B.
//
// Cells:
//   "ok"              200: the page or its data
//   "400"             let in, then the form was refused (the bodies sent are empty or invalid)
//   "login"           redirect to /login: signed out (or signing out)
//   "two-factor"      redirect to /login/two-factor: the second step of signing in is still owed
//   "redirect:/path"  any other redirect; ids written as their names (:threadId)
//   "404"             not found: a record or page the person may not see (DESIGN.md)
//   "403"             may see the record but not do this to it
//   "405"             the module has no action
//   "no loader"       the module has no loader: a GET renders the page with no server data
//
// Beside the table, every 200 answer is searched for words planted in each side's records (case
// title, shared reply, check-in, internal note, case note, saved reply): one that reaches a person
// outside its audience fails the test whatever the cell says.
//
// Which body each POST carries is in REQUESTS in the test. When a cell changes on purpose, the
// failing test prints the changed rows, aligned like these, to paste here.

export const EXPECTED: MatrixRow[] = [
  // route file                          request                      anonymous     clientA                                 clientB                                 coachA                     coachB                     therapist          admin              adminCodeOwed
  ["$.tsx",                             "GET",                       "404",        "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "404"],
  ["$.tsx",                             "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["_index.tsx",                        "GET",                       "login",      "redirect:/portal",                     "redirect:/portal",                     "redirect:/triage",        "redirect:/triage",        "redirect:/cases", "redirect:/admin", "login"],
  ["_index.tsx",                        "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["account.tsx",                       "GET",                       "login",      "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["account.tsx",                       "POST intent=profile",       "login",      "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "two-factor"],

  // Everyone's own data; a client's holds only what the portal shows (the leak check reads it).
  ["account_.export.tsx",               "GET",                       "login",      "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["account_.export.tsx",               "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["account_.export[.]json.tsx",        "GET",                       "login",      "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["account_.export[.]json.tsx",        "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  // Two-step sign-in is for staff; a client has no such page.
  ["account_.two-factor.tsx",           "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["account_.two-factor.tsx",           "POST",                      "login",      "404",                                  "404",                                  "400",                     "400",                     "400",             "400",             "two-factor"],

  ["admin._index.tsx",                  "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin._index.tsx",                  "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["admin.audit.tsx",                   "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.audit.tsx",                   "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["admin.audit[.]csv.tsx",             "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.audit[.]csv.tsx",             "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["admin.settings.tsx",                "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.settings.tsx",                "POST",                      "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "400",             "two-factor"],

  // :userId is the side's client.
  ["admin.users.$userId.tsx",           "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.users.$userId.tsx",           "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.users.$userId.tsx",           "POST intent=role",          "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "400",             "two-factor"],
  ["admin.users.$userId.tsx",           "POST intent=role (B)",      "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "400",             "two-factor"],

  ["admin.users._index.tsx",            "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.users._index.tsx",            "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["admin.users.new.tsx",               "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["admin.users.new.tsx",               "POST",                      "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "400",             "two-factor"],

  // Staff pages of a case: its team and admins. Clients read their case through the portal only.
  ["cases.$caseId._index.tsx",          "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId._index.tsx",          "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId._index.tsx",          "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.$caseId.notes.tsx",           "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.notes.tsx",           "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.notes.tsx",           "POST intent=add",           "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["cases.$caseId.notes.tsx",           "POST intent=add (B)",       "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],
  // Only a note's author edits it: other staff on the case, admins too, get 403.
  ["cases.$caseId.notes.tsx",           "POST intent=edit",          "login",      "404",                                  "404",                                  "400",                     "404",                     "403",             "403",             "two-factor"],
  ["cases.$caseId.notes.tsx",           "POST intent=edit (B)",      "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "403",             "two-factor"],
  // (A+B): case A's address with side B's record in it answers 404 to everyone, admin included.
  ["cases.$caseId.notes.tsx",           "POST intent=edit (A+B)",    "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["cases.$caseId.plans.$planId.tsx",   "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.plans.$planId.tsx",   "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.plans.$planId.tsx",   "POST intent=plan",          "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["cases.$caseId.plans.$planId.tsx",   "POST intent=plan (B)",      "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],
  ["cases.$caseId.plans.$planId.tsx",   "GET (A+B)",                 "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["cases.$caseId.plans.$planId.tsx",   "POST intent=plan (A+B)",    "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["cases.$caseId.plans._index.tsx",    "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.plans._index.tsx",    "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.plans._index.tsx",    "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.$caseId.plans.new.tsx",       "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.plans.new.tsx",       "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.plans.new.tsx",       "POST",                      "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["cases.$caseId.plans.new.tsx",       "POST (B)",                  "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],

  ["cases.$caseId.progress.tsx",        "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.progress.tsx",        "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.progress.tsx",        "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.$caseId.threads.tsx",         "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.threads.tsx",         "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.threads.tsx",         "POST intent=start",         "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["cases.$caseId.threads.tsx",         "POST intent=start (B)",     "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],

  ["cases.$caseId.timeline.tsx",        "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.timeline.tsx",        "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.timeline.tsx",        "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.$caseId.tsx",                 "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["cases.$caseId.tsx",                 "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["cases.$caseId.tsx",                 "POST intent=status",        "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["cases.$caseId.tsx",                 "POST intent=status (B)",    "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],
  // The team is the lead's (and the admin's) to change: a support member gets 403.
  ["cases.$caseId.tsx",                 "POST intent=addMember",     "login",      "404",                                  "404",                                  "400",                     "404",                     "403",             "400",             "two-factor"],
  ["cases.$caseId.tsx",                 "POST intent=addMember (B)", "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],

  // The whole case, staff notes and internal posts included: admins only (cases.export), not the team.
  ["cases.$caseId_.export.tsx",         "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["cases.$caseId_.export.tsx",         "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["cases.$caseId_.export.tsx",         "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.$caseId_.export[.]json.tsx",  "GET",                       "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["cases.$caseId_.export[.]json.tsx",  "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "ok",              "two-factor"],
  ["cases.$caseId_.export[.]json.tsx",  "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases._index.tsx",                  "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["cases._index.tsx",                  "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["cases.new.tsx",                     "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["cases.new.tsx",                     "POST",                      "login",      "404",                                  "404",                                  "400",                     "400",                     "400",             "400",             "two-factor"],

  ["check-ins.$checkInId.tsx",          "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["check-ins.$checkInId.tsx",          "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["check-ins.$checkInId.tsx",          "POST",                      "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["check-ins.$checkInId.tsx",          "POST (B)",                  "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],

  ["check-ins._index.tsx",              "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["check-ins._index.tsx",              "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  // Demo mode only (CAIRN_DEMO); the tests run without it, so the page doesn't exist.
  ["dev.outbox.tsx",                    "GET",                       "404",        "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "404"],
  ["dev.outbox.tsx",                    "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["forgot-password.tsx",               "GET",                       "no loader",  "no loader",                            "no loader",                            "no loader",               "no loader",               "no loader",       "no loader",       "no loader"],
  ["forgot-password.tsx",               "POST",                      "400",        "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "400"],

  // Public: the token is the key. Signed-in people may open it too.
  ["invite.$token.tsx",                 "GET",                       "ok",         "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "ok"],
  ["invite.$token.tsx",                 "POST",                      "400",        "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "400"],

  ["login.tsx",                         "GET",                       "ok",         "redirect:/portal",                     "redirect:/portal",                     "redirect:/triage",        "redirect:/triage",        "redirect:/cases", "redirect:/admin", "two-factor"],
  ["login.tsx",                         "POST",                      "400",        "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "400"],

  // For a session waiting for its second factor; a full session is sent home, none to sign in.
  ["login_.two-factor.tsx",             "GET",                       "login",      "redirect:/portal",                     "redirect:/portal",                     "redirect:/triage",        "redirect:/triage",        "redirect:/cases", "redirect:/admin", "ok"],
  ["login_.two-factor.tsx",             "POST",                      "login",      "redirect:/portal",                     "redirect:/portal",                     "redirect:/triage",        "redirect:/triage",        "redirect:/cases", "redirect:/admin", "400"],

  ["logout.tsx",                        "GET",                       "redirect:/", "redirect:/",                           "redirect:/",                           "redirect:/",              "redirect:/",              "redirect:/",      "redirect:/",      "redirect:/"],
  ["logout.tsx",                        "POST",                      "login",      "login",                                "login",                                "login",                   "login",                   "login",           "login",           "login"],

  // A notification is its recipient's alone, admins included.
  ["notifications.$notificationId.tsx", "GET",                       "login",      "redirect:/portal/questions/:threadId?post=:sharedPostId#post-:sharedPostId", "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["notifications.$notificationId.tsx", "GET (B)",                   "login",      "404",                                  "redirect:/portal/questions/:threadId?post=:sharedPostId#post-:sharedPostId", "404",                     "404",                     "404",             "404",             "two-factor"],
  ["notifications.$notificationId.tsx", "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["notifications.tsx",                 "GET",                       "login",      "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["notifications.tsx",                 "POST",                      "login",      "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "two-factor"],

  // Every staff member reads every template; only its owner or an admin changes it (403).
  ["plans.templates.$templateId.tsx",   "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["plans.templates.$templateId.tsx",   "GET (B)",                   "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["plans.templates.$templateId.tsx",   "POST intent=details",       "login",      "404",                                  "404",                                  "400",                     "403",                     "403",             "400",             "two-factor"],
  ["plans.templates.$templateId.tsx",   "POST intent=details (B)",   "login",      "404",                                  "404",                                  "403",                     "400",                     "403",             "400",             "two-factor"],

  ["plans.templates._index.tsx",        "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["plans.templates._index.tsx",        "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["plans.templates.new.tsx",           "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  ["plans.templates.new.tsx",           "POST",                      "login",      "404",                                  "404",                                  "400",                     "400",                     "400",             "400",             "two-factor"],

  ["portal._index.tsx",                 "GET",                       "login",      "ok",                                   "ok",                                   "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal._index.tsx",                 "POST intent=note",          "login",      "redirect:/portal#step-:stepId",        "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal._index.tsx",                 "POST intent=note (B)",      "login",      "404",                                  "redirect:/portal#step-:stepId",        "404",                     "404",                     "404",             "404",             "two-factor"],

  ["portal.check-in.tsx",               "GET",                       "login",      "ok",                                   "ok",                                   "404",                     "404",                     "404",             "404",             "two-factor"],
  // Valid scores and a step that isn't on the plan: the case is checked first (404), then the step (400).
  ["portal.check-in.tsx",               "POST caseId",               "login",      "400",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.check-in.tsx",               "POST caseId (B)",           "login",      "404",                                  "400",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["portal.progress.tsx",               "GET",                       "login",      "ok",                                   "ok",                                   "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.progress.tsx",               "POST",                      "405",        "405",                                  "405",                                  "405",                     "405",                     "405",             "405",             "405"],

  ["portal.questions.$threadId.tsx",    "GET",                       "login",      "ok",                                   "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.questions.$threadId.tsx",    "GET (B)",                   "login",      "404",                                  "ok",                                   "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.questions.$threadId.tsx",    "POST intent=reply",         "login",      "400",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.questions.$threadId.tsx",    "POST intent=reply (B)",     "login",      "404",                                  "400",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["portal.questions._index.tsx",       "GET",                       "login",      "ok",                                   "ok",                                   "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.questions._index.tsx",       "POST caseId",               "login",      "400",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],
  ["portal.questions._index.tsx",       "POST caseId (B)",           "login",      "404",                                  "400",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["reset-password.$token.tsx",         "GET",                       "ok",         "ok",                                   "ok",                                   "ok",                      "ok",                      "ok",              "ok",              "ok"],
  ["reset-password.$token.tsx",         "POST",                      "400",        "400",                                  "400",                                  "400",                     "400",                     "400",             "400",             "400"],

  ["saved-replies.tsx",                 "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  // A personal saved reply is its owner's alone: an admin manages only the practice-wide ones.
  ["saved-replies.tsx",                 "POST intent=update",        "login",      "404",                                  "404",                                  "redirect:/saved-replies", "404",                     "404",             "404",             "two-factor"],
  ["saved-replies.tsx",                 "POST intent=update (B)",    "login",      "404",                                  "404",                                  "404",                     "redirect:/saved-replies", "404",             "404",             "two-factor"],

  ["threads.$threadId.tsx",             "GET",                       "login",      "404",                                  "404",                                  "ok",                      "404",                     "ok",              "ok",              "two-factor"],
  ["threads.$threadId.tsx",             "GET (B)",                   "login",      "404",                                  "404",                                  "404",                     "ok",                      "404",             "ok",              "two-factor"],
  ["threads.$threadId.tsx",             "POST intent=reply",         "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["threads.$threadId.tsx",             "POST intent=reply (B)",     "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],
  // Only a message's author edits it (the internal note is coachA's): other staff get 403.
  ["threads.$threadId.tsx",             "POST intent=edit",          "login",      "404",                                  "404",                                  "400",                     "404",                     "403",             "403",             "two-factor"],
  ["threads.$threadId.tsx",             "POST intent=edit (B)",      "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "403",             "two-factor"],
  // Editing side B's message through thread A's address: 404, even for its author (coachB).
  ["threads.$threadId.tsx",             "POST intent=edit (A+B)",    "login",      "404",                                  "404",                                  "404",                     "404",                     "404",             "404",             "two-factor"],

  ["triage.tsx",                        "GET",                       "login",      "404",                                  "404",                                  "ok",                      "ok",                      "ok",              "ok",              "two-factor"],
  // Assigning to the client is refused (400) once the thread is known to be visible.
  ["triage.tsx",                        "POST intent=assign",        "login",      "404",                                  "404",                                  "400",                     "404",                     "400",             "400",             "two-factor"],
  ["triage.tsx",                        "POST intent=assign (B)",    "login",      "404",                                  "404",                                  "404",                     "400",                     "404",             "400",             "two-factor"],
];
