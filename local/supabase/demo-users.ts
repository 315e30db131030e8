/**
 * The demo users and organizations of supabase/seed.sql (local development only). Same UUIDs and
 * emails as the seed: keep both in step. `npm run dev` prints an access token for each user.
 *
 *   acme   (Acme Inc., starter)  owner@example.com = owner, admin@example.com = admin, member@example.com = member
 *   globex (Globex Corp, free)    outsider@example.com = owner (and nothing in acme)
 *
 * No tenant databases are seeded: request provisioning (as owner or admin) to create one.
 */
export interface DemoUser {
  id: string;
  email: string;
  description: string;
}

export interface DemoOrganization {
  id: string;
  slug: string;
  name: string;
  plan: "free" | "starter" | "professional" | "enterprise";
  members: ReadonlyArray<{ userId: string; role: "owner" | "admin" | "member" }>;
}

export const DEMO_USER_IDS = {
  owner: "00000000-0000-4000-8000-00000000d001",
  admin: "00000000-0000-4000-8000-00000000d002",
  member: "00000000-0000-4000-8000-00000000d003",
  outsider: "00000000-0000-4000-8000-00000000d004",
} as const;

export const DEMO_ORG_IDS = {
  acme: "00000000-0000-4000-8000-00000000a001",
  globex: "00000000-0000-4000-8000-00000000a002",
} as const;

export const DEMO_USERS: readonly DemoUser[] = [
  { id: DEMO_USER_IDS.owner, email: "owner@example.com", description: "owner of acme" },
  { id: DEMO_USER_IDS.admin, email: "admin@example.com", description: "admin of acme" },
  { id: DEMO_USER_IDS.member, email: "member@example.com", description: "member of acme" },
  { id: DEMO_USER_IDS.outsider, email: "outsider@example.com", description: "owner of globex, not in acme" },
];

export const DEMO_ORGS: readonly DemoOrganization[] = [
  {
    id: DEMO_ORG_IDS.acme,
    slug: "acme",
    name: "Acme Inc.",
    plan: "starter",
    members: [
      { userId: DEMO_USER_IDS.owner, role: "owner" },
      { userId: DEMO_USER_IDS.admin, role: "admin" },
      { userId: DEMO_USER_IDS.member, role: "member" },
    ],
  },
  {
    id: DEMO_ORG_IDS.globex,
    slug: "globex",
    name: "Globex Corp",
    plan: "free",
    members: [{ userId: DEMO_USER_IDS.outsider, role: "owner" }],
  },
];
