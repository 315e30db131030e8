/** The provisioning steps in run order (claim and activate are the engine's own). */
import type { StepFn, WorkStep } from "../types.ts";
import { createDatabase } from "./create-database.ts";
import { waitForOperations } from "./wait-for-operations.ts";
import { storeCredentials } from "./store-credentials.ts";
import { applyMigrations } from "./apply-migrations.ts";
import { seedData } from "./seed-data.ts";
import { verifyEndpoint } from "./verify-endpoint.ts";
import { firstHealthCheck } from "./first-health-check.ts";

export const STEP_FUNCTIONS: Readonly<Record<WorkStep, StepFn>> = {
  create_database: createDatabase,
  wait_for_operations: waitForOperations,
  store_credentials: storeCredentials,
  apply_migrations: applyMigrations,
  seed_data: seedData,
  verify_endpoint: verifyEndpoint,
  first_health_check: firstHealthCheck,
};
