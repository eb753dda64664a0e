import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An expected failure, answered as `{"error": {code, message, fields?}}` with its status. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
  }
}

const codeForStatus: Record<number, string> = {
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
    const body = { error: { code: err.code, message: err.message, ...(err.fields && { fields: err.fields }) } };
    return c.json(body, err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeForStatus[err.status] ?? "bad_request";
    return c.json({ error: { code, message: err.message || code } }, err.status as ContentfulStatusCode);
  }
  console.error("unexpected error", c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, 500);
};
