/**
 * Which Neon regions a tenant may be placed in. The truth is `GET /regions` for our organization
 * ("not all regions are available to all organizations"), cached; when that call fails we fall
 * back to the regions Neon documents (neon-api.md §1.10) for a short while, so a Neon API hiccup
 * does not block region validation but a later call refreshes from the API.
 */
import type { RegionResponse } from "@neondatabase/api-client";
import { validationError } from "../errors.ts";

/** Neon's documented regions (docs "Regions", 2025-08-15). A project's region can never change. */
export const FALLBACK_REGION_IDS: readonly string[] = [
  "aws-us-east-1",
  "aws-us-east-2",
  "aws-us-west-2",
  "aws-eu-central-1",
  "aws-eu-west-2",
  "aws-ap-southeast-1",
  "aws-ap-southeast-2",
  "aws-sa-east-1",
  "azure-eastus2",
  "azure-westus3",
  "azure-gwc",
];

export interface RegionList {
  regionIds: string[];
  defaultRegionId: string | null;
  source: "api" | "fallback";
}

export interface RegionCatalog {
  list(): Promise<RegionList>;
  /** Throws VALIDATION_FAILED (field `region`) naming the allowed regions. */
  validate(regionId: string): Promise<void>;
}

export interface RegionCatalogOptions {
  fetchRegions: () => Promise<RegionResponse[]>;
  clock: () => number;
  /** How long an API answer is trusted. @default 3600000 */
  ttlMs?: number;
  /** How long the static fallback is used before asking the API again. @default 60000 */
  fallbackTtlMs?: number;
}

export function createRegionCatalog(options: RegionCatalogOptions): RegionCatalog {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const fallbackTtlMs = options.fallbackTtlMs ?? 60_000;
  let cached: { value: RegionList; expiresAt: number } | undefined;
  let inFlight: Promise<RegionList> | undefined;

  const load = async (): Promise<RegionList> => {
    try {
      const regions = await options.fetchRegions();
      if (regions.length > 0) {
        const value: RegionList = {
          regionIds: regions.map((r) => r.region_id),
          defaultRegionId: regions.find((r) => r.default)?.region_id ?? null,
          source: "api",
        };
        cached = { value, expiresAt: options.clock() + ttlMs };
        return value;
      }
    } catch {
      // Fall through: the gateway has already counted and retried the failure.
    }
    const value: RegionList = { regionIds: [...FALLBACK_REGION_IDS], defaultRegionId: null, source: "fallback" };
    cached = { value, expiresAt: options.clock() + fallbackTtlMs };
    return value;
  };

  const list = (): Promise<RegionList> => {
    if (cached && cached.expiresAt > options.clock()) return Promise.resolve(cached.value);
    inFlight ??= load().finally(() => (inFlight = undefined));
    return inFlight;
  };

  return {
    list,
    async validate(regionId) {
      const { regionIds } = await list();
      if (!regionIds.includes(regionId)) {
        throw validationError("region", `Region '${regionId}' is not available. Choose one of: ${regionIds.join(", ")}.`, { allowed: regionIds });
      }
    },
  };
}
