import type { Role } from "./schema";

// The demo practice's sign-ins. The seed creates them; the login page lists them in demo mode.
export const DEMO_PASSWORD = "cairn-demo";

type DemoAccount = { email: string; name: string; role: Role; roleLabel: string };

const account = (email: string, name: string, role: Role): DemoAccount => ({
  email,
  name,
  role,
  roleLabel: role[0]!.toUpperCase() + role.slice(1),
});

export const demoAccounts: DemoAccount[] = [
  account("admin@cairn.test", "Avery Admin", "admin"),
  account("coach@cairn.test", "Casey Coach", "coach"),
  account("coach2@cairn.test", "Morgan Coach", "coach"),
  account("therapist@cairn.test", "Theo Therapist", "therapist"),
  account("client@cairn.test", "Jordan Client", "client"),
  account("riley@cairn.test", "Riley Moreno", "client"),
  account("sam@cairn.test", "Sam Okafor", "client"),
  account("alex@cairn.test", "Alex Lindqvist", "client"),
  account("priya@cairn.test", "Priya Raman", "client"),
  account("noah@cairn.test", "Noah Bennett", "client"),
  account("mei@cairn.test", "Mei Tanaka", "client"),
  account("dana@cairn.test", "Dana Whitfield", "client"),
];
