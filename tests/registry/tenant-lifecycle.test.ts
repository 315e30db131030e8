/**
 * The tenant state machine: legal and illegal transitions, step order, leases (racing workers,
 * expired lease take-over), retries, deprovisioning, idempotent provisioning requests.
 */
import { describe, it, expect, afterAll, inject } from "vitest";
import { asService, withCaller, createSqlClient, type Sql } from "../../supabase/functions/_shared/db.ts";
import {
  claimNextTenant, claimTenantForProvisioning, getTenantStatus, listProvisioningEvents, recordProvisioningStep, releaseTenantLease,
  requestTenantDeprovisioning, requestTenantProvisioning, retryTenantProvisioning, transitionTenantStatus,
} from "../../supabase/functions/_shared/registry/tenants.ts";
import { storeTenantCredentials } from "../../supabase/functions/_shared/registry/credentials.ts";
import { listAuditLog } from "../../supabase/functions/_shared/registry/audit.ts";
import { PROVISIONING_STEPS } from "../../supabase/functions/_shared/registry/types.ts";
import { createUser, createOrg, createWorld, fakeCredentials, provisionActiveTenant, registryClient, requestPendingTenant, uniqueRegion, userCaller } from "./fixtures.ts";

const sql: Sql = registryClient(6);
afterAll(() => sql.end());

const tests = { entryPoint: "tests" };

async function freshOrg(label = "life") {
  const owner = await createUser(sql, `${label}-owner`);
  return { owner, org: await createOrg(sql, [[owner, "owner"]], label) };
}

async function status(tenantId: string): Promise<string> {
  const [row] = await sql`select status from public.tenant_databases where id = ${tenantId}`;
  return row!.status as string;
}

