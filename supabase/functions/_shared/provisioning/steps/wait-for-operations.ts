/**
 * Step wait_for_operations: Neon's create operations (create_timeline, start_compute) must finish
 * before the database is reachable and before the next mutation (else 423). The operation ids
 * come from this run's memory or, after a crash, from the create_database event's details. The
 * first poll waits `operationPollDelayMs` (about one operation duration) so a clean run needs one
 * poll; several pending operations are one list call.
 */
import type { StepFn } from "../types.ts";
import { ProvisioningStepError } from "../failures.ts";

export const waitForOperations: StepFn = async (ctx) => {
  const projectId = ctx.tenant.neon_project_id;
  if (!projectId) throw new ProvisioningStepError("NEON_RESOURCE_MISSING", "No Neon project is recorded for this tenant.");
  let ids: string[] = ctx.memory.operations?.map((op) => op.id) ?? [];
  if (!ctx.memory.operations) {
    const [row] = await ctx.registry((tx) => tx<{ details: { operationIds?: string[] } }[]>`
      select details from public.provisioning_events
      where tenant_id = ${ctx.tenant.id} and step = 'create_database' and step_state = 'succeeded'
      order by id desc limit 1`);
    ids = row?.details.operationIds ?? [];
  }
  if (ids.length === 0) return { operations: 0 };
  const done = await ctx.neonCall(() => ctx.neon.waitForOperations(projectId, ids, {
    initialDelayMs: ctx.deps.operationPollDelayMs,
    timeoutMs: ctx.deps.operationTimeoutMs,
  }));
  ctx.memory.operations = [];
  return { operations: done.length, actions: done.map((op) => op.action) };
};
