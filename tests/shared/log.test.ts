/** Log lines never carry a password, and stay valid JSON after redaction. */
import { describe, it, expect } from "vitest";
import { createLogger, redact } from "../../supabase/functions/_shared/log.ts";

describe("redact", () => {
  it("masks the password of a connection string", () => {
    expect(redact("postgresql://app:s3cr3t@ep-x.neon.tech/db?sslmode=require")).toBe("postgresql://app:***@ep-x.neon.tech/db?sslmode=require");
  });

  it("masks password=… pairs without breaking the JSON line", () => {
    const lines: string[] = [];
    createLogger({}, (l) => lines.push(l)).info("connect failed: password=hunter2 user=x", { detail: "a password: 'p4ss' b" });
    const parsed = JSON.parse(lines[0]!);
    expect(lines[0]).not.toContain("hunter2");
    expect(lines[0]).not.toContain("p4ss");
    expect(parsed.message).toBe("connect failed: password=*** user=x");
  });

  it("masks connection strings inside logged errors", () => {
    const lines: string[] = [];
    createLogger({}, (l) => lines.push(l)).error("boom", { error: new Error("could not reach postgres://owner:pw123@host/db") });
    expect(lines[0]).not.toContain("pw123");
    expect(JSON.parse(lines[0]!).error.message).toContain("postgres://owner:***@host/db");
  });
});
