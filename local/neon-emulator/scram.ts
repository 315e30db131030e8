/**
 * SCRAM-SHA-256 verifiers computed here, so `CREATE ROLE … PASSWORD` never
 * carries a plaintext password that the server could write to its log (for
 * example in the STATEMENT line of an error).
 */
import { pbkdf2Sync, createHmac, createHash, randomBytes } from "node:crypto";

const ITERATIONS = 4096; // the server's default scram_iterations

export function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  // Postgres applies SASLprep; the emulator's own passwords are ASCII, for which it is the identity.
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
