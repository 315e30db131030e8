/**
 * The emulator as a service of `npm run dev` (or any harness): started on the
 * dev Postgres with a fixed port, handing the functions the variables that
 * point the product at it. Shaped like `DevService` in local/dev-services.ts.
 */
import { startNeonEmulator, type NeonEmulator } from "./emulator.ts";
import type { NeonEmulatorOptions } from "./options.ts";

export interface NeonEmulatorService {
  name: string;
  emulator: NeonEmulator;
  /** NEON_API_URL / NEON_API_KEY for the Neon gateway; NEON_SQL_HTTP_URL / NEON_WS_PROXY for `neonConfig`. */
  functionEnv: Record<string, string>;
  summary: string[];
  stop: () => Promise<void>;
}

export async function startNeonEmulatorService(options: NeonEmulatorOptions): Promise<NeonEmulatorService> {
  const emulator = await startNeonEmulator(options);
  const wsProxy = `${emulator.wsProxyHost}/v2`;
  return {
    name: "neon-emulator",
    emulator,
    functionEnv: {
      NEON_API_URL: emulator.url,
      NEON_API_KEY: emulator.apiKey,
      NEON_SQL_HTTP_URL: emulator.sqlHttpUrl,
      NEON_WS_PROXY: wsProxy,
    },
    summary: [
      `    Neon API URL: ${emulator.url}`,
      `  Neon SQL (HTTP): ${emulator.sqlHttpUrl}`,
      `   Neon WS proxy: ${wsProxy}`,
    ],
    stop: () => emulator.stop(),
  };
}