describe("status machine", () => {
  it("drives pending → provisioning → active through every step, in order, with events and audit rows", async () => {
    const { org } = await freshOrg();
    const creds = fakeCredentials("life");
    const tenantId = await provisionActiveTenant(sql, org.id, { app_pooled: creds.urls.app_pooled });
    const tenant = await asService(sql, (tx) => getTenantStatus(tx, org.id));
    expect(tenant).toMatchObject({ id: tenantId, status: "active", currentStep: "activate", provisioningAttempt: 1 });
    for (const step of PROVISIONING_STEPS) expect(tenant!.provisioningStatus[step]).toMatchObject({ state: "succeeded", attempts: 1, error_code: null });
    const events = await asService(sql, (tx) => listProvisioningEvents(tx, tenantId));
    expect(events[0]!.event).toBe("requested");
    const stepEvents = events.filter((e) => e.event === "step").map((e) => `${e.step}:${e.stepState}`);
    expect(stepEvents.slice(0, 4)).toEqual(["create_database:running", "create_database:succeeded", "wait_for_operations:running", "wait_for_operations:succeeded"]);
    expect(events.at(-1)).toMatchObject({ event: "status_changed", fromStatus: "provisioning", toStatus: "active" });
    const audit = await asService(sql, (tx) => listAuditLog(tx, org.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["tenant.provision_requested", "tenant.status_changed", "credentials.stored"]));
  });

  it("refuses illegal transitions (PT409 → CONFLICT), whoever writes", async () => {
    const { org } = await freshOrg();
    const tenantId = await requestPendingTenant(sql, org.id);
    const move = (from: string, to: string) => asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: from as never, to: to as never }));
    await expect(move("pending", "active")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("cannot go from pending to active") });
    await expect(move("pending", "deleted")).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(move("active", "suspended")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("is pending, not active") });
    await expect(move("pending", "provisioning")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("claim_tenant_for_provisioning") });
    await expect(move("pending", "bogus")).rejects.toMatchObject({ code: "CONFLICT" });
    // Even the table owner cannot skip the machine: the trigger checks every UPDATE.
    await expect(sql`update public.tenant_databases set status = 'active' where id = ${tenantId}`).rejects.toMatchObject({ code: "PT409" });
    await expect(sql`update public.tenant_databases set status = 'nonsense' where id = ${tenantId}`).rejects.toMatchObject({ code: "PT409" });
    // CHECK constraints hold the vocabulary: unknown steps and step states are refused.
    await expect(sql`update public.tenant_databases set provisioning_status = provisioning_status || '{"bogus_step": {"state": "pending", "attempts": 0}}' where id = ${tenantId}`)
      .rejects.toMatchObject({ code: "23514", constraint_name: "tenant_databases_provisioning_status_valid" });
    await expect(sql`update public.tenant_databases set provisioning_status = jsonb_set(provisioning_status, '{claim,state}', '"done"') where id = ${tenantId}`)
      .rejects.toMatchObject({ code: "23514" });
    await expect(sql`update public.tenant_databases set current_step = 'bogus' where id = ${tenantId}`).rejects.toMatchObject({ code: "23514" });
    await expect(sql`delete from public.tenant_databases where id = ${tenantId}`).rejects.toMatchObject({ code: "PT409" });
    expect(await status(tenantId)).toBe("pending");
    // A legal one works.
    expect(await move("pending", "failed")).toBe("failed");
  });

  it("enforces step order and step states", async () => {
    const { org } = await freshOrg();
    const tenantId = await requestPendingTenant(sql, org.id);
    const workerId = "order-worker";
    const step = (s: string, state: string, extra: Record<string, unknown> = {}) =>
      asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: s as never, state: state as never, workerId, ...extra }));
    await expect(step("create_database", "running")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("only while it is provisioning") });
    await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId }));
    await expect(step("apply_migrations", "running")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("cannot start before: create_database, wait_for_operations, store_credentials") });
    await expect(step("create_database", "succeeded")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("not running") });
    await expect(step("no_such_step", "running")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(step("create_database", "failed")).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("error code") });
    await step("create_database", "running");
    await step("create_database", "failed", { errorCode: "neon.quota_exceeded", errorMessage: "quota exceeded for postgresql://u:hunter2@h/db" });
    const entry = await step("create_database", "running");
    expect(entry).toMatchObject({ state: "running", attempts: 2, error_code: null });
    await step("create_database", "succeeded");
    expect(await step("create_database", "succeeded")).toMatchObject({ state: "succeeded", attempts: 2 }); // idempotent repeat
    await expect(step("create_database", "running")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already succeeded") });
    await step("wait_for_operations", "skipped");
    await expect(asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "active", workerId })))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("store_credentials, apply_migrations") });
    const events = await asService(sql, (tx) => listProvisioningEvents(tx, tenantId));
    const failed = events.find((e) => e.stepState === "failed")!;
    expect(failed).toMatchObject({ errorCode: "neon.quota_exceeded", attempt: 1 });
    expect(failed.errorMessage).toBe("quota exceeded for postgresql://u:***@h/db");
  });

  it("retry: failed → pending resets unfinished steps and keeps succeeded ones; the next claim is attempt 2", async () => {
    const { owner, org } = await freshOrg();
    const tenantId = await requestPendingTenant(sql, org.id);
    const workerId = "retry-worker";
    await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId }));
    await asService(sql, async (tx) => {
      await recordProvisioningStep(tx, { tenantId, step: "create_database", state: "running", workerId });
      await recordProvisioningStep(tx, { tenantId, step: "create_database", state: "succeeded", workerId });
      await recordProvisioningStep(tx, { tenantId, step: "wait_for_operations", state: "running", workerId });
      await recordProvisioningStep(tx, { tenantId, step: "wait_for_operations", state: "failed", workerId, errorCode: "timeout", errorMessage: "operation did not finish" });
      await transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "failed", workerId, reason: "wait_for_operations timed out" });
    });
    const failed = await asService(sql, (tx) => getTenantStatus(tx, org.id));
    expect(failed).toMatchObject({ status: "failed", statusReason: "wait_for_operations timed out" });

    const retried = await withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, org.id, { entryPoint: "graphql-v2", requestId: "req-retry-1" }));
    expect(retried).toEqual({ tenantId, status: "pending", retried: true });
    // A no-op while queued (retried: false), and no restarting steps of a queued tenant.
    expect(await withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, org.id, tests))).toEqual({ tenantId, status: "pending", retried: false });
    await expect(withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, org.id, tests, "create_database"))).rejects.toMatchObject({ code: "CONFLICT" });
    const pending = await asService(sql, (tx) => getTenantStatus(tx, org.id));
    expect(pending!.provisioningStatus.create_database).toMatchObject({ state: "succeeded" });
    expect(pending!.provisioningStatus.wait_for_operations).toMatchObject({ state: "pending", attempts: 1, error_code: "timeout" });
    expect(pending!.provisioningStatus.claim).toMatchObject({ state: "pending" });
    const claim = await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "retry-worker-2" }));
    expect(claim).toMatchObject({ claimed: true, status: "provisioning", attempt: 2 });
    // Resume after the succeeded step.
    await asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: "wait_for_operations", state: "running", workerId: "retry-worker-2" }));
    const audit = await asService(sql, (tx) => listAuditLog(tx, org.id, { action: "tenant.retry_requested" }));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: owner.id, entryPoint: "graphql-v2", requestId: "req-retry-1" });
    // An active tenant has nothing to retry.
    await expect(withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, crypto.randomUUID(), tests))).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("retry from a given step re-runs that step and every later one", async () => {
    const { owner, org } = await freshOrg("fromstep");
    const tenantId = await requestPendingTenant(sql, org.id);
    const workerId = "fromstep-worker";
    await asService(sql, async (tx) => {
      await claimTenantForProvisioning(tx, { tenantId, workerId });
      for (const step of ["create_database", "wait_for_operations", "store_credentials"] as const) {
        await recordProvisioningStep(tx, { tenantId, step, state: "running", workerId });
        await recordProvisioningStep(tx, { tenantId, step, state: "succeeded", workerId });
      }
      await recordProvisioningStep(tx, { tenantId, step: "apply_migrations", state: "running", workerId });
      await recordProvisioningStep(tx, { tenantId, step: "apply_migrations", state: "failed", workerId, errorCode: "bad_schema" });
      await transitionTenantStatus(tx, { tenantId, from: "provisioning", to: "failed", workerId });
    });
    await expect(withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, org.id, tests, "activate"))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await withCaller(sql, userCaller(owner), (tx) => retryTenantProvisioning(tx, org.id, tests, "wait_for_operations"))).toMatchObject({ status: "pending", retried: true });
    const tenant = await asService(sql, (tx) => getTenantStatus(tx, org.id));
    expect(Object.fromEntries(Object.entries(tenant!.provisioningStatus).map(([k, v]) => [k, v!.state]))).toEqual({
      claim: "pending", create_database: "succeeded", wait_for_operations: "pending", store_credentials: "pending", apply_migrations: "pending",
      seed_data: "pending", verify_endpoint: "pending", first_health_check: "pending", activate: "pending",
    });
  });

  it("deprovisioning: owners only; → deleted removes every Vault secret and frees the organization for a new tenant", async () => {
    const world = await createWorld(sql, "deprov");
    const creds = fakeCredentials("deprov");
    const region = uniqueRegion();
    const tenantId = await provisionActiveTenant(sql, world.org.id, creds.urls, undefined, region);
    const [before] = await sql`select owner_direct_secret_id, owner_pooled_secret_id, app_direct_secret_id, app_pooled_secret_id from public.tenant_databases where id = ${tenantId}`;
    const secretIds = Object.values(before!) as string[];
    expect(secretIds.every(Boolean)).toBe(true);

    await expect(withCaller(sql, userCaller(world.admin), (tx) => requestTenantDeprovisioning(tx, world.org.id, "admin tries", tests))).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await withCaller(sql, userCaller(world.owner), (tx) => requestTenantDeprovisioning(tx, world.org.id, "closing the shop", tests))).toEqual({ tenantId, status: "deprovisioning" });

    const workerId = "deprov-worker";
    expect(await asService(sql, (tx) => claimNextTenant(tx, { workerId, work: "provision", region }))).toBeNull();
    const claim = await asService(sql, (tx) => claimNextTenant(tx, { workerId, work: "deprovision", region }));
    expect(claim).toMatchObject({ claimed: true, tenantId, status: "deprovisioning" });
    await expect(asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "deprovisioning", to: "deleted" })))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("leased by worker deprov-worker") });
    await asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "deprovisioning", to: "deleted", workerId, reason: "neon project deleted" }));

    const [after] = await sql`select status, deleted_at, lease_owner, owner_direct_secret_id, app_pooled_secret_id, connection_info from public.tenant_databases where id = ${tenantId}`;
    expect(after).toMatchObject({ status: "deleted", lease_owner: null, owner_direct_secret_id: null, app_pooled_secret_id: null, connection_info: {} });
    const remaining = await sql`select id from vault.secrets where id = any(${secretIds}::uuid[]) or name like ${`tenant:${tenantId}:%`}`;
    expect(remaining).toHaveLength(0);
    await expect(asService(sql, (tx) => transitionTenantStatus(tx, { tenantId, from: "deleted", to: "pending" }))).rejects.toMatchObject({ code: "CONFLICT" });
    // The deleted row stays as history and no longer blocks a new tenant.
    expect(await withCaller(sql, userCaller(world.owner), (tx) => getTenantStatus(tx, world.org.id))).toBeNull();
    const again = await withCaller(sql, userCaller(world.admin), (tx) => requestTenantProvisioning(tx, { organizationId: world.org.id, region: "aws-eu-central-1" }, tests));
    expect(again.created).toBe(true);
    expect(again.tenantId).not.toBe(tenantId);
  });
});

