/** Placeholder for a function whose logic has not landed yet: a clear 501 naming the function. */
import { AppError } from "../errors.ts";
import { withErrorBoundary, type Handler } from "../http.ts";
import type { Logger } from "../log.ts";

export function createNotImplementedHandler(name: string, logger: Logger): Handler {
  return withErrorBoundary(async () => {
    throw new AppError("NOT_IMPLEMENTED", `The '${name}' function is not implemented yet in this version of the control plane.`);
  }, logger);
}
