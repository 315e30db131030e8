/**
 * API errors in Neon's `GeneralError` shape: `{ code, message, request_id? }`.
 * The spec requires `code`; Neon sends an empty string when there is no
 * specific code, so we do too.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = "",
  ) {
    super(message);
  }
}

/** Messages Neon is known to send, kept verbatim so product code can match on them. */
export const MESSAGES = {
  locked: "project already has running conflicting operations, scheduling of new ones is prohibited",
  projectsLimit: (limit: number, count: number) => `user projects limit of ${limit} exceeded, got ${count}`,
  branchExists: "branch already exists",
  rateLimited: "rate limit exceeded",
} as const;

export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const badRequest = (message: string) => new ApiError(400, message);
export const conflict = (message: string) => new ApiError(409, message);
export const unprocessable = (message: string, code = "") => new ApiError(422, message, code);
export const locked = () => new ApiError(423, MESSAGES.locked);

export interface GeneralErrorBody {
  code: string;
  message: string;
  request_id?: string;
}

export const errorBody = (error: ApiError, requestId: string): GeneralErrorBody => ({
  code: error.code,
  message: error.message,
  request_id: requestId,
});
