/** The few bits of the Postgres wire protocol the WebSocket proxy needs. */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export type FirstMessage =
  | { kind: "incomplete" }
  | { kind: "startup"; params: Record<string, string> }
  /** SSL/GSS negotiation or a cancel request: nothing to learn, pass it through. */
  | { kind: "other" };

/** Parses the first client message (untyped: Int32 length, Int32 code, body). */
export function parseFirstMessage(buf: Buffer): FirstMessage {
  if (buf.length < 8) return { kind: "incomplete" };
  const length = buf.readInt32BE(0);
  const code = buf.readInt32BE(4);
  if (code === SSL_REQUEST || code === GSSENC_REQUEST || code === CANCEL_REQUEST) return { kind: "other" };
  if (length < 8 || length > 10_000) return { kind: "other" };
  if (buf.length < length) return { kind: "incomplete" };
  const params: Record<string, string> = {};
  const parts = buf.subarray(8, length).toString("utf8").split("\u0000");
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) params[parts[i]!] = parts[i + 1]!;
  return { kind: "startup", params };
}

/** A FATAL ErrorResponse message, as the server would send it. */
export function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from("SFATAL\u0000VFATAL\u0000", "utf8"),
    Buffer.from(`C${code}\u0000M${message}\u0000`, "utf8"),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "ascii");
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