describe("leases", () => {
  it("two workers racing on separate connections: exactly one claims", async () => {
    const { org } = await freshOrg("race");
    const tenantId = await requestPendingTenant(sql, org.id);
    const workers = [createSqlClient(inject("dbUrl"), { max: 1 }), createSqlClient(inject("dbUrl"), { max: 1 })];
    try {
      const results = await Promise.all(workers.map((w, i) => asService(w, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: `racer-${i}` }))));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      const winner = results.find((r) => r.claimed)!;
      const loser = results.find((r) => !r.claimed)!;
      expect(winner).toMatchObject({ status: "provisioning", attempt: 1, takenOver: false });
      expect(loser.leaseOwner).toBe(winner.leaseOwner);
      const claims = (await asService(sql, (tx) => listProvisioningEvents(tx, tenantId))).filter((e) => e.event === "claimed");
      expect(claims).toHaveLength(1);
    } finally {
      await Promise.all(workers.map((w) => w.end()));
    }
  });

  it("the row lock makes the second worker wait for the first one's transaction, then lose", async () => {
    const { org } = await freshOrg("lock");
    const tenantId = await requestPendingTenant(sql, org.id);
    const [a, b] = [createSqlClient(inject("dbUrl"), { max: 1 }), createSqlClient(inject("dbUrl"), { max: 1 })];
    try {
      let releaseA!: () => void;
      const holdA = new Promise<void>((resolve) => (releaseA = resolve));
      let claimedA!: () => void;
      const aClaimed = new Promise<void>((resolve) => (claimedA = resolve));
      const first = asService(a, async (tx) => {
        const result = await claimTenantForProvisioning(tx, { tenantId, workerId: "slow-worker" });
        claimedA();
        await holdA; // keep the transaction (and the row lock) open
        return result;
      });
      await aClaimed;
      let secondDone = false;
      const second = asService(b, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "fast-worker" })).finally(() => (secondDone = true));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(secondDone).toBe(false); // blocked on the row lock
      releaseA();
      expect(await first).toMatchObject({ claimed: true, leaseOwner: "slow-worker" });
      expect(await second).toMatchObject({ claimed: false, leaseOwner: "slow-worker", status: "provisioning" });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it("an expired lease is taken over; the old worker can then no longer write", async () => {
    const { org } = await freshOrg("lease");
    const region = uniqueRegion();
    const tenantId = await requestPendingTenant(sql, org.id, region);
    await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "w-old", leaseSeconds: 60 }));
    const live = await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "w-new" }));
    expect(live).toMatchObject({ claimed: false, leaseOwner: "w-old" });
    await expect(asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: "create_database", state: "running", workerId: "w-new" })))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("does not hold the lease") });
    await expect(asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: "create_database", state: "running" })))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("leased by worker w-old") });

    // Let the lease run out (as the table owner, instead of sleeping).
    await sql`update public.tenant_databases set lease_expires_at = now() - interval '1 second' where id = ${tenantId}`;
    const takeover = await asService(sql, (tx) => claimNextTenant(tx, { workerId: "w-new", leaseSeconds: 30, region }));
    expect(takeover).toMatchObject({ claimed: true, takenOver: true, leaseOwner: "w-new", status: "provisioning", attempt: 1 });
    await expect(asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: "create_database", state: "running", workerId: "w-old" })))
      .rejects.toMatchObject({ code: "CONFLICT" });
    await asService(sql, (tx) => recordProvisioningStep(tx, { tenantId, step: "create_database", state: "running", workerId: "w-new" }));
    // Renewing one's own lease is fine and not an event; releasing hands it back.
    expect(await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "w-new", leaseSeconds: 30 }))).toMatchObject({ claimed: true, takenOver: false });
    expect(await asService(sql, (tx) => releaseTenantLease(tx, tenantId, "w-old"))).toBe(false);
    expect(await asService(sql, (tx) => releaseTenantLease(tx, tenantId, "w-new"))).toBe(true);
    // A released lease is work for the next worker at once.
    expect(await asService(sql, (tx) => claimNextTenant(tx, { workerId: "w-third", region }))).toMatchObject({ tenantId, claimed: true, takenOver: false });
    const events = (await asService(sql, (tx) => listProvisioningEvents(tx, tenantId))).map((e) => e.event);
    expect(events).toEqual(["requested", "status_changed", "claimed", "lease_taken_over", "step", "lease_released", "claimed"]);
  });

  it("store_tenant_credentials during provisioning needs the lease too", async () => {
    const { org } = await freshOrg("credlease");
    const tenantId = await requestPendingTenant(sql, org.id);
    await asService(sql, (tx) => claimTenantForProvisioning(tx, { tenantId, workerId: "holder" }));
    const url = fakeCredentials("credlease").urls.owner_direct;
    await expect(asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "owner_direct", connectionString: url, workerId: "intruder" }))).rejects.toMatchObject({ code: "CONFLICT" });
    await asService(sql, (tx) => storeTenantCredentials(tx, { tenantId, kind: "owner_direct", connectionString: url, workerId: "holder" }));
  });
});

