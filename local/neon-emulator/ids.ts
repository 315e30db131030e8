/**
 * Identifiers, passwords and physical Postgres names.
 *
 * Ids use crypto randomness, not the fault PRNG: a seeded sequence would repeat
 * after a restart and collide with tenants persisted by a previous run.
 */
import { randomBytes, randomInt, randomUUID, createHash } from "node:crypto";

const ADJECTIVES = [
  "aged", "ancient", "autumn", "billowing", "bitter", "black", "blue", "bold", "broad", "broken",
  "calm", "cold", "cool", "crimson", "curly", "damp", "dark", "dawn", "delicate", "divine",
  "dry", "empty", "falling", "fancy", "flat", "floral", "fragrant", "frosty", "gentle", "green",
  "hidden", "holy", "icy", "jolly", "late", "lingering", "little", "lively", "long", "lucky",
  "misty", "morning", "muddy", "mute", "nameless", "noisy", "odd", "old", "orange", "patient",
  "plain", "polished", "proud", "purple", "quiet", "rapid", "raspy", "red", "restless", "rough",
  "round", "royal", "shiny", "shrill", "shy", "silent", "small", "snowy", "soft", "solitary",
  "sparkling", "spring", "square", "steep", "still", "summer", "super", "sweet", "throbbing", "tight",
  "tiny", "twilight", "wandering", "weathered", "white", "wild", "winter", "wispy", "withered", "young",
];
const NOUNS = [
  "art", "band", "bar", "base", "bird", "block", "boat", "bonus", "bread", "breeze",
  "brook", "bush", "butterfly", "cake", "cell", "cherry", "cloud", "credit", "darkness", "dawn",
  "dew", "disk", "dream", "dust", "feather", "field", "fire", "firefly", "flower", "fog",
  "forest", "frog", "frost", "glade", "glitter", "grass", "hall", "hat", "haze", "heart",
  "hill", "king", "lab", "lake", "leaf", "limit", "math", "meadow", "mode", "moon",
  "morning", "mountain", "mouse", "mud", "night", "paper", "pine", "poetry", "pond", "queen",
  "rain", "recipe", "resonance", "rice", "river", "salad", "scene", "sea", "shadow", "shape",
  "silence", "sky", "smoke", "snow", "snowflake", "sound", "star", "sun", "sunset", "surf",
  "term", "thunder", "tooth", "tree", "truth", "union", "unit", "violet", "voice", "water",
  "waterfall", "wave", "wildflower", "wind", "wood",
];

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)]!;
const words = () => `${pick(ADJECTIVES)}-${pick(NOUNS)}`;

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Project ids look like Neon's: `spring-example-302709`. */
export const newProjectId = () => `${words()}-${String(randomInt(1_000_000)).padStart(6, "0")}`;
/** Branch ids: `br-aged-salad-a1b2c3d4`; the 8-character tail names the branch's physical objects. */
export const newBranchId = () => `br-${words()}-${randomString(ALNUM, 8)}`;
/** Endpoint ids: `ep-dark-snowflake-0f3a9c21`. */
export const newEndpointId = () => `ep-${words()}-${randomBytes(4).toString("hex")}`;
export const newOperationId = () => randomUUID();
export const newRequestId = () => randomUUID();
/** Database ids are integers in Neon's API. */
export const newDatabaseId = () => randomInt(100_000, 2 ** 31 - 1);

/** Neon-style role password (`npg_` + 12 characters). */
export function newPassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  return `npg_${randomString(alphabet, 12)}`;
}

/** The physical-name suffix of a branch: the tail of its id. */
export const branchKey = (branchId: string) => branchId.slice(branchId.lastIndexOf("-") + 1);

/**
 * Physical database/role name for a logical (API-visible) name in a branch.
 * Roles are cluster-wide and every project has a `neondb`, so logical names
 * cannot be used as they are; Postgres identifiers stop at 63 bytes, so long
 * names are shortened with a hash to stay unique.
 */
export function physicalName(logical: string, key: string): string {
  const suffix = `_${key}`;
  const max = 63 - suffix.length;
  let base = logical;
  if (Buffer.byteLength(base) > max) {
    const hash = createHash("sha256").update(logical).digest("hex").slice(0, 8);
    base = Buffer.from(logical).subarray(0, max - 9).toString("utf8").replace(/\uFFFD+$/, "") + "_" + hash;
  }
  return base + suffix;
}
