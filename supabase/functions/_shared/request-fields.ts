/**
 * Request fields that more than one API accepts (provision-tenant-resources and graphql-v2), with
 * one rule each. The registry's CHECKs are looser backstops; availability of a region is the Neon
 * API's call.
 */
import { z } from "zod";

/** Neon region ids: `aws-eu-central-1`, `azure-eastus2`, `gcp-…`. */
export const regionId = z.string().max(64).regex(/^(aws|azure|gcp)-[a-z0-9]+(-[a-z0-9]+)*$/, "must be a Neon region id such as aws-eu-central-1");

/** A client's key for replaying one provisioning request (a UUID fits). */
export const IDEMPOTENCY_KEY_RULE = "must be 8–128 letters, digits or . _ : -";
export const idempotencyKey = z.string().regex(/^[\w.:-]{8,128}$/, IDEMPOTENCY_KEY_RULE);
