import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorCode } from "../contract";

/** An expected failure, answered as `{"error": {code, message, fields?, ids?}}` with its status. */
export class ApiError extends HTTPException {
  /** The user ids the failure is about (`not_friends`, `already_member`, `user_not_found`). */
  ids?: string[];

  constructor(
    status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
  }

  static about(status: ContentfulStatusCode, code: ApiErrorCode, message: string, ids: string[]): ApiError {
    const err = new ApiError(status, code, message);
    err.ids = ids;
    return err;
  }
}

const codeForStatus: Record<number, ApiErrorCode> = {
  400: "invalid",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "too_large",
  429: "rate_limited",
};

export const errorResponse = (c: Context, err: Error): Response => {
  if (err instanceof ApiError) {
    const body = { error: { code: err.code, message: err.message, ...(err.fields && { fields: err.fields }), ...(err.ids && { ids: err.ids }) } };
    return c.json(body, err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeForStatus[err.status] ?? "bad_request";
    return c.json({ error: { code, message: err.message || code } }, err.status as ContentfulStatusCode);
  }
  console.error("unexpected error", c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, 500);
};