describe("work queue", () => {
  it("claim_next_tenant hands out the oldest pending tenants one by one, then nothing", async () => {
    const region = uniqueRegion();
    const ids = [];
    for (const label of ["q1", "q2"]) ids.push(await requestPendingTenant(sql, (await freshOrg(label)).org.id, region));
    const first = await asService(sql, (tx) => claimNextTenant(tx, { workerId: "q-worker-1", region }));
    const second = await asService(sql, (tx) => claimNextTenant(tx, { workerId: "q-worker-2", region }));
    expect([first?.tenantId, second?.tenantId]).toEqual(ids);
    expect(await asService(sql, (tx) => claimNextTenant(tx, { workerId: "q-worker-3", region }))).toBeNull();
    await expect(asService(sql, (tx) => claimNextTenant(tx, { workerId: "q", region, work: "everything" as never }))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("provisioning requests", () => {
  it("are idempotent: same key or same parameters return the existing tenant; different parameters conflict", async () => {
    const world = await createWorld(sql, "idem");
    const admin = userCaller(world.admin);
    const input = { organizationId: world.org.id, region: "aws-eu-central-1", plan: "starter" as const, computeSize: "m" as const, idempotencyKey: "key-1" };
    const first = await withCaller(sql, admin, (tx) => requestTenantProvisioning(tx, input, tests));
    expect(first).toMatchObject({ status: "pending", created: true });
    expect(await withCaller(sql, admin, (tx) => requestTenantProvisioning(tx, input, tests))).toEqual({ ...first, created: false });
    expect(await withCaller(sql, userCaller(world.owner), (tx) => requestTenantProvisioning(tx, { ...input, idempotencyKey: null }, tests))).toEqual({ ...first, created: false });
    expect(await withCaller(sql, admin, (tx) => requestTenantProvisioning(tx, { ...input, computeSize: "xl" }, tests))).toEqual({ ...first, created: false }); // same key wins
    await expect(withCaller(sql, admin, (tx) => requestTenantProvisioning(tx, { ...input, computeSize: "xl", idempotencyKey: "key-2" }, tests)))
      .rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already has a tenant database") });
    const rows = await sql`select id from public.tenant_databases where organization_id = ${world.org.id}`;
    expect(rows).toHaveLength(1);
    const audit = await asService(sql, (tx) => listAuditLog(tx, world.org.id, { action: "tenant.provision_requested" }));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).toBe(world.admin.id);
  });

  it("default to the organization's plan and its compute size; users cannot pick another plan, the service can", async () => {
    const owner = await createUser(sql, "plan-owner");
    const pro = await createOrg(sql, [[owner, "owner"]], "plan-pro", "professional");
    const defaulted = await withCaller(sql, userCaller(owner), (tx) => requestTenantProvisioning(tx, { organizationId: pro.id, region: "aws-eu-central-1" }, tests));
    expect(await asService(sql, (tx) => getTenantStatus(tx, pro.id))).toMatchObject({ id: defaulted.tenantId, plan: "professional", computeSize: "m", strategy: "project" });
    const free = await createOrg(sql, [[owner, "owner"]], "plan-free", "free");
    await expect(withCaller(sql, userCaller(owner), (tx) => requestTenantProvisioning(tx, { organizationId: free.id, region: "aws-eu-central-1", plan: "enterprise" }, tests)))
      .rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("on the free plan") });
    await asService(sql, (tx) => requestTenantProvisioning(tx, { organizationId: free.id, region: "aws-eu-central-1", plan: "enterprise" }, tests));
    expect(await asService(sql, (tx) => getTenantStatus(tx, free.id))).toMatchObject({ plan: "enterprise", computeSize: "l" });
  });

  it("concurrent identical requests create one tenant", async () => {
    const world = await createWorld(sql, "concurrent");
    const clients = Array.from({ length: 4 }, () => createSqlClient(inject("dbUrl"), { max: 1 }));
    try {
      const results = await Promise.all(clients.map((c) => withCaller(c, userCaller(world.owner), (tx) =>
        requestTenantProvisioning(tx, { organizationId: world.org.id, region: "aws-eu-central-1", plan: "starter", computeSize: "s" }, tests))));
      expect(new Set(results.map((r) => r.tenantId)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("are refused for members, outsiders and anon, and validated", async () => {
    const world = await createWorld(sql, "reqperm");
    const input = { organizationId: world.org.id, region: "aws-eu-central-1", plan: "starter" as const, computeSize: "s" as const };
    await expect(withCaller(sql, userCaller(world.member), (tx) => requestTenantProvisioning(tx, input, tests))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(withCaller(sql, userCaller(world.outsider), (tx) => requestTenantProvisioning(tx, input, tests))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(withCaller(sql, { role: "anon", claims: { role: "anon" } }, (tx) => requestTenantProvisioning(tx, input, tests))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => requestTenantProvisioning(tx, { ...input, region: "Mars Base" }, tests)))
      .rejects.toMatchObject({ code: "VALIDATION_FAILED", details: { hint: "field: region" } });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => requestTenantProvisioning(tx, { ...input, plan: "platinum" as never }, tests))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(withCaller(sql, userCaller(world.owner), (tx) => requestTenantProvisioning(tx, input, { entryPoint: "Not An Entry Point" }))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await sql`select id from public.tenant_databases where organization_id = ${world.org.id}`).toHaveLength(0);
  });
});

describe("update_tenant_resources", () => {
  it("sets whitelisted fields only", async () => {
    const { org } = await freshOrg("res");
    const tenantId = await requestPendingTenant(sql, org.id);
    await asService(sql, (tx) => tx`select public.update_tenant_resources(${tenantId}, ${JSON.stringify({ neon_project_id: "proj-1", ssl_status: "verified", graphql_endpoint_url: "https://x.example/graphql-v2" })}::text::jsonb)`);
    const [row] = await sql`select neon_project_id, ssl_status, ssl_verified_at, graphql_endpoint_url from public.tenant_databases where id = ${tenantId}`;
    expect(row).toMatchObject({ neon_project_id: "proj-1", ssl_status: "verified", graphql_endpoint_url: "https://x.example/graphql-v2" });
    expect(row!.ssl_verified_at).toBeInstanceOf(Date);
    await expect(asService(sql, (tx) => tx`select public.update_tenant_resources(${tenantId}, '{"status":"active"}'::jsonb)`)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(asService(sql, (tx) => tx`select public.update_tenant_resources(${tenantId}, '{"app_pooled_secret_id":null}'::jsonb)`)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
