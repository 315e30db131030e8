/**
 * Organizations: creation, membership visibility, and deletion as a tombstone whose slug can never
 * be inherited (so nothing keyed by the slug can reach a new owner).
 */
import { describe, it, expect, afterAll } from "vitest";
import { asService, withCaller, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createOrganization, deleteOrganization, hasOrgRole, listMyOrganizations } from "../../supabase/functions/_shared/registry/organizations.ts";
import { getTenantStatus, requestTenantDeprovisioning, claimTenantForProvisioning, transitionTenantStatus } from "../../supabase/functions/_shared/registry/tenants.ts";
import { listAuditLog } from "../../supabase/functions/_shared/registry/audit.ts";
import { createUser, createWorld, fakeCredentials, provisionActiveTenant, registryClient, uniqueSlug, userCaller, anonCaller } from "./fixtures.ts";

const sql: Sql = registryClient(4);
afterAll(() => sql.end());
const ctx = { entryPoint: "tests" };

describe("organizations", () => {
  it("a signed-in user creates an organization and becomes its owner; others do not see it", async () => {
    const [alice, bob] = [await createUser(sql, "alice"), await createUser(sql, "bob")];
    const slug = uniqueSlug("alice-co");
    const orgId = await withCaller(sql, userCaller(alice), (tx) => createOrganization(tx, { slug, name: "Alice Co" }, ctx));
    expect(await withCaller(sql, userCaller(alice), (tx) => listMyOrganizations(tx))).toEqual([expect.objectContaining({ id: orgId, slug, role: "owner" })]);
    expect(await withCaller(sql, userCaller(alice), (tx) => hasOrgRole(tx, orgId, ["owner"]))).toBe(true);
    expect(await withCaller(sql, userCaller(bob), (tx) => listMyOrganizations(tx))).toEqual([]);
    expect(await withCaller(sql, userCaller(bob), (tx) => hasOrgRole(tx, orgId))).toBe(false);
    expect(await withCaller(sql, userCaller(bob), (tx) => tx`select id from public.organizations where id = ${orgId}`)).toHaveLength(0);
    await expect(withCaller(sql, userCaller(bob), (tx) => createOrganization(tx, { slug: uniqueSlug("x"), name: "X", ownerUserId: alice.id }, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(withCaller(sql, anonCaller, (tx) => createOrganization(tx, { slug: uniqueSlug("x"), name: "X" }, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });
    const audit = await asService(sql, (tx) => listAuditLog(tx, orgId));
    expect(audit).toEqual([expect.objectContaining({ action: "organization.created", actorUserId: alice.id, details: expect.objectContaining({ slug }) })]);
  });

  it("validates slugs and refuses duplicates", async () => {
    const user = await createUser(sql, "slugs");
    const as = userCaller(user);
    for (const bad of ["a", "-abc", "abc-", "ABC def", "x".repeat(41), "acme_inc"]) {
      await expect(withCaller(sql, as, (tx) => createOrganization(tx, { slug: bad, name: "Bad" }, ctx)), bad).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    const slug = uniqueSlug("dup");
    await withCaller(sql, as, (tx) => createOrganization(tx, { slug: slug.toUpperCase(), name: "Dup" }, ctx)); // normalised to lower case
    await expect(withCaller(sql, as, (tx) => createOrganization(tx, { slug, name: "Dup 2" }, ctx))).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("is taken") });
  });

  it("deletion leaves a tombstone: the slug stays reserved, the old organization's data is unreachable", async () => {
    const world = await createWorld(sql, "tomb");
    const slug = world.org.slug;
    const tenantId = await provisionActiveTenant(sql, world.org.id, { app_pooled: fakeCredentials("tomb").urls.app_pooled });
    const owner = userCaller(world.owner);

    await expect(withCaller(sql, userCaller(world.admin), (tx) => deleteOrganization(tx, world.org.id, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(withCaller(sql, owner, (tx) => deleteOrganization(tx, world.org.id, ctx))).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("Deprovision it first") });

    await withCaller(sql, owner, (tx) => requestTenantDeprovisioning(tx, world.org.id, "closing", ctx));
    const claim = await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "tomb-worker" }));
    expect(claim.claimed).toBe(true);
    await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "deprovisioning", to: "deleted", workerId: "tomb-worker" }));
    await withCaller(sql, owner, (tx) => deleteOrganization(tx, world.org.id, ctx));

    const [tombstone] = await sql`select slug, deleted_at from public.organizations where id = ${world.org.id}`;
    expect(tombstone).toMatchObject({ slug });
    expect(tombstone!.deleted_at).toBeInstanceOf(Date);
    // Former members lose every role and no longer see it, its tenant or its audit trail.
    expect(await withCaller(sql, owner, (tx) => listMyOrganizations(tx))).toEqual([]);
    expect(await withCaller(sql, owner, (tx) => hasOrgRole(tx, world.org.id))).toBe(false);
    expect(await withCaller(sql, owner, (tx) => tx`select id from public.tenant_databases where organization_id = ${world.org.id}`)).toHaveLength(0);
    expect(await withCaller(sql, owner, (tx) => tx`select id from public.audit_log where organization_id = ${world.org.id}`)).toHaveLength(0);
    await expect(withCaller(sql, owner, (tx) => deleteOrganization(tx, world.org.id, ctx))).rejects.toMatchObject({ code: "FORBIDDEN" });

    // Nobody, not even the service role, can take the slug again.
    const newcomer = await createUser(sql, "newcomer");
    await expect(withCaller(sql, userCaller(newcomer), (tx) => createOrganization(tx, { slug, name: "Impostor" }, ctx)))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("slugs of deleted organizations stay reserved") });
    await expect(asService(sql, (tx) => createOrganization(tx, { slug, name: "Impostor", ownerUserId: newcomer.id }, ctx))).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(sql`insert into public.organizations (slug, name) values (${slug}, 'Direct')`).rejects.toMatchObject({ code: "23505" });
    // …nor free it by renaming, restoring or hard-deleting the tombstone (even as the table owner).
    await expect(sql`update public.organizations set slug = ${uniqueSlug("freed")} where id = ${world.org.id}`).rejects.toMatchObject({ code: "PT409" });
    await expect(sql`update public.organizations set deleted_at = null where id = ${world.org.id}`).rejects.toMatchObject({ code: "PT409" });
    await expect(sql`delete from public.organizations where id = ${world.org.id}`).rejects.toMatchObject({ code: "PT409" });
    expect(await asService(sql, (tx) => getTenantStatus(tx, world.org.id))).toBeNull();
    const audit = await asService(sql, (tx) => listAuditLog(tx, world.org.id, { action: "organization.deleted" }));
    expect(audit).toEqual([expect.objectContaining({ actorUserId: world.owner.id, details: { slug } })]);
  });

  it("a live organization's slug cannot change either (links and subdomains keep meaning one organization)", async () => {
    const world = await createWorld(sql, "rename");
    await expect(sql`update public.organizations set slug = ${uniqueSlug("renamed")} where id = ${world.org.id}`).rejects.toMatchObject({ code: "PT409" });
    await sql`update public.organizations set name = 'Renamed Inc.' where id = ${world.org.id}`;
  });
});
