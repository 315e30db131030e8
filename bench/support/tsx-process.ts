/**
 * A TypeScript script in its own Node process under tsx: started, awaited until a line on its
 * stdout matches `readyPattern`, stopped with SIGTERM. The last few KB of its stderr go into the
 * error when it exits before it is ready or does not get ready in time.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../local/supabase/database.ts";

const STDERR_TAIL_CHARS = 4096;

export interface TsxProcess {
  /** The match of `readyPattern` against the first stdout line it matches. */
  match: RegExpExecArray;
  /** PID of the spawned process (the tsx CLI; it runs the script in a child of its own). */
  pid: number;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
}

export async function startTsxProcess(
  script: string,
  env: Record<string, string>,
  readyPattern: RegExp,
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<TsxProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS); });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => { if (child.pid === undefined) resolve(); }); // never started: no exit event
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) child.kill("SIGTERM");
    await exited;
  };

  let output = "";
  let ready = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const fail = (what: string) => reject(new Error(`${script} ${what}${stderr ? `; stderr (last ${STDERR_TAIL_CHARS} chars):\n${stderr}` : ""}`));
      child.stdout!.on("data", (chunk: Buffer) => {
        if (ready) return; // keep draining stdout so the child never blocks on a full pipe
        // Whole lines only: a chunk can end mid-line (half a port number, half a JSON payload).
        const lines = (output + chunk.toString()).split("\n");
        output = lines.pop()!;
        for (const line of lines) {
          const found = readyPattern.exec(line.replace(/\r$/, ""));
          if (found) {
            ready = true;
            output = "";
            resolve(found);
            return;
          }
        }
      });
      child.once("error", (error) => fail(`could not be started: ${error.message}`));
      // "close", not "exit": by then stderr has been read to the end.
      child.once("close", (code, signal) => fail(`exited before it was ready (${signal ?? code})`));
      timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
    });
    return { match, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
